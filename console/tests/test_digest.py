"""The weekly digest (console.digest): who gets it when (their own time zone), once per week,
what it says (counts, names, links, the chart) and who never gets it (opted out, no partners)."""

import base64
import io
import re
import urllib.parse
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from PIL import Image

from accounts.tests.factories import ChannelManagerFactory
from console import digest
from console.models import WeeklyDigest
from console.tasks import send_weekly_digests
from deals.tests.factories import make_deal
from kernel.models import OutboundEmail
from kernel.outbox import emails_send
from onboarding.models import PartnerChecklist
from partners.choices import MemberRole, PartnerStatus
from partners.models import Tier
from partners.tests.factories import MembershipFactory, PartnerFactory, ProgramFactory, TierFactory

# Monday 30 November 2026. 00:30 UTC is 09:30 in Tokyo (Monday) and 19:30 on Sunday in New York;
# 13:30 UTC is 22:30 in Tokyo and 08:30 in New York.
MONDAY = date(2026, 11, 30)
TOKYO_MORNING = datetime(2026, 11, 30, 0, 30, tzinfo=UTC)
NEW_YORK_MORNING = datetime(2026, 11, 30, 13, 30, tzinfo=UTC)


def at(moment):
    return time_machine.travel(moment, tick=False)


def digests(user):
    return list(OutboundEmail.objects.filter(template=digest.TEMPLATE, to=[user.email]))


@pytest.fixture
def program(db):
    program = ProgramFactory()
    TierFactory(program=program, rank=1)
    return program


def manager(email, zone="", **extra):
    return ChannelManagerFactory(
        email=email, full_name=extra.pop("name", "Kim Manager"), time_zone=zone, **extra
    )


def owned(owner, program, **extra):
    tier = Tier.objects.get(program=program, rank=1)
    return PartnerFactory(owner=owner, program=program, tier=tier, **extra)


# --- When: each manager's own Monday morning --------------------------------------------------------


def test_a_manager_in_tokyo_and_one_in_new_york_each_get_it_on_their_own_monday_morning(program):
    tokyo = manager("tokyo@vendor.example", "Asia/Tokyo")
    new_york = manager("ny@vendor.example", "America/New_York")
    for user in (tokyo, new_york):
        owned(user, program, joined_at=TOKYO_MORNING - timedelta(days=3))

    with at(TOKYO_MORNING):
        assert [(u, w) for u, w in digest.managers_due()] == [(tokyo, MONDAY)]
        assert send_weekly_digests() == 1
    assert len(digests(tokyo)) == 1
    assert digests(new_york) == []

    with at(NEW_YORK_MORNING):
        assert [(u, w) for u, w in digest.managers_due()] == [(new_york, MONDAY)]
        assert send_weekly_digests() == 1
    assert len(digests(tokyo)) == 1
    assert len(digests(new_york)) == 1


def test_a_blank_time_zone_means_the_sites_and_the_window_is_seven_to_eleven(program, settings):
    settings.TIME_ZONE = "UTC"
    site = manager("site@vendor.example", "")
    owned(site, program)
    for hour, due in ((6, False), (7, True), (10, True), (11, False)):
        moment = datetime(2026, 11, 30, hour, 59 if hour in (6, 10) else 0, tzinfo=UTC)
        assert (digest.digest_week(site, moment) == MONDAY) is due, hour
    assert digest.digest_week(site, datetime(2026, 12, 1, 8, 0, tzinfo=UTC)) is None  # a Tuesday


# --- Once per ISO week --------------------------------------------------------------------------------


def test_the_hourly_task_sends_one_digest_per_manager_and_week(program):
    tokyo = manager("tokyo@vendor.example", "Asia/Tokyo")
    owned(tokyo, program)
    for moment in (TOKYO_MORNING, TOKYO_MORNING, TOKYO_MORNING + timedelta(hours=1)):
        with at(moment):
            send_weekly_digests()
    assert len(digests(tokyo)) == 1
    assert list(WeeklyDigest.objects.values_list("user", "week")) == [(tokyo.pk, MONDAY)]
    # a direct second send of the same week is refused too
    assert digest.digest_send(user=tokyo, week=MONDAY) is None

    with at(TOKYO_MORNING + timedelta(days=7)):
        assert send_weekly_digests() == 1
    assert len(digests(tokyo)) == 2


# --- What it says --------------------------------------------------------------------------------------


