import pytest

from customers import services
from customers.models import SeatLicense
from customers.tests.factories import account
from events.models import Event
from partners.tests.factories import OfferingFactory

pytestmark = pytest.mark.django_db


def test_creating_an_account_records_one_event(world):
    created = account(world.partner_a, "ACME-1")
    events = Event.objects.filter(kind="customer.account_created")
    assert [(e.partner_id, e.subject_id) for e in events] == [(world.partner_a.pk, str(created.pk))]


def test_the_same_external_id_twice_for_one_partner_is_refused_with_a_reason(world):
    account(world.partner_a, "ACME-1")
    with pytest.raises(services.CustomerError, match="already has"):
        account(world.partner_a, "ACME-1")
    account(world.partner_b, "ACME-1")  # another partner may use the same id


def test_setting_seats_twice_keeps_one_license_and_records_each_change_once(world):
    acme = account(world.partner_a, "ACME-1")
    services.seat_license_set(account=acme, seats=10)
    services.seat_license_set(account=acme, seats=10)  # no change, no event
    services.seat_license_set(account=acme, seats=25)
    assert list(SeatLicense.objects.values_list("seats", flat=True)) == [25]
    changes = Event.objects.filter(kind="customer.seats_changed").order_by("id")
    assert [(e.properties["before"], e.properties["seats"]) for e in changes] == [
        (None, 10),
        (10, 25),
    ]


def test_seats_per_offering_are_separate_licenses(world):
    acme = account(world.partner_a, "ACME-1", seats=10)
    services.seat_license_set(account=acme, seats=5, offering=OfferingFactory())
    assert sorted(SeatLicense.objects.values_list("seats", flat=True)) == [5, 10]


def test_negative_or_absurd_seat_numbers_are_refused(world):
    acme = account(world.partner_a, "ACME-1")
    for seats in (-1, services.MAX_SEATS + 1):
        with pytest.raises(services.CustomerError):
            services.seat_license_set(account=acme, seats=seats)
    assert not SeatLicense.objects.exists()
