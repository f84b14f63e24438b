from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_countries.fields import CountryField

from accounts.profile import validate_language
from kernel.money import format_money
from kernel.translations import translations_field
from partners.choices import (
    RUNNING_IMPORT_STAGES,
    TYPED_BENEFIT_KINDS,
    BenefitKind,
    BenefitPeriod,
    ImportStage,
    MemberRole,
    OfferingKind,
    PartnerStatus,
    Region,
    SsoProtocol,
)

# A company IdP's session cap (partners.sso, accounts.middleware): at most 30 days.
MAX_SSO_SESSION_HOURS = 720


class Program(models.Model):
    """A partner program (e.g. "Global Partner Program") with its own ladder of tiers."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    # The language its partner users see when neither their profile nor their browser names one
    # the product speaks (partners.middleware); blank means the site's LANGUAGE_CODE.
    default_language = models.CharField(max_length=15, blank=True, validators=[validate_language])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class PartnerType(models.Model):
    """Reseller, integrator, distributor, referral, service provider… Data, not code."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=40, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Tier(models.Model):
    """A level in a program. ``rank`` orders the tiers of a program: 1 is the entry tier."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="tiers")
    name = models.CharField(max_length=60)
    rank = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    description = models.TextField(blank=True)
    translations = translations_field()
    TRANSLATED_FIELDS = ("name", "description")

    class Meta:
        ordering = ["program", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "rank"], name="tier_unique_rank_per_program"
            ),
            models.UniqueConstraint(
                fields=["program", "name"], name="tier_unique_name_per_program"
            ),
            models.CheckConstraint(condition=Q(rank__gte=1), name="tier_rank_positive"),
        ]

    def __str__(self):
        return f"{self.program} · {self.name}"


class TierBenefit(models.Model):
    """What a tier gives, e.g. "Deal protection: 90 days" or "Discount: 20%".

    ``kind`` makes a benefit apply (partners.benefits.partner_benefits): deal protection days and
    discount percent and MDF allocation carry their number in ``amount``; ``value`` is the text
    partners read (filled from the amount when left empty).
    """

    tier = models.ForeignKey(Tier, on_delete=models.CASCADE, related_name="benefits")
    kind = models.CharField(max_length=30, choices=BenefitKind.choices, default=BenefitKind.OTHER)
    name = models.CharField(max_length=120)
    amount = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=gettext_lazy(
            "Days, percent, or money (PRM_TIER_CURRENCY), depending on the kind."
        ),
    )
    period = models.CharField(
        max_length=10,
        choices=BenefitPeriod.choices,
        blank=True,
        help_text=gettext_lazy("MDF allocation only."),
    )
    value = models.CharField(max_length=120, blank=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    translations = translations_field()
    TRANSLATED_FIELDS = ("name", "description")

    class Meta:
        ordering = ["tier", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tier", "kind"],
                condition=Q(kind__in=[*TYPED_BENEFIT_KINDS, BenefitKind.MDF_ELIGIBLE]),
                name="tier_benefit_one_typed_kind_per_tier",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=list(TYPED_BENEFIT_KINDS)) | Q(amount__isnull=False),
                name="tier_benefit_typed_has_amount",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="tier_benefit_amount_gte_0",
            ),
            models.CheckConstraint(
                condition=~Q(kind=BenefitKind.DISCOUNT_PERCENT) | Q(amount__lte=100),
                name="tier_benefit_discount_at_most_100",
            ),
        ]

    def __str__(self):
        return f"{self.name}: {self.display_value}" if self.display_value else self.name

    @property
    def display_value(self) -> str:
        if self.value or self.amount is None:
            return self.value
        number = f"{self.amount.normalize():f}"
        if self.kind == BenefitKind.DEAL_PROTECTION_DAYS:
            return f"{number} days"
        if self.kind == BenefitKind.DISCOUNT_PERCENT:
            return f"{number}%"
        if self.kind == BenefitKind.MDF_ALLOCATION:
            period = f" {self.get_period_display()}" if self.period else ""
            return f"{format_money(self.amount, decimals=False)}{period}"
        return number

    def clean(self):
        if self.kind in TYPED_BENEFIT_KINDS and self.amount is None:
            raise ValidationError({"amount": gettext_lazy("This kind of benefit needs an amount.")})
        if self.kind == BenefitKind.DISCOUNT_PERCENT and self.amount and self.amount > 100:
            raise ValidationError({"amount": gettext_lazy("A discount is at most 100%.")})


class Offering(models.Model):
    """A product, service or program element the vendor wants partners to adopt.

    Its audience, like a course's, is the programs and partner types it is meant for: empty means
    every program (every type). Only partners in the audience are eligible to adopt it (metrics)
    and see it in their lists (``partners.selectors.offering_list_for_partner``).
    """

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(
        max_length=20, choices=OfferingKind.choices, default=OfferingKind.PRODUCT
    )
    description = models.TextField(blank=True)
    launched_on = models.DateField(
        help_text=gettext_lazy("Adoption curves start at the launch date.")
    )
    is_active = models.BooleanField(default=True)
    programs = models.ManyToManyField(
        Program, blank=True, related_name="+", help_text=gettext_lazy("Empty: every program.")
    )
    partner_types = models.ManyToManyField(
        PartnerType, blank=True, related_name="+", help_text=gettext_lazy("Empty: every type.")
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Partner(models.Model):
    """A partner organization. Status changes go through partners.services, never a plain save."""

    name = models.CharField(max_length=200)
    domain = models.CharField(
        max_length=253,
        blank=True,
        help_text=gettext_lazy("Web domain, e.g. example.com (lower case, no www)."),
    )
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="partners")
    partner_type = models.ForeignKey(PartnerType, on_delete=models.PROTECT, related_name="partners")
    tier = models.ForeignKey(
        Tier, on_delete=models.PROTECT, related_name="partners", null=True, blank=True
    )
    country = CountryField()
    region = models.CharField(max_length=10, choices=Region.choices)
    status = models.CharField(
        max_length=20, choices=PartnerStatus.choices, default=PartnerStatus.APPLICANT, db_index=True
    )
    # The join moment: when the partner was approved into the program (its application approved,
    # the move applicant -> onboarding, or its creation when created already approved, e.g. an
    # import). Empty while an applicant and for an application turned down: such partners are in
    # no cohort (docs/metrics.md, "Cohorts").
    joined_at = models.DateTimeField(null=True, blank=True, db_index=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_partners",
        help_text=gettext_lazy("The owning channel manager."),
    )
    # The company profile partners keep up to date (partners.services.partner_update_profile).
    website = models.URLField(max_length=300, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    description = models.TextField(
        blank=True, max_length=2000, help_text=gettext_lazy("What the company does and sells.")
    )
    address = models.TextField(blank=True, max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    PROFILE_FIELDS = ("website", "phone", "description", "address")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["domain"], condition=~Q(domain=""), name="partner_unique_domain"
            ),
            models.CheckConstraint(
                condition=~Q(status=PartnerStatus.ACTIVE) | Q(activated_at__isnull=False),
                name="partner_active_has_activated_at",
            ),
            models.CheckConstraint(
                condition=Q(activated_at__isnull=True) | Q(activated_at__gte=models.F("joined_at")),
                name="partner_activated_after_joined",
            ),
            models.CheckConstraint(
                condition=~Q(status=PartnerStatus.APPLICANT) | Q(joined_at__isnull=True),
                name="partner_applicant_not_joined",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=[PartnerStatus.APPLICANT, PartnerStatus.CHURNED],
                )
                | Q(joined_at__isnull=False),
                name="partner_approved_has_joined_at",
            ),
        ]
        indexes = [models.Index(fields=["owner", "status"], name="partner_owner_status_idx")]

    def __str__(self):
        return self.name

    @property
    def profile_missing(self) -> list[str]:
        """The profile fields still empty (the profile is complete when this is empty)."""
        return [name for name in self.PROFILE_FIELDS if not getattr(self, name)]

    def clean(self):
        if self.tier_id and self.program_id and self.tier.program_id != self.program_id:
            raise ValidationError({"tier": gettext_lazy("This tier belongs to another program.")})


class PartnerMembership(models.Model):
    """A user's place in one partner organization. A partner user belongs to exactly one partner."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=MemberRole.choices, default=MemberRole.USER)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["partner", "user__email"]

    def __str__(self):
        return f"{self.user} @ {self.partner} ({self.get_role_display()})"

    @property
    def is_admin(self) -> bool:
        return self.role == MemberRole.ADMIN