@pytest.fixture
def week_of(program, settings):
    """A New York manager's partners around the week Mon 23 - Sun 29 November 2026."""
    settings.PRM_ONBOARDING_STALL_DAYS = 14
    kim = manager("kim@vendor.example", "America/New_York", name="Kim Park")
    other = manager("other@vendor.example", "America/New_York")
    in_week = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    new = [
        owned(kim, program, name=name, joined_at=in_week)
        for name in ("Cobalt Ltd", "Acme Corp", "Birch GmbH")
    ]
    # Sunday 29 Nov 23:30 in New York is Monday 04:30 UTC: still last week for Kim
    late = owned(
        kim, program, name="Delta Late", joined_at=datetime(2026, 11, 30, 4, 30, tzinfo=UTC)
    )
    activated = owned(
        kim,
        program,
        name="Echo Active",
        status=PartnerStatus.ACTIVE,
        joined_at=datetime(2026, 11, 10, tzinfo=UTC),
        activated_at=in_week,
    )
    stalled = owned(kim, program, name="Fox Stalled", joined_at=datetime(2026, 8, 20, tzinfo=UTC))
    PartnerChecklist.objects.create(
        partner=stalled,
        template_name="Onboarding",
        version=1,
        stalled_reason="No step for 20 days",
        stalled_since=datetime(2026, 11, 20, tzinfo=UTC),
    )
    # last week's joiner of another manager, and an earlier joiner of Kim's: not in Kim's week
    owned(other, program, name="Other Manager's", joined_at=in_week)
    owned(kim, program, name="Golf Earlier", joined_at=datetime(2026, 11, 20, tzinfo=UTC))
    member = MembershipFactory(partner=new[0], role=MemberRole.ADMIN).user
    with at(datetime(2026, 11, 26, tzinfo=UTC)):
        make_deal(user=member, submit=True, customer_name="Zenith Bank")
        make_deal(user=member, submit=False, customer_name="Draft Customer")
    return kim, [*new, late], activated, stalled


def test_the_digest_counts_and_names_match_the_data_with_links_to_the_lists(week_of):
    kim, new, _activated, _stalled = week_of
    with at(NEW_YORK_MORNING):
        assert send_weekly_digests() == 2  # Kim and the other New York manager
        built = digest.build_digest(user=kim, week=MONDAY)
    counts = {s.key: s.count for s in built.sections}
    assert counts == {"new": 4, "activated": 1, "at_risk": 1, "stalled": 1, "deals": 1}
    names = {s.key: s.names for s in built.sections}
    assert names["new"] == ["Acme Corp", "Birch GmbH", "Cobalt Ltd", "Delta Late"]
    assert names["activated"] == ["Echo Active"]
    assert names["at_risk"] == ["Fox Stalled"]
    assert names["stalled"] == ["Fox Stalled"]
    assert names["deals"] == ["Zenith Bank (from Cobalt Ltd)"]

    (email,) = digests(kim)
    assert email.subject.endswith("Your partners this week (Nov 23 - Nov 29)")
    assert "Hello Kim," in email.body
    for name in ("Acme Corp", "Delta Late", "Echo Active", "Fox Stalled", "Zenith Bank"):
        assert name in email.body and name in email.html
    assert "Other Manager's" not in email.body and "Golf Earlier" not in email.body
    assert "Draft Customer" not in email.body
    assert "@" not in email.body.replace(email.to[0], "")  # people and partners by name
    assert "New partners: 4" in email.body and "Deals awaiting review: 1" in email.body

    urls = set(re.findall(r"https?://\S+", email.body))
    queries = {(urllib.parse.urlsplit(url).path, urllib.parse.urlsplit(url).query) for url in urls}
    home, deals = reverse("partners:manager_home"), reverse("deals:manager_list")
    assert (home, "scope=mine&joined_from=2026-11-23&joined_to=2026-11-29") in queries
    assert (home, "scope=mine&status=active") in queries
    assert (home, "scope=mine&at_risk=1") in queries
    assert (home, "scope=mine&status=onboarding&at_risk=1") in queries
    assert (deals, "scope=mine&status=submitted") in queries
    assert reverse("profile") in email.body  # where to opt out
    assert reverse("partners:manager_partner", args=[new[1].pk]) in email.html


def test_the_chart_counts_eight_local_weeks_and_is_a_png_in_the_html_part(week_of):
    kim, _new, _activated, _stalled = week_of
    with at(NEW_YORK_MORNING):
        built = digest.build_digest(user=kim, week=MONDAY)
        send_weekly_digests()
    assert [monday for monday, _n, _a in built.chart] == [
        MONDAY - timedelta(days=7 * k) for k in range(8, 0, -1)
    ]
    by_week = {monday: (new, act) for monday, new, act in built.chart}
    assert by_week[date(2026, 11, 23)] == (4, 1)  # the four joiners, Echo's activation
    assert by_week[date(2026, 11, 16)] == (1, 0)  # Golf Earlier
    assert by_week[date(2026, 11, 9)] == (1, 0)  # Echo joined
    assert sum(new for _m, new, _a in built.chart) == 6  # Fox joined in August: out of the chart

    (email,) = digests(kim)
    encoded = re.search(r'src="data:image/png;base64,([^"]+)"', email.html).group(1)
    image = Image.open(io.BytesIO(base64.b64decode(encoded)))
    assert image.format == "PNG" and image.size == (1120, 440)  # twice the 560 px it is shown at
    assert "23 Nov: 4 new, 1 activated" in email.body  # the chart's numbers in the text part


