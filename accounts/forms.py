from allauth.account import forms as allauth_forms
from allauth.core import context
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts import profile
from accounts.adapters import INVITATION_SESSION_KEY
from accounts.choices import TokenScope, VendorRole
from accounts.signup import invitation_for_signup
from accounts.sso import password_refused_route


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=80, help_text=_("What uses this token, e.g. “CRM sync” or “Product analytics”.")
    )
    scope = forms.ChoiceField(
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        widget=forms.RadioSelect,
        help_text=_("Write is needed to create or change anything (deals, ingested events)."),
    )


class SignupForm(allauth_forms.SignupForm):
    """allauth's sign-up (open only through an invitation) asking for the person's name first,
    so colleagues see a name rather than an address from the first day."""

    field_order = ["full_name", "email", "password1", "password2"]

    full_name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name", "placeholder": _("Your name")}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The name the inviter gave (a partner import names every person) is offered, so the
        # invitee only checks it: the field stays required and editable.
        request = context.request
        token = request.session.get(INVITATION_SESSION_KEY) if request is not None else None
        invitation = invitation_for_signup(token=token) if token else None
        if invitation is not None and invitation.full_name:
            self.fields["full_name"].initial = invitation.full_name


class ProfileForm(forms.Form):
    """The signed-in person's own profile. Validation rules live in accounts.profile (shared
    with the model's validators); the save goes through services.user_profile_update."""

    full_name = forms.CharField(
        label=_("Name"),
        max_length=150,
        help_text=_("How colleagues and your channel manager see you."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    job_title = forms.CharField(
        label=_("Job title"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        help_text=_("With the country code, e.g. +1 555 010 0199."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        help_text=_("Dates and times on every page are shown in this zone."),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        help_text=_("Saved for when the portal is translated; pages are in English for now."),
    )
    weekly_digest = forms.BooleanField(
        label=_("Send me the weekly digest"),
        required=False,
        help_text=_(
            "Every Monday morning (in your time zone): new, activated, at-risk and stalled "
            "partners among those you own, and the deals waiting for your review."
        ),
    )

    def __init__(self, *args, staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not staff:
            # the digest is about the partners a channel manager owns: partner users have none
            del self.fields["weekly_digest"]
        zones = profile.time_zone_choices()
        current = self.initial.get("time_zone") or ""
        if current and current not in dict(zones) and current in profile.available_time_zones():
            # a legacy alias stored earlier stays selectable, so saving the form keeps it
            zones = [(current, current), *zones]
        default_zone = _("Site default (%(zone)s)") % {"zone": settings.TIME_ZONE}
        self.fields["time_zone"].choices = [("", default_zone), *zones]
        self.fields["language"].choices = [
            ("", _("Site default (%(code)s)") % {"code": settings.LANGUAGE_CODE}),
            *profile.language_choices(),
        ]

    def clean_phone(self):
        phone = profile.normalize_phone(self.cleaned_data.get("phone", ""))
        profile.validate_phone(phone)
        return phone


STAFF_ROLE_CHOICES = [
    (VendorRole.CHANNEL_MANAGER, _("Channel manager")),
    (VendorRole.ADMIN, _("Vendor admin")),
]


class StaffInviteForm(forms.Form):
    """A vendor admin invites a new staff member (saved by services.staff_invite)."""

    full_name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(label=_("Email address"), max_length=254)
    role = forms.ChoiceField(
        label=_("Role"), choices=STAFF_ROLE_CHOICES, initial=VendorRole.CHANNEL_MANAGER
    )


class StaffRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=STAFF_ROLE_CHOICES)


def sso_required_message(route) -> str:
    return _(
        "%(name)s signs in with your company account: use “Sign in with your company account” "
        "instead of a password."
    ) % {"name": route.name}


class LoginForm(allauth_forms.LoginForm):
    """allauth's login, refusing a password where single sign-on is required (``accounts.sso``):
    for an address in a domain whose identity provider requires it (before the password is even
    checked), and for an account governed by such a provider (its partner's, or the staff one)."""

    def clean(self):
        route = password_refused_route(email=str(self.data.get("login") or "").strip())
        if route is not None:
            raise forms.ValidationError(sso_required_message(route), code="sso_required")
        cleaned = super().clean()
        if self.user is not None:
            route = password_refused_route(user=self.user)
            if route is not None:
                self.user = None
                raise forms.ValidationError(sso_required_message(route), code="sso_required")
        return cleaned


class ResetPasswordForm(allauth_forms.ResetPasswordForm):
    """No password reset where single sign-on is required: an address in such a domain is told
    so; an account governed by such a provider under another address gets no reset email (the
    page reads as usual, so it does not tell whether the address has an account)."""

    def clean_email(self):
        email = self.cleaned_data["email"]
        route = password_refused_route(email=email)
        if route is not None:
            raise forms.ValidationError(sso_required_message(route), code="sso_required")
        email = super().clean_email()
        allowed = [u for u in self.users if password_refused_route(user=u) is None]
        self.sso_only = bool(self.users) and not allowed
        self.users = allowed
        return email

    def save(self, request, **kwargs):
        if getattr(self, "sso_only", False):
            return self.cleaned_data["email"]  # no reset link, and no "unknown account" email
        return super().save(request, **kwargs)


class CompanySignInForm(forms.Form):
    email = forms.EmailField(
        label=_("Work email"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
