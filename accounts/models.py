from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.choices import TokenScope, VendorRole
from accounts.profile import validate_language, validate_phone, validate_time_zone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True, vendor_role=VendorRole.ADMIN)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in. The email address is the login; there is no username."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    job_title = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=40, blank=True, validators=[validate_phone])
    # Blank means the site's TIME_ZONE; applied to every page by accounts.middleware.
    time_zone = models.CharField(max_length=64, blank=True, validators=[validate_time_zone])
    # Stored for the translation work to come; blank means the site's LANGUAGE_CODE.
    language = models.CharField(max_length=15, blank=True, validators=[validate_language])
    # Vendor staff who own partners get a weekly digest email (console.digest) unless they opt out.
    weekly_digest = models.BooleanField(
        "weekly digest",
        default=True,
        help_text=gettext_lazy("Email me a summary of my partners every Monday morning."),
    )
    vendor_role = models.CharField(
        max_length=20, choices=VendorRole.choices, default=VendorRole.NONE, blank=True
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text=gettext_lazy("Can log into the Django admin (vendor admins).")
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        indexes = [
            # Vendor staff lists (owner pickers on the dashboard and partner pages) read the few
            # staff rows among every partner user: a seq scan of 48k users took 20 ms.
            # (A partial index WHERE vendor_role <> '' is not used for vendor_role IN (...).)
            models.Index(fields=["vendor_role"], name="user_vendor_role_idx")
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        """How the person is shown to others: their name, or their email only when they have
        not given one. Every page, email and export names people through this."""
        return self.full_name.strip() or self.email

    def get_full_name(self):
        return self.display_name

    def get_short_name(self):
        name = self.full_name.strip()
        return name.split(" ")[0] if name else self.email.split("@")[0]

    @property
    def is_vendor_admin(self) -> bool:
        return self.is_active and (self.vendor_role == VendorRole.ADMIN or self.is_superuser)

    @property
    def is_channel_manager(self) -> bool:
        """Channel managers and vendor admins both see the vendor side of the portal."""
        return self.is_active and (
            self.vendor_role == VendorRole.CHANNEL_MANAGER or self.is_vendor_admin
        )


class ApiToken(models.Model):
    """A personal API token. The secret is shown once at creation; only its SHA-256 is stored,
    found by a short public prefix (so authenticating is one indexed lookup, never a scan)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    scope = models.CharField(max_length=10, choices=TokenScope.choices, default=TokenScope.READ)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def can_write(self) -> bool:
        return self.scope == TokenScope.WRITE