def test_the_html_alternative_is_sent_with_the_text_body(week_of, mailoutbox):
    kim, *_rest = week_of
    with at(NEW_YORK_MORNING):
        send_weekly_digests()
    emails_send(email_ids=[e.pk for e in digests(kim)])
    (message,) = mailoutbox
    assert message.to == [kim.email]
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html" and "data:image/png;base64," in html
    assert "New partners: 4" in message.body


# --- Who never gets it -------------------------------------------------------------------------------


def test_a_manager_who_opted_out_gets_no_digest(program):
    quiet = manager("quiet@vendor.example", "Asia/Tokyo", weekly_digest=False)
    owned(quiet, program)
    with at(TOKYO_MORNING):
        assert send_weekly_digests() == 0
    assert digests(quiet) == []


def test_a_manager_without_partners_gets_no_digest(program):
    none = manager("none@vendor.example", "Asia/Tokyo")
    gone = manager("gone@vendor.example", "Asia/Tokyo")
    owned(gone, program, status=PartnerStatus.CHURNED, joined_at=None)
    with at(TOKYO_MORNING):
        assert digest.managers_due() == []
        assert send_weekly_digests() == 0
        assert digest.digest_send(user=none, week=MONDAY) is None
    assert not OutboundEmail.objects.filter(template=digest.TEMPLATE).exists()
    assert not WeeklyDigest.objects.exists()


def test_partner_users_and_inactive_staff_get_no_digest(program):
    member = MembershipFactory(partner=owned(None, program)).user
    member.time_zone = "Asia/Tokyo"
    member.save()
    left = manager("left@vendor.example", "Asia/Tokyo", is_active=False)
    owned(left, program)
    with at(TOKYO_MORNING):
        assert send_weekly_digests() == 0


# --- The opt-out in the profile --------------------------------------------------------------------------


def test_a_channel_manager_turns_the_digest_off_in_the_profile(client, program):
    kim = manager("kim@vendor.example", name="Kim Park")
    client.force_login(kim)
    page = client.get(reverse("profile"))
    assert b'name="weekly_digest"' in page.content
    response = client.post(reverse("profile"), {"full_name": "Kim Park"})
    assert response.status_code == 302
    kim.refresh_from_db()
    assert kim.weekly_digest is False
    client.post(reverse("profile"), {"full_name": "Kim Park", "weekly_digest": "on"})
    kim.refresh_from_db()
    assert kim.weekly_digest is True


def test_a_partner_user_has_no_digest_setting_and_saving_keeps_it(client, program):
    member = MembershipFactory(partner=owned(None, program)).user
    client.force_login(member)
    assert b'name="weekly_digest"' not in client.get(reverse("profile")).content
    client.post(reverse("profile"), {"full_name": "Pat Partner"})
    member.refresh_from_db()
    assert member.full_name == "Pat Partner" and member.weekly_digest is True


def test_building_a_digest_takes_a_bounded_number_of_queries(
    week_of, program, django_assert_max_num_queries
):
    kim, *_rest = week_of
    for index in range(30):
        owned(kim, program, name=f"Bulk {index}", joined_at=datetime(2026, 11, 24, tzinfo=UTC))
    with at(NEW_YORK_MORNING), django_assert_max_num_queries(30):
        built = digest.build_digest(user=kim, week=MONDAY)
    assert built.sections[0].count == 34 and len(built.sections[0].names) == digest.FIRST_FEW
    assert built.sections[0].more == 34 - digest.FIRST_FEW


def test_vendor_admins_see_the_sent_digests_read_only_in_the_admin(client, program):
    from accounts.tests.factories import VendorAdminFactory

    tokyo = manager("tokyo@vendor.example", "Asia/Tokyo", name="Tomo Tanaka")
    owned(tokyo, program)
    with at(TOKYO_MORNING):
        send_weekly_digests()
    client.force_login(VendorAdminFactory())
    page = client.get(reverse("admin:console_weeklydigest_changelist"))
    assert page.status_code == 200 and b"Tomo Tanaka" in page.content
    assert client.get(reverse("admin:console_weeklydigest_add")).status_code == 403
