from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.profile import language_choices
from partners.choices import MemberRole, SsoProtocol
from partners.models import MAX_SSO_SESSION_HOURS, Offering, PartnerType, Program
from partners.setup import EARLIEST_LAUNCH, latest_launch


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Colleague's work email"), max_length=254)
    role = forms.ChoiceField(
        choices=MemberRole.choices,
        initial=MemberRole.USER,
        help_text=_("Partner admins manage the team; partner users work in the portal."),
    )


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=MemberRole.choices)


# --- Program setup pages ------------------------------------------------------------------------


class ProgramForm(forms.ModelForm):
    """Name, slug, description, active. The service validates again (unique name and slug)."""

    class Meta:
        model = Program
        fields = ["name", "slug", "description", "is_active", "default_language"]
        labels = {"is_active": _("Active (takes new partners)")}
        help_texts = {
            "slug": _("Lower-case letters, digits and hyphens; used in links and exports."),
            "default_language": _(
                "Shown to its partners' people who chose no language and whose browser asks for "
                "none the portal speaks."
            ),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_language"] = forms.ChoiceField(
            label=_("Default language"),
            required=False,
            choices=[
                ("", _("Site default (%(code)s)") % {"code": settings.LANGUAGE_CODE}),
                *language_choices(),
            ],
            help_text=self.fields["default_language"].help_text,
        )


