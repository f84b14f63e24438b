"""The whole recruitment path in a browser: apply → a channel manager approves → the invited contact
sets a password → works through every checklist step (two of them completed by events that other
apps record) → the partner is active, and the manager sees it."""

import re

import pytest
from django.core import mail

from accounts.tests.factories import PASSWORD, ChannelManagerFactory
from events.services import record_event
from events.tests.payloads import payload
from onboarding.choices import StepKind
from onboarding.tests.factories import AgreementFactory, TemplateStepFactory
from partners.choices import Region
from partners.models import Partner
from partners.tests.factories import PartnerTypeFactory, ProgramFactory, TierFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CONTACT = "nia@nimbus.example"


@pytest.fixture
def program(settings):
    settings.PRM_APPLICATION_MIN_FILL_SECONDS = 0
    program = ProgramFactory(name="Global Partner Program", slug="global")
    TierFactory(program=program, rank=1, name="Registered")
    PartnerTypeFactory(name="Integrator", slug="integrator")
    steps = [
        ("agreement", StepKind.AGREEMENT, "Accept the partner agreement", {}),
        ("profile", StepKind.PROFILE, "Complete your company profile", {}),
        ("course", StepKind.COURSE, "Finish Sales Basics", {"subject_id": "41"}),
        ("first-deal", StepKind.FIRST_DEAL, "Register your first deal", {}),
        ("tax-form", StepKind.DOCUMENT, "Upload your tax form", {}),
        ("kickoff", StepKind.CUSTOM, "Kick-off call with your manager", {}),
    ]
    template = TemplateStepFactory(
        template__name="Integrator path", template__program=program, key="_"
    ).template
    template.steps.all().delete()
    for position, (key, kind, title, extra) in enumerate(steps):
        TemplateStepFactory(
            template=template,
            key=key,
            kind=kind,
            title=title,
            position=position,
            why=f"Why: {title.lower()} helps you sell.",
            **extra,
        )
    AgreementFactory(version="2026.1", body="Be excellent to customers.")
    return program


