"""Staff notices of partners turning at risk (the ``partner.at_risk`` event recorded after the
rollup by metrics.at_risk_store): to the owner alone, or the vendor admins when nobody owns the
partner; the person's preference for the kind applies; partners never see them."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from events.choices import EventKind
from events.selectors import event_list_for_partner
from metrics import at_risk_store
from metrics.tests.test_at_risk_store import NOW, active_on, day
from notifications.choices import PARTNER_TURNED_AT_RISK
from notifications.models import Notification, Preference
from partners.choices import PartnerStatus
from partners.tests.factories import PartnerFactory


@pytest.fixture
def quiet(world):
    """A partner that joined long ago: dormant (at risk) on every day it has no score row."""
    with time_machine.travel(NOW, tick=False):
        yield PartnerFactory(
            name="Quiet Ltd",
            status=PartnerStatus.ACTIVE,
            joined_at=NOW - timedelta(days=400),
            activated_at=NOW - timedelta(days=390),
            owner=world.users["manager_owner"],
        )


def test_the_owner_alone_is_told_and_partners_never_see_it(quiet, world, client_as):
    active_on(quiet, day(0))
    at_risk_store.announce_turned_at_risk(day=day(1))
    owner = world.users["manager_owner"]
    notice = Notification.objects.get(kind=PARTNER_TURNED_AT_RISK)
    assert notice.user == owner
    assert "Quiet Ltd" in notice.title
    assert "Dormant" in notice.body
    assert notice.link == reverse("partners:manager_partner", args=[quiet.pk])
    # the partner's own activity list leaves it out, whoever recorded it
    assert all(
        e.kind != EventKind.PARTNER_AT_RISK for e in event_list_for_partner(partner_id=quiet.pk)
    )
    for persona in ("partner_a_admin", "partner_a_user", "partner_b_admin"):
        page = client_as(persona).get(reverse("notifications:list"))
        assert "Quiet Ltd" not in page.content.decode()
    page = client_as("manager_owner").get(reverse("notifications:list"))
    assert "Quiet Ltd" in page.content.decode()


def test_an_unowned_partner_turning_at_risk_is_told_to_the_vendor_admins(world):
    with time_machine.travel(NOW, tick=False):
        unowned = PartnerFactory(
            name="Nobody's Ltd", status=PartnerStatus.ACTIVE, owner=None,
            joined_at=NOW - timedelta(days=400),
            activated_at=NOW - timedelta(days=390),
        )  # fmt: skip
    active_on(unowned, day(0))
    at_risk_store.announce_turned_at_risk(day=day(1))
    notices = Notification.objects.filter(kind=PARTNER_TURNED_AT_RISK)
    assert [n.user for n in notices] == [world.users["vendor_admin"]]
    assert "no owner" in notices[0].title


@pytest.mark.parametrize(
    ("channel", "in_app", "emailed"),
    [("none", False, False), ("both", True, True), ("in_app", True, False)],
)
def test_the_owners_preference_for_the_kind_applies(
    quiet, world, channel, in_app, emailed, django_capture_on_commit_callbacks
):
    owner = world.users["manager_owner"]
    Preference.objects.create(user=owner, kind=PARTNER_TURNED_AT_RISK, channel=channel)
    active_on(quiet, day(0))
    with django_capture_on_commit_callbacks(execute=True):
        at_risk_store.announce_turned_at_risk(day=day(1))
    assert Notification.objects.filter(user=owner, kind=PARTNER_TURNED_AT_RISK).exists() is in_app
    assert any(m.to == [owner.email] and "Quiet Ltd" in m.subject for m in mail.outbox) is emailed
