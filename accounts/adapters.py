import logging
import time

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.signup import invitation_for_signup
from accounts.sso import (
    SAML_PROTOCOL,
    SSO_AT_SESSION_KEY,
    SSO_LOGOUT_SESSION_KEY,
    SSO_MFA_SESSION_KEY,
    SSO_PROVIDER_SESSION_KEY,
    amr_has_mfa,
    authn_context_has_mfa,
    email_domain,
    route_for_provider,
    route_for_user,
)
from kernel.outbox import languages_of

INVITATION_SESSION_KEY = "prm_invitation_token"
logger = logging.getLogger("accounts.sso")


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up is by invitation only: a partner admin invites colleagues, and the invitation link
    proves the address (so it needs no second verification). Partner applications (a public
    form reviewed by channel managers) are the way in for new companies. The invitations are
    partners'; they reach sign-up through ``accounts.signup`` (partners registers them)."""

    def get_logout_redirect_url(self, request):
        """After signing out of PRM, on to the IdP's sign-out when its setup asks for it
        (accounts.sso_session; read before the session is flushed: allauth's logout view asks
        for this address first)."""
        from accounts.sso_session import idp_logout_url

        return idp_logout_url(request) or super().get_logout_redirect_url(request)

    def send_mail(self, template_prefix, email, context):
        """allauth's own emails (password reset, address confirmation, security notices) in the
        recipient's language, as the outbox renders ours (``kernel.outbox.languages_of``)."""
        with translation.override(languages_of([email])[email]):
            return super().send_mail(template_prefix, email, context)

    def _open_invitation(self, request):
        token = request.session.get(INVITATION_SESSION_KEY) if request is not None else None
        return invitation_for_signup(token=token) if token else None

    def is_open_for_signup(self, request):
        return self._open_invitation(request) is not None

    def clean_email(self, email):
        from django import forms

        invitation = self._open_invitation(self.request)
        if invitation is not None and invitation.email.lower() != email.lower():
            raise forms.ValidationError(
                _("This invitation was sent to %(email)s; sign up with that address.")
                % {"email": invitation.email}
            )
        return super().clean_email(email)

    @transaction.atomic
    def save_user(self, request, user, form, commit=True):
        full_name = " ".join((form.cleaned_data.get("full_name") or "").split())
        if full_name:
            user.full_name = full_name[:150]
        user = super().save_user(request, user, form, commit=commit)
        invitation = self._open_invitation(request)
        if commit and invitation is not None:
            invitation.accept(user)
            request.session.pop(INVITATION_SESSION_KEY, None)
        return user


def refusal(request, message: str):
    from allauth.core.exceptions import ImmediateHttpResponse
    from django.shortcuts import render

    return ImmediateHttpResponse(
        render(request, "account/sso_refused.html", {"reason": message}, status=403)
    )