class PartnerInvitation(models.Model):
    """An emailed invitation to join a partner's team. Only a hash of the token is stored."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    # The invitee's name when the inviter knows it (an import): shown instead of the address and
    # given to the account at sign-up when the person leaves their own name empty.
    full_name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=10, choices=MemberRole.choices, default=MemberRole.USER)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # At most one open invitation per partner and address; re-inviting replaces it.
            models.UniqueConstraint(
                fields=["partner", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
        ]

    def __str__(self):
        return f"{self.display_name} → {self.partner}"

    @property
    def display_name(self) -> str:
        return self.full_name.strip() or self.email

    @property
    def is_open(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


class PartnerImport(models.Model):
    """One uploaded file of partners and their users (``partners.imports``): first checked (the
    dry run: per-row errors and what would be created or updated), then applied on request.
    Both passes run as a Celery task that counts its progress here; the page polls it.

    Counts are of partners (distinct domains) except ``total_rows``/``processed_rows`` (data
    rows of the file) and ``error_rows``; ``errors`` keeps the first ``MAX_ERRORS`` row errors
    and ``changes`` the first ``MAX_CHANGES`` planned creations and updates (bounded, whatever
    the file's size)."""

    MAX_ERRORS = 500
    MAX_CHANGES = 200

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    file = models.FileField(upload_to="partner-imports/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=150)
    file_format = models.CharField(max_length=4)  # csv | xlsx
    stage = models.CharField(
        max_length=10, choices=ImportStage.choices, default=ImportStage.QUEUED, db_index=True
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    users_invited = models.PositiveIntegerField(default=0)
    users_unchanged = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    changes = models.JSONField(default=list, blank=True)
    message = models.CharField(max_length=500, blank=True)  # why a run failed
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.file_name} ({self.get_stage_display()})"

    @property
    def is_running(self) -> bool:
        return self.stage in RUNNING_IMPORT_STAGES

    @property
    def percent(self) -> int:
        if self.stage in (ImportStage.CHECKED, ImportStage.APPLIED):
            return 100
        if not self.total_rows:
            return 0
        return min(100, int(100 * self.processed_rows / self.total_rows))


class SavedPartnerView(models.Model):
    """A saved filter of the vendor staff's partner list: its query string (the list's checked
    parameters, ``partners.list_query``). Shared: every vendor staff member may open it, and it
    shows each of them what they may see (the list runs as the viewer)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_partner_views"
    )
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=2000, blank=True)
    shared = models.BooleanField(
        default=False,
        help_text=gettext_lazy("Other vendor staff can open it from their partner list."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_partner_view_unique_name")
        ]
        indexes = [models.Index(fields=["shared", "name"], name="saved_partner_view_shared_idx")]

    def __str__(self):
        return self.name


class IdentityProvider(models.Model):
    """A company identity provider (OpenID Connect or SAML 2.0) people sign in through (issue 23): a partner's
    own (``partner`` set) or the vendor staff's (``partner`` empty; at most one). It speaks for the
    email domains listed; the endpoint, client id and secret live in the allauth ``SocialApp`` the
    setup service writes beside it (``social_app``; the secret is never shown back), so allauth
    reads its provider from the database like any other. See docs/sso.md."""

    partner = models.OneToOneField(
        Partner,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="identity_provider",
        help_text=gettext_lazy("Empty: the vendor staff's identity provider."),
    )
    name = models.CharField(
        max_length=120, help_text=gettext_lazy("Shown to people when they sign in.")
    )
    # Lower-case domains, one per line; each belongs to one provider (partners.sso checks).
    domains = models.TextField(
        help_text=gettext_lazy("Email domains it signs in for, one per line.")
    )
    sso_required = models.BooleanField(
        "SSO required",
        default=False,
        help_text=gettext_lazy("Refuse password sign-in and password reset for these people."),
    )
    trust_idp_mfa = models.BooleanField(
        "trust the IdP's MFA",
        default=False,
        help_text=gettext_lazy(
            "Vendor staff only: an id token whose amr claim contains mfa, otp or hwk "
            "satisfies the staff two-factor requirement."
        ),
    )
    is_active = models.BooleanField(default=True)
    protocol = models.CharField(
        max_length=8,
        choices=SsoProtocol.choices,
        default=SsoProtocol.OIDC,
        help_text=gettext_lazy("OpenID Connect or SAML 2.0."),
    )
    max_session_hours = models.PositiveSmallIntegerField(
        gettext_lazy("maximum session (hours)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SSO_SESSION_HOURS)],
        help_text=gettext_lazy(
            "A session signed in through this IdP ends after this many hours; empty: the "
            "site's session length."
        ),
    )
    idp_sign_out = models.BooleanField(
        gettext_lazy("sign out of the identity provider too"),
        default=False,
        help_text=gettext_lazy(
            "Signing out of PRM also ends the session at the IdP (OpenID Connect "
            "end_session_endpoint; SAML single logout when the IdP has an SLO URL)."
        ),
    )
    social_app = models.OneToOneField(
        "socialaccount.SocialApp", on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["partner__name", "name"]

    def __str__(self):
        return self.name

    @property
    def for_staff(self) -> bool:
        return self.partner_id is None

    @property
    def domain_list(self) -> list[str]:
        return [d for d in self.domains.split() if d]
