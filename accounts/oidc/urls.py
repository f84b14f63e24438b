from django.urls import include, path, re_path

from accounts.oidc import views

# The same paths and names as allauth's openid_connect provider (accounts/3rdparty/... is not
# used: OpenID Connect's are /accounts/oidc/<provider_id>/login/ and .../login/callback/).
urlpatterns = [
    path(
        "oidc/",
        include(
            [
                re_path(
                    r"^(?P<provider_id>[^/]+)/",
                    include(
                        [
                            path("login/", views.login, name="openid_connect_login"),
                            path("login/callback/", views.callback, name="openid_connect_callback"),
                        ]
                    ),
                )
            ]
        ),
    )
]
