"""The personal profile: every signed-in person sets their name, title, phone, time zone and
language; the time zone is applied to every page; names are shown instead of emails."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PROFILE_URL = reverse("profile")


def _profile(**overrides):
    data = {
        "full_name": "Dana Whitfield",
        "job_title": "Partner Sales Lead",
        "phone": "+49 30 1234 5678",
        "time_zone": "Europe/Berlin",
        "language": "de",
    }
    return data | overrides


@pytest.mark.parametrize(
    "persona",
    ["partner_a_admin", "partner_a_user", "manager_owner", "manager_other", "vendor_admin"],
)
def test_every_signed_in_person_can_open_and_save_their_profile(client_as, world, persona):
    client = client_as(persona)
    assert client.get(PROFILE_URL).status_code == 200
    response = client.post(PROFILE_URL, _profile())
    assert response.status_code == 302 and response["Location"] == PROFILE_URL
    user = User.objects.get(pk=world.users[persona].pk)
    assert (user.full_name, user.job_title, user.phone) == (
        "Dana Whitfield",
        "Partner Sales Lead",
        "+49 30 1234 5678",
    )
    assert (user.time_zone, user.language) == ("Europe/Berlin", "de")


def test_anonymous_visitor_is_sent_to_log_in_for_the_profile(client, world):
    response = client.get(PROFILE_URL)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_a_user_without_a_partner_can_still_set_their_name(client, db):
    loner = UserFactory(full_name="")
    client.force_login(loner)
    assert client.post(PROFILE_URL, _profile(full_name="Lee Loner")).status_code == 302
    loner.refresh_from_db()
    assert loner.display_name == "Lee Loner"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phone", "call me maybe"),
        ("phone", "12"),
        ("phone", "+1 555 0100 0100 0100 0100"),
        ("time_zone", "Mars/Olympus_Mons"),
        ("language", "xx-nope"),
        ("full_name", "   "),
    ],
)
def test_bad_profile_input_is_refused_with_400_and_changes_nothing(client_as, world, field, value):
    user = world.users["partner_a_user"]
    before = (user.full_name, user.phone, user.time_zone, user.language)
    response = client_as("partner_a_user").post(PROFILE_URL, _profile(**{field: value}))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    user.refresh_from_db()
    assert (user.full_name, user.phone, user.time_zone, user.language) == before


def test_phone_is_stored_with_spaces_collapsed(client_as, world):
    client_as("partner_a_user").post(PROFILE_URL, _profile(phone="  +1 (555)   010-0199 ext. 12 "))
    assert User.objects.get(pk=world.users["partner_a_user"].pk).phone == (
        "+1 (555) 010-0199 ext. 12"
    )


def test_time_zone_choices_are_real_zones_and_blank_means_the_site_default(client_as, world):
    form = client_as("partner_a_user").get(PROFILE_URL).context["form"]
    zones = [value for value, _ in form.fields["time_zone"].choices]
    assert zones[0] == "" and "Europe/Berlin" in zones and "America/New_York" in zones
    assert "Factory" not in zones and "localtime" not in zones


def test_chosen_time_zone_is_applied_to_rendered_times(client_as, world):
    from deals.tests.factories import make_deal

    user = world.users["partner_a_admin"]
    deal = make_deal(user=user, submit=True)
    type(deal).objects.filter(pk=deal.pk).update(
        submitted_at=datetime(2026, 1, 15, 23, 30, tzinfo=UTC)
    )
    client = client_as("partner_a_admin")
    url = reverse("deals:detail", args=[deal.pk])
    assert "15 Jan 2026 23:30:00 UTC" in client.get(url).content.decode()

    client.post(PROFILE_URL, _profile(time_zone="Asia/Tokyo"))
    page = client.get(url).content.decode()
    assert "16 Jan 2026 08:30:00 JST" in page


def test_an_invalid_stored_time_zone_falls_back_to_the_site_default(client_as, world):
    User.objects.filter(pk=world.users["partner_a_user"].pk).update(time_zone="Gone/Away")
    assert client_as("partner_a_user").get(PROFILE_URL).status_code == 200


def test_user_menu_shows_the_name_and_links_to_the_profile(client_as, world):
    user = world.users["partner_a_user"]
    User.objects.filter(pk=user.pk).update(full_name="Uma User")
    page = client_as("partner_a_user").get(reverse("partners:home")).content.decode()
    menu = page.split('id="user-menu"', 1)[1].split("</ul>", 1)[0]
    assert "Uma User" in menu and f'href="{PROFILE_URL}"' in menu


def test_display_name_falls_back_to_the_email_only_without_a_name(db):
    assert User(email="x@example.com", full_name="  Xena  ").display_name == "Xena"
    assert User(email="x@example.com", full_name="   ").display_name == "x@example.com"
    assert str(User(email="x@example.com", full_name="")) == "x@example.com"


def test_the_api_answers_in_utc_whatever_the_callers_time_zone(client_as, world):
    from deals.tests.factories import make_deal

    deal = make_deal(user=world.users["partner_a_admin"], submit=True)
    type(deal).objects.filter(pk=deal.pk).update(
        submitted_at=datetime(2026, 1, 15, 23, 30, tzinfo=UTC)
    )
    User.objects.filter(pk=world.users["partner_a_admin"].pk).update(time_zone="Asia/Tokyo")
    response = client_as("partner_a_admin").get(f"/api/v1/deals/{deal.pk}/")
    assert response.status_code == 200
    assert response.json()["submitted_at"] == "2026-01-15T23:30:00Z"


def test_profile_service_refuses_an_unknown_zone_and_a_blank_name_and_saves_nothing(world):
    from django.core.exceptions import ValidationError

    from accounts.services import user_profile_update

    user = world.users["partner_a_user"]
    before = (user.full_name, user.time_zone)
    with pytest.raises(ValidationError) as bad_zone:
        user_profile_update(user=user, full_name="Uma", time_zone="Mars/Olympus_Mons")
    assert "time_zone" in bad_zone.value.message_dict
    with pytest.raises(ValidationError) as no_name:
        user_profile_update(user=user, full_name=" \t ", time_zone="Europe/Paris")
    assert "full_name" in no_name.value.message_dict
    user.refresh_from_db()
    assert (user.full_name, user.time_zone) == before