class PartnerTypeForm(forms.ModelForm):
    class Meta:
        model = PartnerType
        fields = ["name", "slug", "description"]
        help_texts = {
            "slug": _("Lower-case letters, digits and hyphens; used in links and exports."),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class OfferingForm(forms.ModelForm):
    """An offering and its audience (checkboxes; none ticked = every program or type). The slug is
    set once: events name the offering by it."""

    class Meta:
        model = Offering
        fields = ["name", "slug", "kind", "description", "launched_on", "is_active", "programs",
                  "partner_types"]  # fmt: skip
        labels = {
            "is_active": _("Active (in deal forms and adoption figures)"),
            "launched_on": _("Launch date"),
            "programs": _("Programs"),
            "partner_types": _("Partner types"),
        }
        help_texts = {
            "slug": _(
                "Lower-case letters, digits and hyphens. Events and integrations name the "
                "offering by it, so it cannot change later."
            ),
            "launched_on": _("Adoption curves start at the launch date."),
            "programs": _("None ticked: every program."),
            "partner_types": _("None ticked: every partner type."),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "launched_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "programs": forms.CheckboxSelectMultiple,
            "partner_types": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["launched_on"].widget.attrs.update(
            min=EARLIEST_LAUNCH.isoformat(), max=latest_launch().isoformat()
        )
        if self.instance.pk:
            self.fields["slug"].disabled = True


# --- Company identity providers (single sign-on, partners.sso) ----------------------------------


class IdentityProviderForm(forms.Form):
    """An OpenID Connect or SAML 2.0 identity provider. The OIDC client secret is never shown
    back: left empty on edit, the stored one is kept. partners.sso validates again (which fields
    each protocol needs) and writes the SocialApp."""

    partner = forms.CharField(
        label=_("Partner"),
        required=False,
        max_length=200,
        help_text=_("The partner's exact name or ID. Leave empty for the vendor staff's IdP."),
    )
    name = forms.CharField(
        label=_("Name"), max_length=120, help_text=_("Shown to people when they sign in.")
    )
    domains = forms.CharField(
        label=_("Email domains"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, e.g. acme.com: people with these addresses sign in here."),
    )
    protocol = forms.ChoiceField(
        label=_("Protocol"),
        choices=SsoProtocol.choices,
        initial=SsoProtocol.OIDC,
        required=False,  # empty: OpenID Connect
        widget=forms.RadioSelect,
        help_text=_("Fill in the fields of the protocol you choose; the others are ignored."),
    )
    server_url = forms.URLField(
        label=_("Issuer URL (OpenID Connect)"),
        required=False,
        max_length=300,
        assume_scheme="https",
        help_text=_("The OpenID Connect issuer; /.well-known/openid-configuration is added."),
    )
    client_id = forms.CharField(
        label=_("Client ID (OpenID Connect)"), max_length=191, required=False
    )
    client_secret = forms.CharField(
        label=_("Client secret (OpenID Connect)"),
        required=False,
        max_length=191,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    scopes = forms.CharField(
        label=_("Scopes (OpenID Connect)"),
        max_length=300,
        initial="openid email profile",
        required=False,
    )
    saml_metadata_xml = forms.CharField(
        label=_("IdP metadata XML (SAML)"),
        required=False,
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Paste the IdP's metadata to fill in the entity ID, URLs and certificate below "
            "(its values win over what is typed there)."
        ),
    )
    saml_entity_id = forms.CharField(
        label=_("IdP entity ID (SAML)"), required=False, max_length=1024
    )
    saml_sso_url = forms.CharField(
        label=_("IdP single sign-on URL (SAML)"),
        required=False,
        max_length=1000,
        help_text=_("HTTP-Redirect binding."),
    )
    saml_slo_url = forms.CharField(
        label=_("IdP single logout URL (SAML, optional)"), required=False, max_length=1000
    )
    saml_certificate = forms.CharField(
        label=_("IdP signing certificate (SAML)"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("PEM or base64. Assertions not signed with it are refused."),
    )
    attr_email = forms.CharField(
        label=_("Email attribute (SAML)"),
        required=False,
        max_length=200,
        help_text=_("Empty: the usual names (email, emailaddress claim), else the NameID."),
    )
    attr_first_name = forms.CharField(
        label=_("First name attribute (SAML)"), required=False, max_length=200
    )
    attr_last_name = forms.CharField(
        label=_("Last name attribute (SAML)"), required=False, max_length=200
    )
    max_session_hours = forms.IntegerField(
        label=_("Maximum session (hours)"),
        required=False,
        min_value=1,
        max_value=MAX_SSO_SESSION_HOURS,
        help_text=_(
            "A session signed in through this IdP ends after this many hours. "
            "Empty: the site's usual session length."
        ),
    )
    idp_sign_out = forms.BooleanField(
        label=_("Sign out of the identity provider too when signing out of PRM"),
        required=False,
    )
    sso_required = forms.BooleanField(
        label=_("SSO required: refuse password sign-in and password reset for these people"),
        required=False,
    )
    trust_idp_mfa = forms.BooleanField(
        label=_(
            "Trust the IdP's MFA (vendor staff only: the id token's amr claim contains "
            "mfa, otp or hwk; a SAML assertion's authentication context is a multi-factor one)"
        ),
        required=False,
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, instance=None, **kwargs):
        self.instance = instance
        super().__init__(*args, **kwargs)
        if instance is not None and instance.pk:
            from partners.sso_saml import saml_form_initial

            app = instance.social_app
            self.initial.update(
                partner=str(instance.partner_id or ""),
                name=instance.name,
                protocol=instance.protocol,
                domains="\n".join(instance.domain_list),
                sso_required=instance.sso_required,
                trust_idp_mfa=instance.trust_idp_mfa,
                max_session_hours=instance.max_session_hours,
                idp_sign_out=instance.idp_sign_out,
                is_active=instance.is_active,
            )
            if instance.protocol == SsoProtocol.SAML:
                self.initial.update(saml_form_initial(app.settings or {}))
            else:
                self.initial.update(
                    server_url=app.settings.get("server_url", ""),
                    client_id=app.client_id,
                    scopes=" ".join(app.settings.get("scope", [])),
                )
                hint = "…" + app.secret[-4:] if len(app.secret) >= 8 else "…"
                self.fields["client_secret"].help_text = _(
                    "Stored (ends %(hint)s). Leave empty to keep it."
                ) % {"hint": hint}

    def clean_partner(self):
        from partners.models import Partner

        text = " ".join((self.cleaned_data.get("partner") or "").split())
        if not text:
            return None
        found = (
            Partner.objects.filter(pk=int(text))
            if text.isdigit()
            else Partner.objects.filter(name__iexact=text)
        )[:2]
        found = list(found)
        if len(found) != 1:
            raise forms.ValidationError(
                _("No single partner has this name or ID.") if len(found) != 1 else ""
            )
        return found[0]
