"""allauth's SAML routes as they are (login, acs, acs/finish, sls, metadata under
/accounts/saml/<organization_slug>/, same names); the provider class is PRM's
(accounts.saml.provider). Each view is wrapped so that a request without a Host header (HTTP/1.0,
or a bare client) gets the host Django validated against ALLOWED_HOSTS: python3-saml reads
``HTTP_HOST`` directly and would fail with a server error."""

import functools
import logging

from allauth.socialaccount.providers.saml import views
from django.shortcuts import render
from django.urls import include, path, re_path
from django.utils.translation import gettext
from onelogin.saml2.errors import OneLogin_Saml2_Error

logger = logging.getLogger(__name__)


def _with_host(view):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        request.META.setdefault("HTTP_HOST", request.get_host())
        try:
            return view(request, *args, **kwargs)
        except OneLogin_Saml2_Error as exc:
            # python3-saml refuses its settings for this request (e.g. a host name without a dot
            # in PRM's own ACS address): the person gets a page saying so, the log the reason.
            logger.warning("SAML sign-in could not start: %s", exc)
            message = gettext(
                "Sign-in with your company account is not available at this address. "
                "Ask your administrator to check PRM's SAML settings."
            )
            return render(request, "account/sso_refused.html", {"reason": message}, status=400)

    return wrapped


urlpatterns = [
    re_path(
        r"^saml/(?P<organization_slug>[^/]+)/",
        include(
            [
                path("acs/", _with_host(views.acs), name="saml_acs"),
                path("acs/finish/", _with_host(views.finish_acs), name="saml_finish_acs"),
                path("sls/", _with_host(views.sls), name="saml_sls"),
                path("metadata/", _with_host(views.metadata), name="saml_metadata"),
                path("login/", _with_host(views.login), name="saml_login"),
            ]
        ),
    )
]
