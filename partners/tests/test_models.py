import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from partners.choices import PartnerStatus
from partners.tests.factories import PartnerFactory, ProgramFactory, TierFactory

pytestmark = pytest.mark.django_db


def test_tier_ranks_are_unique_within_a_program_but_not_across_programs():
    one, two = ProgramFactory(), ProgramFactory()
    TierFactory(program=one, rank=1)
    TierFactory(program=two, rank=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        TierFactory(program=one, rank=1)


def test_an_active_partner_must_have_an_activation_date():
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnerFactory(status=PartnerStatus.ACTIVE, activated_at=None)


def test_activation_cannot_precede_joining():
    joined = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnerFactory(
            status=PartnerStatus.ACTIVE,
            joined_at=joined,
            activated_at=joined - timezone.timedelta(days=1),
        )


def test_partner_domains_are_unique_but_blank_is_allowed_many_times():
    PartnerFactory(domain="")
    PartnerFactory(domain="")
    PartnerFactory(domain="same.example")
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnerFactory(domain="same.example")


def test_a_partner_cannot_hold_a_tier_of_another_program():
    partner = PartnerFactory()
    foreign_tier = TierFactory(program=ProgramFactory(), rank=1)
    partner.tier = foreign_tier
    with pytest.raises(ValidationError, match="another program"):
        partner.full_clean()
