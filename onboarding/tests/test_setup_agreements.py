"""Agreement versions per program: which version a partner accepts, the setup services' rules
(immutable once published, unique version per program, sane publish dates, no delete once
accepted), their audit trail, and the setup pages for every role."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.choices import AuditAction
from audit.models import AuditEntry
from onboarding import selectors, services
from onboarding.choices import StepKind
from onboarding.models import Agreement, AgreementAcceptance
from onboarding.services import setup
from onboarding.tests.factories import AgreementFactory, ChecklistTemplateFactory
from partners.tests.factories import ProgramFactory
from tests.roles import LOGIN, assert_role_matrix

pytestmark = pytest.mark.django_db

PARTNERS_404 = {"partner_a_admin": 404, "partner_a_user": 404, "partner_b_admin": 404}


def _ago(days=0, **kw):
    return timezone.now() - timedelta(days=days, **kw)


def _create(actor, **overrides):
    data = {
        "program": None,
        "version": "2027.1",
        "title": "Partner agreement",
        "body": "# Terms\n\nBe excellent.",
        "published_at": None,
    } | overrides
    return setup.agreement_create(actor=actor, **data)


def _setup_entries(obj=None, *, pk=None):
    return AuditEntry.objects.filter(
        action=AuditAction.SETUP_CHANGE, target_id=str(pk or obj.pk)
    ).order_by("id")


# --- Which version a partner accepts ----------------------------------------------------------


def test_a_partner_gets_its_programs_newest_published_version(world):
    program = world.partner_a.program
    AgreementFactory(program=None, version="all-new", published_at=_ago(1))
    AgreementFactory(program=program, version="p-old", published_at=_ago(30))
    own = AgreementFactory(program=program, version="p-new", published_at=_ago(2))
    AgreementFactory(program=program, version="p-draft", published_at=None)
    AgreementFactory(program=program, version="p-later", published_at=_ago(-3))
    AgreementFactory(program=ProgramFactory(), version="other", published_at=_ago(0, minutes=1))

    assert selectors.agreement_for_partner(partner=world.partner_a) == own


def test_without_its_own_a_partner_falls_back_to_the_every_program_version(world):
    every = AgreementFactory(program=None, version="1", published_at=_ago(5))
    AgreementFactory(program=None, version="2-draft", published_at=None)
    AgreementFactory(program=ProgramFactory(), version="other", published_at=_ago(1))
    AgreementFactory(program=world.partner_a.program, version="mine-later", published_at=_ago(-1))

    assert selectors.agreement_for_partner(partner=world.partner_a) == every


def test_nothing_published_means_no_agreement(world):
    AgreementFactory(program=None, version="draft", published_at=None)
    assert selectors.agreement_for_partner(partner=world.partner_a) is None


def test_the_partner_page_shows_its_version_as_safe_markdown(client_as, world):
    AgreementFactory(program=None, version="every", body="Every program", published_at=_ago(3))
    AgreementFactory(
        program=world.partner_a.program,
        version="own",
        body="## Our terms\n\n<script>alert(1)</script>[x](javascript:alert(1))",
        published_at=_ago(1),
    )
    body = client_as("partner_a_user").get(reverse("onboarding:agreement")).content.decode()
    assert "<h2>Our terms</h2>" in body and "version own" in body
    assert "<script>alert(1)" not in body and "javascript:alert" not in body
    assert "Every program" not in body


def test_accepting_a_version_that_was_replaced_meanwhile_is_refused(client_as, world):
    old = AgreementFactory(program=None, version="1", published_at=_ago(3))
    AgreementFactory(program=world.partner_a.program, version="2", published_at=_ago(0, seconds=5))
    client = client_as("partner_a_admin")
    response = client.post(reverse("onboarding:agreement"), {"accept": "on", "agreement": old.pk})
    assert response.status_code == 409
    assert not AgreementAcceptance.objects.exists()

    current = selectors.agreement_for_partner(partner=world.partner_a)
    response = client.post(
        reverse("onboarding:agreement"), {"accept": "on", "agreement": current.pk}
    )
    assert response.status_code == 302
    assert AgreementAcceptance.objects.get().agreement == current


# --- Services -------------------------------------------------------------------------------


def test_creating_a_version_is_audited_with_its_fields(world):
    admin = world.users["vendor_admin"]
    program = world.partner_a.program
    agreement = _create(admin, program=program, published_at=timezone.now())
    assert agreement.is_published and agreement.program == program
    entry = _setup_entries(agreement).get()
    assert entry.actor == admin and entry.details["flag"] == "added"
    assert entry.details["after"]["version"] == "2027.1"
    assert entry.details["after"]["program"] == program.name


def test_a_version_label_is_unique_per_program(world):
    admin = world.users["vendor_admin"]
    program = world.partner_a.program
    _create(admin, program=program)
    _create(admin, program=None)  # the every-program agreement has its own labels
    _create(admin, program=ProgramFactory())
    with pytest.raises(ValidationError) as exc:
        _create(admin, program=program, version=" 2027.1 ")
    assert "version" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _create(admin, program=None)
    assert "version" in exc.value.message_dict


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("version", {"version": "  "}),
        ("version", {"version": "x" * 21}),
        ("title", {"title": ""}),
        ("body", {"body": "   "}),
        ("body", {"body": "x" * (setup.MAX_BODY + 1)}),
        ("published_at", {"published_at": timezone.now() - timedelta(days=1)}),
        ("published_at", {"published_at": timezone.now() + timedelta(days=400)}),
    ],
)
def test_bad_input_is_refused_on_its_field(world, field, overrides):
    with pytest.raises(ValidationError) as exc:
        _create(world.users["vendor_admin"], **overrides)
    assert field in exc.value.message_dict
    assert not Agreement.objects.exists()


def test_a_version_may_be_scheduled_within_a_year(world):
    at = timezone.now() + timedelta(days=300)
    agreement = _create(world.users["vendor_admin"], published_at=at)
    assert agreement.published_at == at and not agreement.is_published


def test_a_published_version_never_changes(world):
    admin = world.users["vendor_admin"]
    agreement = _create(admin, published_at=timezone.now())
    with pytest.raises(ValidationError):
        setup.agreement_update(
            actor=admin, agreement=agreement, program=None, version="2027.1",
            title="Changed", body="Changed", published_at=None,
        )  # fmt: skip
    with pytest.raises(ValidationError):
        setup.agreement_publish(actor=admin, agreement=agreement)
    agreement.refresh_from_db()
    assert agreement.title == "Partner agreement" and agreement.body.startswith("# Terms")


def test_a_draft_is_edited_and_published_with_before_and_after_in_the_audit(world):
    admin = world.users["vendor_admin"]
    agreement = _create(admin)
    setup.agreement_update(
        actor=admin, agreement=agreement, program=None, version="2027.2",
        title="Partner agreement", body="New terms", published_at=None,
    )  # fmt: skip
    setup.agreement_publish(actor=admin, agreement=agreement)
    agreement.refresh_from_db()
    assert agreement.version == "2027.2" and agreement.is_published
    _added, edited, published = _setup_entries(agreement)
    assert edited.details["before"] == {"version": "2027.1", "body": "# Terms\n\nBe excellent."}
    assert edited.details["after"] == {"version": "2027.2", "body": "New terms"}
    assert published.details["before"] == {"published_at": None}
    assert published.details["after"]["published_at"]


def test_a_version_partners_accepted_cannot_be_deleted(world):
    admin = world.users["vendor_admin"]
    agreement = _create(admin, published_at=timezone.now())
    services.agreement_accept(
        partner=world.partner_a, agreement=agreement, user=world.users["partner_a_admin"]
    )
    with pytest.raises(ValidationError) as exc:
        setup.agreement_delete(actor=admin, agreement=agreement)
    assert "accepted by 1 partner" in exc.value.messages[0]
    assert Agreement.objects.filter(pk=agreement.pk).exists()


def test_a_version_a_checklist_step_names_cannot_be_deleted(world):
    admin = world.users["vendor_admin"]
    agreement = _create(admin, published_at=timezone.now())
    template = ChecklistTemplateFactory(name="Standard path")
    template.steps.create(
        key="agreement", position=1, title="Sign it", kind=StepKind.AGREEMENT,
        subject_id=str(agreement.pk),
    )  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        setup.agreement_delete(actor=admin, agreement=agreement)
    assert "Standard path" in exc.value.messages[0]


def test_deleting_an_unused_version_is_audited(world):
    admin = world.users["vendor_admin"]
    agreement = _create(admin)
    pk = agreement.pk
    setup.agreement_delete(actor=admin, agreement=agreement)
    assert not Agreement.objects.filter(pk=pk).exists()
    deleted = _setup_entries(pk=pk).last()
    assert deleted.details["flag"] == "deleted" and deleted.details["before"]["version"] == "2027.1"


# --- Pages ----------------------------------------------------------------------------------


def test_staff_read_the_agreement_pages_and_partners_get_404(client_as, world):
    agreement = AgreementFactory()
    for url in (
        reverse("onboarding:setup_agreements"),
        reverse("onboarding:setup_agreement", args=[agreement.pk]),
    ):
        assert_role_matrix(
            client_as,
            url,
            {"anonymous": LOGIN}
            | PARTNERS_404
            | {"manager_owner": 200, "manager_other": 200, "vendor_admin": 200},
        )


def test_channel_managers_cannot_write_agreements(client_as, world):
    agreement = AgreementFactory(published_at=None)
    manager = client_as("manager_owner")
    data = {"version": "9", "title": "T", "body": "B", "publish": "now"}
    assert manager.get(reverse("onboarding:setup_agreement_create")).status_code == 403
    assert manager.post(reverse("onboarding:setup_agreement_create"), data).status_code == 403
    for name in ("setup_agreement_edit", "setup_agreement_publish", "setup_agreement_delete"):
        assert manager.post(reverse(f"onboarding:{name}", args=[agreement.pk])).status_code == 403
    assert manager.post(reverse("onboarding:setup_agreement_preview"), {"text": "x"}).status_code
    assert Agreement.objects.count() == 1 and Agreement.objects.get().published_at is None
    assert (
        client_as("partner_a_admin")
        .post(reverse("onboarding:setup_agreement_create"), data)
        .status_code
        == 404
    )


def test_a_vendor_admin_writes_a_version_for_a_program_and_publishes_it(client_as, world):
    client = client_as("vendor_admin")
    program = world.partner_a.program
    response = client.post(
        reverse("onboarding:setup_agreement_create"),
        {
            "program": program.pk, "version": "2027.1", "title": "Reseller terms",
            "body": "**Be** excellent.", "publish": "draft",
        },
    )  # fmt: skip
    agreement = Agreement.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "onboarding:setup_agreement", args=[agreement.pk]
    )
    assert agreement.published_at is None
    assert selectors.agreement_for_partner(partner=world.partner_a) is None
    client.post(reverse("onboarding:setup_agreement_publish", args=[agreement.pk]))
    assert selectors.agreement_for_partner(partner=world.partner_a) == agreement
    # published: the edit page sends the admin back, and a POST is refused
    edit = reverse("onboarding:setup_agreement_edit", args=[agreement.pk])
    assert client.get(edit).status_code == 302
    refused = client.post(
        edit, {"version": "2027.1", "title": "X", "body": "Y", "publish": "draft"}
    )
    assert refused.status_code == 400 and "never changes" in refused.content.decode()


def test_the_form_shows_a_duplicate_version_and_a_missing_date_on_their_fields(client_as, world):
    AgreementFactory(program=None, version="1.0")
    client = client_as("vendor_admin")
    url = reverse("onboarding:setup_agreement_create")
    response = client.post(url, {"version": "1.0", "title": "T", "body": "B", "publish": "now"})
    assert response.status_code == 400
    assert response.context["form"].errors["version"]
    response = client.post(url, {"version": "2.0", "title": "T", "body": "B", "publish": "later"})
    assert response.status_code == 400 and response.context["form"].errors["publish_at"]
    assert Agreement.objects.count() == 1


def test_the_preview_renders_sanitised_markdown(client_as, world):
    response = client_as("vendor_admin").post(
        reverse("onboarding:setup_agreement_preview"),
        {"text": "# Title\n<img src=x onerror=alert(1)>"},
    )
    assert response.status_code == 200
    assert "<h1>Title</h1>" in response.content.decode()
    assert "onerror" not in response.content.decode()


def test_the_version_list_shows_acceptances_in_bounded_queries(
    client_as, world, django_assert_max_num_queries
):
    from partners.tests.factories import PartnerFactory

    agreement = AgreementFactory(program=world.partner_a.program, version="own")
    for i in range(12):
        AgreementFactory(program=ProgramFactory(), version=f"v{i}")
        AgreementFactory(program=None, version=f"all-{i}", published_at=None)
    for partner in [world.partner_a, world.partner_b, *PartnerFactory.create_batch(2)]:
        AgreementAcceptance.objects.create(
            partner=partner, agreement=agreement, accepted_by=world.users["partner_a_admin"]
        )
    client = client_as("manager_other")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("onboarding:setup_agreements"))
    assert response.status_code == 200
    assert "4 partners" in response.content.decode()
