"""The product's URLs plus the test identity provider (django-oauth-toolkit) under /idp/."""

from django.urls import include, path

from prm.urls import urlpatterns as product_urlpatterns

urlpatterns = [
    path("idp/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    *product_urlpatterns,
]