def saml_refusal_message(reason: str) -> str:
    """What a person is told when python3-saml refused the IdP's response (its reason is
    logged as it is): the signature, the audience, the validity period, or else."""
    text = reason.lower()
    if "signature" in text or "not signed" in text:
        return _(
            "The identity provider's answer was not signed with the certificate set up for it, "
            "so it was refused. Ask your administrator to check the SAML settings."
        )
    if "audience" in text:
        return _(
            "The identity provider's answer was meant for another service (its audience is not "
            "PRM), so it was refused."
        )
    if "timestamp" in text or "expired" in text or "subjectconfirmation" in text:
        return _("The identity provider's answer has expired or is not valid yet: sign in again.")
    return _("The identity provider's answer could not be verified, so it was refused.")


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Company sign-in (OpenID Connect and SAML 2.0, issue 23). An identity provider speaks only for the email
    domains its setup lists (``accounts.sso``): an identity asserting any other address is refused,
    so a partner's IdP can never sign in a vendor admin or another partner's user. A new person
    from a partner's IdP joins that partner with the default role (just-in-time, the route's
    ``provision``); vendor staff must already have an account (invited on the staff page): the
    staff IdP creates nobody. Existing accounts are matched by email within those domains."""

    def _route(self, sociallogin):
        return route_for_provider(sociallogin.account.provider)

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ):
        """A refused company sign-in is logged with its cause (a bad signature, another audience,
        an expired token, an unknown state...), so an admin setting up an IdP can see why."""
        cause = getattr(exception, "__cause__", None)
        if exception is None and "state_id" in (extra_context or {}):
            detail = "unknown or already used state (no such sign-in in progress)"
        elif exception is not None:
            detail = f"{type(exception).__name__}: {exception}"
            if cause is not None:
                detail += f" caused by {type(cause).__name__}: {cause}"
        else:
            detail = ""
        saml_reason = (extra_context or {}).get("saml_last_error_reason")
        if saml_reason:
            detail = f"SAML: {saml_reason}"
        logger.warning(
            "Company sign-in refused (provider %s): %s %s",
            getattr(getattr(provider, "app", None), "provider_id", "?"),
            error or "",
            detail,
        )
        if saml_reason:
            raise refusal(request, saml_refusal_message(str(saml_reason)))
        return super().on_authentication_error(
            request, provider, error=error, exception=exception, extra_context=extra_context
        )

    @staticmethod
    def _asserted_email(sociallogin) -> str:
        data = sociallogin.account.extra_data or {}
        claims = data.get("userinfo") or data.get("id_token") or data  # SAML: accounts.saml
        return str(claims.get("email") or "").lower()

    def _covers(self, sociallogin, email: str) -> bool:
        route = self._route(sociallogin)
        return route is not None and email_domain(email) in route.domains

    def authenticate_by_email(self, sociallogin):
        # The IdP vouches for addresses in its own domains (that is what the admin configured),
        # so those count as verified; an address outside them never matches an account.
        for address in sociallogin.email_addresses:
            address.verified = self._covers(sociallogin, address.email)
        return super().authenticate_by_email(sociallogin)

    def can_authenticate_by_email(self, sociallogin, email):
        return self._covers(sociallogin, email)

    def pre_social_login(self, request, sociallogin):
        from accounts.oidc.provider import nonce_matches

        route = self._route(sociallogin)
        if route is None:
            raise refusal(request, _("This sign-in method is not available any more."))
        if sociallogin.state.get("process") != "login":
            # No connecting a second identity to an account: an account signs in through the
            # one IdP that governs it (accounts.sso.route_for_user).
            raise refusal(request, _("Sign in with your company account instead."))
        data = sociallogin.account.extra_data or {}
        saml = route.protocol == SAML_PROTOCOL
        claims = data.get("id_token") or {}
        # SAML: the response answers this browser's request (InResponseTo, allauth's state).
        if not saml and not nonce_matches(sociallogin.state, claims):
            raise refusal(request, _("The identity provider's answer did not match this sign-in."))
        email = (sociallogin.user.email or "").lower() if sociallogin.user else ""
        if not email or email_domain(email) not in route.domains:
            raise refusal(
                request,
                _("Your identity provider did not give an address it may sign in for."),
            )
        user = sociallogin.user if sociallogin.is_existing else None
        if user is not None and user.pk:
            governing = route_for_user(user)
            if governing is None or governing.provider_id != route.provider_id:
                raise refusal(
                    request,
                    _("Your account does not sign in through this identity provider."),
                )
        request.session.pop(SSO_MFA_SESSION_KEY, None)
        idp_mfa = authn_context_has_mfa(data.get("authn_contexts")) if saml else amr_has_mfa(claims)
        if route.staff and route.trust_idp_mfa and idp_mfa:
            request.session[SSO_MFA_SESSION_KEY] = route.provider_id
        request.session[SSO_PROVIDER_SESSION_KEY] = route.provider_id
        request.session[SSO_AT_SESSION_KEY] = int(time.time())
        request.session[SSO_LOGOUT_SESSION_KEY] = (
            {
                "name_id": data.get("name_id"),
                "name_id_format": data.get("name_id_format"),
                "session_index": data.get("session_index"),
            }
            if saml
            else {}
        )

    def is_open_for_signup(self, request, sociallogin):
        route = self._route(sociallogin)
        if route is not None and route.staff:
            # Said plainly rather than allauth's "sign-up closed" page.
            raise refusal(request, _("Vendor staff must be invited before they can sign in."))
        return route is not None and route.provision is not None

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        name = " ".join(
            (
                data.get("name") or f"{data.get('first_name') or ''} {data.get('last_name') or ''}"
            ).split()
        )
        if name:
            user.full_name = name[:150]
        if user.email:
            user.email = user.email.lower()
        return user

    @transaction.atomic
    def save_user(self, request, sociallogin, form=None):
        route = self._route(sociallogin)
        if route is None or route.staff or route.provision is None:
            raise refusal(request, _("Vendor staff must be invited before they can sign in."))
        user = super().save_user(request, sociallogin, form=form)
        if (user.email or "").lower() != self._asserted_email(sociallogin) or (
            email_domain(user.email) not in route.domains
        ):
            # Only the address the IdP asserted (allauth's sign-up form, shown when the address
            # is taken, lets the person type another one); raising rolls the new user back.
            raise refusal(
                request, _("Your identity provider did not give an address it may sign in for.")
            )
        try:
            route.provision(user)  # raises ValidationError to refuse (rolls the user back)
        except ValidationError as exc:
            raise refusal(request, " ".join(exc.messages)) from exc
        return user
