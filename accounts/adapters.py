from allauth.account.adapter import DefaultAccountAdapter
from django.db import transaction

from accounts.signup import invitation_for_signup

INVITATION_SESSION_KEY = "prm_invitation_token"


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up is by invitation only: a partner admin invites colleagues, and the invitation link
    proves the address (so it needs no second verification). Partner applications (a public
    form reviewed by channel managers) are the way in for new companies. The invitations are
    partners'; they reach sign-up through ``accounts.signup`` (partners registers them)."""

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
                f"This invitation was sent to {invitation.email}; sign up with that address."
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
