# allauth's SAML routes as they are (login, acs, acs/finish, sls, metadata under
# /accounts/saml/<organization_slug>/); the provider class is PRM's (accounts.saml.provider).
from allauth.socialaccount.providers.saml.urls import urlpatterns

__all__ = ["urlpatterns"]
