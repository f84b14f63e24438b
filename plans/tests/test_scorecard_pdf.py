"""The scorecard PDF for the quarterly review: a real PDF of the scorecard's figures, scoped as the
page is, reading nothing but the static files."""

import datetime
import io
from datetime import UTC

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from partners.choices import PartnerStatus
from partners.tests.factories import PartnerFactory
from plans import periods
from plans.pdf import BASE_URL, StaticFilesFetcher, static_path
from plans.tests.factories import approved_plan
from tiers.tests.tiers_helpers import M, won

pytestmark = pytest.mark.django_db
JOINED = timezone.now() - datetime.timedelta(days=400)


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(body))
    assert len(reader.pages) >= 1
    return " ".join(page.extract_text() for page in reader.pages)


def _plan_with_figures(world):
    today = timezone.localdate()
    period = periods.period_containing(today, quarterly=True)
    approved_plan(partner_admin=world.users["partner_a_admin"], manager=world.users["manager_owner"],
                  partner=world.partner_a, fiscal_year=period.fiscal_year, quarter=period.quarter,
                  goals=[{"measure": M.REVENUE_12M, "target": "98765"},
                         {"measure": M.WON_DEALS_12M, "target": "9"},
                         {"text": "Run a joint webinar"}])  # fmt: skip
    start = datetime.datetime.combine(period.start, datetime.time(12), tzinfo=UTC)
    won(world.partner_a, 4321, closed_at=min(start, timezone.now() - datetime.timedelta(hours=1)))
    return period


def test_the_partner_downloads_its_scorecard_as_a_pdf_with_its_figures(client_as, world):
    period = _plan_with_figures(world)
    peer = PartnerFactory(program=world.partner_a.program, tier=world.partner_a.tier,
                          name="Peer Zanzibar Ltd", status=PartnerStatus.ACTIVE,
                          joined_at=JOINED, activated_at=JOINED)  # fmt: skip

    response = client_as("partner_a_user").get(reverse("plans:scorecard_pdf"))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    slug = world.partner_a.name.lower().replace(" ", "-")
    assert response["Content-Disposition"] == (
        f'attachment; filename="scorecard-{slug}-{period.key}.pdf"'
    )
    text = _text(response)
    assert world.partner_a.name in text
    assert "4321" in text and "98765" in text  # the revenue goal's actual and target
    assert "Run a joint webinar" in text and period.label in text
    assert "Trend over the last four periods" in text and "Tier requirements" in text
    assert "percentile" in text.lower()
    assert peer.name not in text  # peers stay anonymous


def test_the_manager_downloads_any_partners_scorecard_and_partners_only_their_own(client_as, world):
    _plan_with_figures(world)
    url = reverse("plans:manage_scorecard_pdf", args=[world.partner_a.pk])

    manager = client_as("manager_other").get(url)
    assert manager.status_code == 200 and world.partner_a.name in _text(manager)

    assert client_as("partner_b_admin").get(url).status_code == 404
    assert client_as("partner_a_admin").get(url).status_code == 404
    own = client_as("partner_b_admin").get(reverse("plans:scorecard_pdf"))
    text = _text(own)
    assert world.partner_b.name in text and world.partner_a.name not in text
    assert "4321" not in text
    assert client_as("manager_owner").get(reverse("plans:scorecard_pdf")).status_code == 404


def test_the_pdf_holds_a_bounded_number_of_queries(client_as, world, django_assert_max_num_queries):
    _plan_with_figures(world)
    for i in range(6):
        PartnerFactory(program=world.partner_a.program, tier=world.partner_a.tier,
                       name=f"Peer {i}", status=PartnerStatus.ACTIVE,
                       joined_at=JOINED, activated_at=JOINED)  # fmt: skip
    client = client_as("manager_owner")
    # the scorecard's queries (plans, peers, measure families, trend, tier reader) and no more
    with django_assert_max_num_queries(30):
        response = client.get(reverse("plans:manage_scorecard_pdf", args=[world.partner_a.pk]))
    assert response.status_code == 200


def test_the_pdf_reads_static_files_from_disk_and_nothing_else():
    css = static_path(BASE_URL + "static/css/scorecard-pdf.css")
    assert css is not None and css.endswith("scorecard-pdf.css")
    assert static_path("https://example.com/static/css/scorecard-pdf.css") is None
    assert static_path(BASE_URL + "media/uploads/x.css") is None
    assert static_path(BASE_URL + "static/../prm/settings/base.py") is None
    assert static_path(BASE_URL + "static/css/no-such-file.css") is None
    fetcher = StaticFilesFetcher()
    assert b"@page" in fetcher.fetch(BASE_URL + "static/css/scorecard-pdf.css").read()
    with pytest.raises(ValueError):
        fetcher.fetch("https://example.com/tracker.png")
