import factory
from allauth.account.models import EmailAddress

from accounts.choices import VendorRole
from accounts.models import User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        """allauth requires a verified address to log in (mandatory verification)."""
        if not create:
            return
        self.save()  # persists the password set just before
        if extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class ChannelManagerFactory(UserFactory):
    vendor_role = VendorRole.CHANNEL_MANAGER


class VendorAdminFactory(UserFactory):
    vendor_role = VendorRole.ADMIN
    is_staff = True
    is_superuser = True
