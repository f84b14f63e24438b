import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from partners.choices import MemberRole, PartnerStatus, Region
from partners.models import Offering, Partner, PartnerMembership, PartnerType, Program, Tier


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Program {n}")
    slug = factory.Sequence(lambda n: f"program-{n}")


class TierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tier

    program = factory.SubFactory(ProgramFactory)
    rank = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Tier {n}")


class PartnerTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerType
        django_get_or_create = ("slug",)

    name = "Reseller"
    slug = "reseller"


class OfferingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offering

    name = factory.Sequence(lambda n: f"Offering {n}")
    slug = factory.Sequence(lambda n: f"offering-{n}")
    launched_on = factory.LazyFunction(lambda: timezone.now().date())


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partner {n} Ltd")
    domain = factory.Sequence(lambda n: f"partner{n}.example")
    program = factory.SubFactory(ProgramFactory)
    partner_type = factory.SubFactory(PartnerTypeFactory)
    tier = factory.SubFactory(TierFactory, program=factory.SelfAttribute("..program"), rank=1)
    country = "DE"
    region = Region.EMEA
    status = PartnerStatus.ONBOARDING
    # An applicant has not joined yet (the join moment is its approval).
    joined_at = factory.LazyAttribute(
        lambda o: None if o.status == PartnerStatus.APPLICANT else timezone.now()
    )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerMembership

    user = factory.SubFactory(UserFactory)
    partner = factory.SubFactory(PartnerFactory)
    role = MemberRole.USER