def log_in(page, base, email, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_applicant_becomes_an_active_partner(page, browser, live_server, program, tmp_path):
    base = live_server.url
    manager = ChannelManagerFactory(email="morgan@vendor.example", full_name="Morgan Reyes")
    from onboarding.models import OwnerRule

    OwnerRule.objects.create(region=Region.NORTH_AMERICA, manager=manager)

    # 1. An anonymous visitor applies.
    page.goto(f"{base}/")
    page.goto(f"{base}/apply/")
    page.fill("#id_company_name", "Nimbus Integrators")
    page.fill("#id_website", "https://www.nimbus.example")
    page.select_option("#id_country", "US")
    page.select_option("#id_partner_type", label="Integrator")
    page.fill("#id_sells", "Cloud integration and managed services")
    page.fill("#id_contact_name", "Nia Nimbus")
    page.fill("#id_contact_email", CONTACT)
    page.select_option("#id_heard_from", "event")
    page.click("#application-form button[type=submit]")
    page.wait_for_url(f"{base}/apply/thanks/")
    assert "we received your application" in page.content()

    # 2. The channel manager reviews and approves it.
    log_in(page, base, manager.email, PASSWORD)
    page.click("nav a:has-text('Applications')")
    page.click("a:has-text('Nimbus Integrators')")
    assert page.locator("#id_region").input_value() == Region.NORTH_AMERICA
    page.click("#approve-form button[type=submit]")
    page.wait_for_url(re.compile(r"/manage/partners/\d+/$"))
    assert "is approved" in page.content()
    partner = Partner.objects.get(domain="nimbus.example")
    assert partner.status == "onboarding" and partner.owner == manager

    # 3. The invited contact sets a password (a fresh browser: nobody is logged in).
    invitation = next(m for m in mail.outbox if CONTACT in m.to and "invited" in m.subject)
    link = re.search(r"https?://\S+/invitations/\S+/", invitation.body).group(0)
    contact_context = browser.new_context(viewport={"width": 1280, "height": 800})
    contact = contact_context.new_page()
    contact.goto(base + link[link.index("/invitations/") :])
    contact.click("button:has-text('Accept invitation')")
    contact.wait_for_url(re.compile(r"/accounts/signup/"))
    contact.fill("input[name=full_name]", "Nia Nimbus")
    contact.fill("input[name=password1]", "nimbus-clouds-2026")
    contact.fill("input[name=password2]", "nimbus-clouds-2026")
    contact.click("main form button[type=submit]")
    # signing up logs the contact in and lands on the portal home (waits for its load event)
    contact.wait_for_url(f"{base}/portal/")
    assert "Your activation checklist" in contact.content()
    assert "0 of 6 required steps done" in contact.content()

    # 4. The checklist, step by step, from the "Next step" link on the home page.
    contact.click("[data-testid=next-step] a:has-text('Start')")
    contact.wait_for_url(f"{base}/portal/onboarding/agreement/")
    contact.check("#id_accept")
    contact.click("main form button[type=submit]")
    contact.wait_for_url(f"{base}/portal/onboarding/")

    contact.goto(f"{base}/portal/")
    contact.click("[data-testid=next-step] a:has-text('Start')")
    contact.wait_for_url(f"{base}/portal/onboarding/profile/")
    assert contact.locator("#id_website").input_value() == "https://www.nimbus.example"
    contact.fill("#id_phone", "+1 415 555 0100")
    contact.fill("#id_address", "1 Market Street, San Francisco")
    contact.click("main form button[type=submit]")
    contact.wait_for_url(f"{base}/portal/onboarding/")

    # Two steps complete from events recorded by other apps (training and deal registration).
    from accounts.models import User

    nia = User.objects.get(email=CONTACT)
    record_event(
        kind="course.completed",
        key="e2e-course",
        user=nia,
        properties=payload("course.completed", {"course": 41}),
    )
    record_event(
        kind="deal.submitted",
        key="e2e-deal",
        user=nia,
        properties=payload("deal.submitted", {"deal": 1}),
    )

    document = tmp_path / "w9.pdf"
    document.write_bytes(b"%PDF-1.4 tax form")
    contact.goto(f"{base}/portal/onboarding/")
    contact.set_input_files("[data-step=tax-form] input[type=file]", str(document))
    contact.click("[data-step=tax-form] button:has-text('Upload')")
    contact.wait_for_load_state("networkidle")
    for key in ("agreement", "profile", "course", "first-deal", "tax-form"):
        assert contact.get_attribute(f"[data-step={key}]", "data-status") == "done", key
    assert contact.get_attribute("[data-step=kickoff]", "data-status") == "pending"
    partner.refresh_from_db()
    assert partner.status == "onboarding"

    # 5. The manager verifies the kick-off call: the last required step activates the partner.
    page.goto(f"{base}/manage/partners/{partner.pk}/")
    page.click("[data-step=kickoff] button:has-text('Verify')")
    page.wait_for_load_state("networkidle")
    partner.refresh_from_db()
    assert partner.status == "active" and partner.activated_at is not None
    assert "Active" in page.locator(".page-header").inner_text()
    page.goto(f"{base}/manage/?scope=mine&status=active")
    assert "Nimbus Integrators" in page.content()
    assert any(manager.email in m.to and "active partner" in m.subject for m in mail.outbox)

    # 6. The partner sees it too, and is asked about the onboarding.
    contact.goto(f"{base}/portal/")
    assert "How was your onboarding?" in contact.content()
    contact.click("a:has-text('Answer the survey')")
    contact.check("#id_csat_4")
    contact.check("#id_nps_9")
    contact.fill("#id_comment", "Smooth start.")
    contact.click("main form button[type=submit]")
    contact.wait_for_url(f"{base}/portal/")
    assert "Thank you for your feedback" in contact.content()
    contact_context.close()
