"""The demo shows user adoption at customers end to end (issue 16): ``seed_demo`` (small) creates
customer accounts with licensed seats and usage events by their users through the real services
and ingestion, and once the rollup ran, the program dashboard, a partner's page and the partner's
own customers page show non-zero figures that match a plain count from the raw records."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from customers.choices import SUBJECT_TYPE, USER_PROPERTY
from customers.models import CustomerAccount, SeatLicense
from deals.models import Deal
from demo.seed import ACME_DOMAIN
from events.models import Event
from partners.models import Partner

pytestmark = pytest.mark.django_db

FIGURES = re.compile(
    r"(\d+) active users of (\d+) licensed seats across (\d+) customer accounts?; "
    r"(\d+) active on the last day"
)


def figures(client, url: str) -> tuple[int, int, int, int]:
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "No licensed seats recorded" not in page
    found = FIGURES.search(page)
    assert found, "the user-adoption panel shows no figures"
    return tuple(int(n) for n in found.groups())


def naive(partner_ids) -> tuple[int, int]:
    """(distinct active (account, user) pairs in the last 30 days, licensed seats) from the raw
    records: ingested events naming an account, and the seat licenses."""
    today = timezone.now().date()
    accounts = set(
        CustomerAccount.objects.filter(partner_id__in=partner_ids, is_active=True).values_list(
            "pk", flat=True
        )
    )
    active = {
        (int(e.subject_id), e.properties[USER_PROPERTY])
        for e in Event.objects.filter(
            subject_type=SUBJECT_TYPE, day__gte=today - timedelta(days=29), day__lte=today
        )
        if int(e.subject_id) in accounts and e.properties.get(USER_PROPERTY)
    }
    seats = SeatLicense.objects.filter(account__in=accounts).aggregate(n=Sum("seats"))["n"]
    return len(active), seats or 0


@pytest.fixture
def demo(client):
    call_command("seed_demo", partners=40, events=4000, verbosity=0)
    call_command("rollup_metrics", "--full", stdout=StringIO())
    call_command("rollup_user_adoption", stdout=StringIO())
    return client


def test_seeded_demo_shows_non_zero_user_adoption_on_the_dashboard_and_partner_pages(demo):
    client = demo
    # The demo's customers are those of won deals, with the seats each deal sold.
    won = Deal.objects.filter(status="won")
    assert CustomerAccount.objects.count() == won.count() > 0
    assert SeatLicense.objects.aggregate(n=Sum("seats"))["n"] == sum(
        line.quantity for deal in won for line in deal.line_items.all()
    )
    every = list(Partner.objects.values_list("pk", flat=True))

    client.force_login(User.objects.get(email="manager@prm.example"))
    active, seats, accounts, _daily = figures(client, "/manage/dashboard/")
    assert active > 0 and seats > 0 and accounts == CustomerAccount.objects.count()
    assert (active, seats) == naive(every)

    acme = Partner.objects.get(domain=ACME_DOMAIN)
    assert CustomerAccount.objects.filter(partner=acme).exists()
    on_partner_page = figures(client, f"/manage/partners/{acme.pk}/")
    assert on_partner_page[0] > 0 and on_partner_page[:2] == naive([acme.pk])

    client.force_login(User.objects.get(email="partner@acme.example"))
    assert figures(client, "/portal/customers/") == on_partner_page
