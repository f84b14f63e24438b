"""Every onboarding route as every persona, the public form's spam traps and validation, the
panels on the homes, and partner B never seeing partner A's onboarding."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from conftest import PERSONAS
from onboarding import services
from onboarding.choices import ApplicationStatus, StepKind
from onboarding.forms import ApplicationForm
from onboarding.models import OnboardingSurvey, PartnerApplication
from onboarding.tests.factories import (
    AgreementFactory,
    ApplicationFactory,
    TemplateStepFactory,
    standard_template,
)
from partners.tests.factories import PartnerTypeFactory
from tests.roles import LOGIN, assert_role_matrix

pytestmark = pytest.mark.django_db

STAFF_ONLY = {
    "anonymous": LOGIN,
    "partner_a_admin": 404,
    "partner_a_user": 404,
    "partner_b_admin": 404,
}
NO_STAFF = {"manager_owner": 404, "manager_other": 404, "vendor_admin": 404}


@pytest.fixture
def checklists(world):
    standard_template(program=world.partner_a.program)
    a = services.checklist_start(partner=world.partner_a)
    b = services.checklist_start(partner=world.partner_b)
    AgreementFactory()
    return a, b


def redirects(response):
    return response.status_code == 302


def test_the_application_form_is_public(client_as):
    assert_role_matrix(client_as, reverse("onboarding:apply"), dict.fromkeys(PERSONAS, 200))
    assert_role_matrix(client_as, reverse("onboarding:apply_thanks"), dict.fromkeys(PERSONAS, 200))


def test_partner_pages_are_for_their_partners_members(client_as, checklists):
    members = {"anonymous": LOGIN, "partner_a_admin": 200, "partner_a_user": 200}
    assert_role_matrix(
        client_as,
        reverse("onboarding:checklist"),
        members | {"partner_b_admin": 200} | NO_STAFF,
    )
    assert_role_matrix(
        client_as,
        reverse("onboarding:agreement"),
        members | {"partner_b_admin": 200} | NO_STAFF,
    )
    admins = {"anonymous": LOGIN, "partner_a_admin": 200, "partner_a_user": 404}
    assert_role_matrix(
        client_as, reverse("onboarding:profile"), admins | {"partner_b_admin": 200} | NO_STAFF
    )
    assert_role_matrix(
        client_as, reverse("onboarding:survey"), admins | {"partner_b_admin": 200} | NO_STAFF
    )


def test_only_partner_a_members_upload_to_partner_a_steps(client_as, checklists):
    step = checklists[0].steps.get(key="tax-form")
    url = reverse("onboarding:document_upload", args=[step.pk])
    for persona, expected in {
        "anonymous": LOGIN,
        "partner_b_admin": 404,
        "manager_owner": 404,
        "vendor_admin": 404,
    }.items():
        response = client_as(persona).post(url, {"file": SimpleUploadedFile("a.pdf", b"%PDF")})
        assert (
            response.status_code == 302 and "/login/" in response["Location"]
            if expected == LOGIN
            else response.status_code == expected
        ), persona
    step.refresh_from_db()
    assert not step.is_done
    response = client_as("partner_a_user").post(url, {"file": SimpleUploadedFile("a.pdf", b"%PDF")})
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.is_done


def test_an_uploaded_document_is_for_its_partner_and_vendor_staff(client_as, checklists, world):
    step = checklists[0].steps.get(key="tax-form")
    document = services.document_upload(
        step=step,
        file=SimpleUploadedFile("w9.pdf", b"%PDF-1.4 A"),
        user=world.users["partner_a_admin"],
    )
    url = reverse("onboarding:document_download", args=[document.pk])
    ok = 200
    assert_role_matrix(
        client_as,
        url,
        {"anonymous": LOGIN, "partner_a_admin": ok, "partner_a_user": ok, "partner_b_admin": 404}
        | {"manager_owner": ok, "manager_other": ok, "vendor_admin": ok},
    )
    response = client_as("manager_owner").get(url)
    assert b"".join(response.streaming_content) == b"%PDF-1.4 A"
    assert "w9.pdf" in response["Content-Disposition"]
    detail = client_as("manager_owner").get(
        reverse("partners:manager_partner", args=[world.partner_a.pk])
    )
    assert url in detail.content.decode()


def test_accepting_the_agreement_is_for_partner_admins(client_as, checklists, world):
    url = reverse("onboarding:agreement")
    assert client_as("partner_a_user").post(url, {"accept": "on"}).status_code == 403
    assert client_as("partner_a_admin").post(url, {}).status_code == 400  # box not ticked
    assert client_as("partner_a_admin").post(url, {"accept": "on"}).status_code == 302
    assert checklists[0].steps.get(key="agreement").is_done
    assert not checklists[1].steps.get(key="agreement").is_done


def test_review_pages_are_for_vendor_staff(client_as, world):
    staff = {"manager_owner": 200, "manager_other": 200, "vendor_admin": 200}
    application = ApplicationFactory()
    assert_role_matrix(client_as, reverse("onboarding:applications"), STAFF_ONLY | staff)
    assert_role_matrix(
        client_as, reverse("onboarding:application", args=[application.pk]), STAFF_ONLY | staff
    )
    assert_role_matrix(client_as, reverse("onboarding:survey_results"), STAFF_ONLY | staff)


def test_approve_and_reject_are_for_vendor_staff(client_as, world):
    application = ApplicationFactory()
    reject = reverse("onboarding:application_reject", args=[application.pk])
    data = {"reason": "Not now"}
    for persona in ("anonymous", "partner_a_admin", "partner_b_admin"):
        client_as(persona).post(reverse("onboarding:application_approve", args=[application.pk]))
        client_as(persona).post(reject, data)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING
    assert client_as("manager_other").post(reject, data).status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED


def test_bad_approval_input_gets_a_message_not_a_500(client_as, world):
    application = ApplicationFactory()
    url = reverse("onboarding:application_approve", args=[application.pk])
    response = client_as("manager_owner").post(url, {"program": "nope", "region": "mars"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    response = client_as("manager_owner").post(
        reverse("onboarding:application_reject", args=[application.pk]), {"reason": ""}
    )
    assert response.status_code == 400 and "This field is required" in response.content.decode()


def test_manager_actions_on_a_partner_are_for_vendor_staff(client_as, checklists, world):
    step = checklists[0].steps.get(key="kickoff")
    verify = reverse("onboarding:step_verify", args=[step.pk])
    owner = reverse("onboarding:owner_reassign", args=[world.partner_a.pk])
    migrate = reverse("onboarding:checklist_migrate", args=[world.partner_a.pk])
    partners = {"anonymous": LOGIN, "partner_a_admin": 404, "partner_a_user": 404}
    for url, data in ((verify, {}), (migrate, {})):
        assert_role_matrix(
            client_as,
            url,
            partners
            | {"partner_b_admin": 404, "manager_owner": redirects, "manager_other": redirects}
            | {"vendor_admin": redirects},
            method="post",
            data=data,
        )
    step.refresh_from_db()
    assert step.is_done
    # Reassigning the owner: the current owner (handing over) and vendor admins only.
    assert_role_matrix(
        client_as,
        owner,
        partners
        | {"partner_b_admin": 404, "manager_owner": redirects, "manager_other": 404}
        | {"vendor_admin": redirects},
        method="post",
        data={"owner": world.users["vendor_admin"].pk},  # the owner hands over first
    )
    world.partner_a.refresh_from_db()
    assert world.partner_a.owner == world.users["vendor_admin"]


def test_manager_cannot_take_over_another_managers_partner(client_as, world):
    from audit.choices import AuditAction
    from audit.models import AuditEntry
    from incentives.permissions import can_manage_partner_funds

    thief, owner = world.users["manager_other"], world.users["manager_owner"]
    url = reverse("onboarding:owner_reassign", args=[world.partner_a.pk])
    response = client_as("manager_other").post(url, {"owner": thief.pk})
    assert response.status_code == 404
    world.partner_a.refresh_from_db()
    assert world.partner_a.owner == owner
    assert not can_manage_partner_funds(thief, world.partner_a)
    assert not AuditEntry.objects.filter(action=AuditAction.PARTNER_OWNER_CHANGED).exists()
    # the partner page offers the reassign form only to who may use it
    page = reverse("partners:manager_partner", args=[world.partner_a.pk])
    assert url not in client_as("manager_other").get(page).content.decode()
    assert url in client_as("manager_owner").get(page).content.decode()
    assert url in client_as("vendor_admin").get(page).content.decode()
    # the vendor admin may; the audit log names who did it, from whom and to whom
    response = client_as("vendor_admin").post(url, {"owner": thief.pk})
    assert response.status_code == 302
    world.partner_a.refresh_from_db()
    assert world.partner_a.owner == thief
    entry = AuditEntry.objects.get(action=AuditAction.PARTNER_OWNER_CHANGED)
    assert entry.actor == world.users["vendor_admin"]
    assert entry.details == {"owner_id": thief.pk, "from_owner_id": owner.pk}


def test_partner_home_shows_the_checklist_panel_with_the_next_step(client_as, checklists):
    body = client_as("partner_a_user").get(reverse("partners:home")).content.decode()
    assert "Your activation checklist" in body and "Why it matters" in body
    assert reverse("onboarding:agreement") in body  # the first step links to its page
    assert "0 of 8 required steps done" in body


def test_manager_home_lists_stalled_partners_with_the_reason(client_as, checklists):
    from django.utils import timezone

    checklist = checklists[0]
    checklist.stalled_reason, checklist.stalled_since = "No progress for 20 days", timezone.now()
    checklist.save()
    body = client_as("manager_owner").get(reverse("partners:manager_home")).content.decode()
    assert "Stalled onboardings" in body and "No progress for 20 days" in body
    other = client_as("manager_other").get(reverse("partners:manager_home")).content.decode()
    assert "No progress for 20 days" not in other  # not their partner


def test_partner_pages_keep_a_bounded_number_of_queries(
    client_as, checklists, django_assert_max_num_queries
):
    client = client_as("partner_a_admin")
    for url in (reverse("partners:home"), reverse("onboarding:checklist")):
        client.get(url)
        with django_assert_max_num_queries(30):
            assert client.get(url).status_code == 200


def test_review_queue_keeps_a_bounded_number_of_queries(
    client_as, world, django_assert_max_num_queries
):
    ApplicationFactory.create_batch(30)
    client = client_as("manager_owner")
    client.get(reverse("onboarding:applications"))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("onboarding:applications")).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("partners:manager_home")).status_code == 200


def test_partner_a_onboarding_never_appears_to_partner_b(client_as, checklists, world):
    sentinel = "SENTINEL-ONBOARDING-A"
    checklists[0].steps.filter(key="kickoff").update(title=sentinel, why=sentinel)
    checklists[0].__class__.objects.filter(pk=checklists[0].pk).update(stalled_reason=sentinel)
    OnboardingSurvey.objects.create(partner=world.partner_a)
    client = client_as("partner_b_admin")
    for url in (
        reverse("partners:home"),
        reverse("onboarding:checklist"),
        reverse("onboarding:agreement"),
        reverse("onboarding:survey"),
        reverse("onboarding:profile"),
    ):
        response = client.get(url)
        assert response.status_code == 200 and sentinel not in response.content.decode(), url
    assert "How was your onboarding" not in client.get(reverse("partners:home")).content.decode()


# --- The public form ---------------------------------------------------------------------------


def form_data(**overrides):
    started = ApplicationForm().initial["started"]
    return {
        "company_name": "Nimbus",
        "website": "nimbus.example",
        "country": "US",
        "partner_type": PartnerTypeFactory().pk,
        "sells": "Cloud",
        "contact_name": "Nia",
        "contact_email": "nia@nimbus.example",
        "heard_from": "search",
        "started": started,
        "fax_number": "",
    } | overrides


@override_settings(PRM_APPLICATION_MIN_FILL_SECONDS=0)
def test_a_person_applies_and_lands_on_the_thank_you_page(client):
    response = client.post(reverse("onboarding:apply"), form_data())
    assert response.status_code == 302 and response["Location"] == reverse(
        "onboarding:apply_thanks"
    )
    application = PartnerApplication.objects.get()
    assert (
        application.domain == "nimbus.example" and application.website == "https://nimbus.example"
    )


@override_settings(PRM_APPLICATION_MIN_FILL_SECONDS=0)
def test_missing_fields_get_clear_messages_and_keep_the_answers(client):
    response = client.post(
        reverse("onboarding:apply"), form_data(contact_email="not-an-email", company_name="")
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Enter a valid email address" in body and "This field is required" in body
    assert 'value="nimbus.example"' in body or "nimbus.example" in body
    assert not PartnerApplication.objects.exists()


@override_settings(PRM_APPLICATION_MIN_FILL_SECONDS=0)
def test_a_filled_honeypot_or_a_forged_start_stores_nothing(client):
    assert client.post(reverse("onboarding:apply"), form_data(fax_number="555")).status_code == 400
    assert client.post(reverse("onboarding:apply"), form_data(started="123")).status_code == 400
    assert not PartnerApplication.objects.exists()


@override_settings(PRM_APPLICATION_MIN_FILL_SECONDS=30)
def test_a_form_sent_faster_than_a_person_types_is_refused(client):
    response = client.post(reverse("onboarding:apply"), form_data())
    assert response.status_code == 400 and "send the form again" in response.content.decode()
    assert not PartnerApplication.objects.exists()


@override_settings(PRM_APPLICATION_MIN_FILL_SECONDS=0, PRM_APPLICATION_RATE_LIMIT="2/1h/ip")
def test_too_many_applications_from_one_address_are_rate_limited(client):
    for n in range(2):
        data = form_data(website=f"n{n}.example", contact_email=f"a{n}@n.example")
        assert client.post(reverse("onboarding:apply"), data).status_code == 302
    response = client.post(reverse("onboarding:apply"), form_data(website="n9.example"))
    assert response.status_code == 429
    assert PartnerApplication.objects.count() == 2


@override_settings(PRM_APPLICATION_MIN_FILL_SECONDS=0)
def test_the_form_does_not_tell_strangers_which_addresses_have_accounts(client, world):
    response = client.post(
        reverse("onboarding:apply"), form_data(contact_email="admin@alpha.example")
    )
    assert response.status_code == 302  # the reviewer learns it when approving (below)
    application = PartnerApplication.objects.get()
    response = client_for(world, "manager_owner").post(
        reverse("onboarding:application_approve", args=[application.pk]),
        {
            "program": world.partner_a.program_id,
            "partner_type": application.partner_type_id,
            "region": "na",
        },
    )
    assert response.status_code == 400 and "already has an account" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING


def client_for(world, persona):
    from django.test import Client

    c = Client()
    c.force_login(world.users[persona])
    return c


def test_a_custom_step_template_without_steps_of_other_kinds_is_fine(world):
    TemplateStepFactory(template__program=world.partner_a.program, kind=StepKind.CUSTOM)
    assert services.checklist_start(partner=world.partner_a).steps.count() == 1


def _step_html(html: str, key: str) -> str:
    start = html.index(f'data-step="{key}"')
    return html[start : html.index("</li>", start)]


def test_course_and_certification_steps_start_at_the_course_they_name(client, world):
    """A step naming a course links to the course's page, one naming a certification to the page
    of its (first) course; a step naming nothing, or a course no longer published, links nowhere
    (the admin may still set a link of their own)."""
    from enablement.tests.factories import CertificationFactory, CourseFactory
    from onboarding.tests.factories import ChecklistTemplateFactory

    course = CourseFactory(title="Widget Basics", slug="widget-basics")
    certification = CertificationFactory(name="Widget Pro", courses=[course])
    template = ChecklistTemplateFactory(program=world.partner_a.program)
    steps = [
        ("course", StepKind.COURSE, str(course.pk)),
        ("certification", StepKind.CERTIFICATION, str(certification.pk)),
        ("any-course", StepKind.COURSE, ""),
    ]
    for position, (key, kind, subject) in enumerate(steps):
        TemplateStepFactory(
            template=template, key=key, kind=kind, subject_id=subject, position=position
        )
    services.checklist_start(partner=world.partner_a, template=template)
    client.force_login(world.users["partner_a_user"])

    html = client.get(reverse("onboarding:checklist")).content.decode()
    course_url = reverse("enablement:course_detail", args=["widget-basics"])
    assert f'href="{course_url}"' in _step_html(html, "course")
    assert f'href="{course_url}"' in _step_html(html, "certification")
    assert "href=" not in _step_html(html, "any-course")

    course.is_published = False
    course.save(update_fields=["is_published"])
    html = client.get(reverse("onboarding:checklist")).content.decode()
    assert "href=" not in _step_html(html, "course")
