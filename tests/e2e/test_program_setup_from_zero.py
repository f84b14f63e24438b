"""PRM issue 18, done when: a vendor admin sets up a new program from zero in the browser (partner
type, three tiers with requirements and benefits, an offering, a course with a quiz, a
certification, an agreement, a checklist of five steps), imports 50 partners from a CSV, and one
imported partner's user walks the checklist to activation. No ``/admin/`` URL is ever opened.

The database starts empty but for one vendor admin (not a superuser: the product must not need
Django admin) and one channel manager who owns the imported partners. Everything else is clicked
through the product's own pages, starting from the setup hub."""

import re
import time

import pytest
from django.core import mail

from accounts.choices import VendorRole
from accounts.tests.factories import PASSWORD, ChannelManagerFactory, UserFactory
from enablement.models import Certificate, Certification, Course
from onboarding.choices import StepKind
from onboarding.models import Agreement, ChecklistTemplate, PartnerChecklist
from partners.choices import PartnerStatus
from partners.models import Offering, Partner, PartnerType, Program, Tier, TierBenefit
from tiers.models import TierRequirement

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VIEWPORT = {"width": 1280, "height": 800}
PROGRAM = "Cloud Partner Program"
TYPE = "Managed Service Provider"
TIERS = [  # name, requirement (measure, minimum), benefit (kind, name, amount)
    ("Registered", ("activated", "1"), ("deal_protection_days", "Deal protection", "60")),
    ("Silver", ("won_deals_12m", "3"), ("discount_percent", "Partner discount", "10")),
    ("Gold", ("revenue_12m", "250000"), ("discount_percent", "Partner discount", "20")),
]
COURSE = "Cloud Fundamentals"
CERTIFICATION = "Certified Cloud Seller"
PARTNERS = 50
WALKER = "walker-07"  # the imported partner whose user walks the checklist


def wait_until(check, seconds: float = 20, what: str = "") -> None:
    """Python-side polling (the pages' CSP forbids the eval that ``wait_for_function`` uses)."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def open_area(page, base, label):
    """From the setup hub, follow the card of one setup area."""
    page.goto(f"{base}/manage/setup/")
    with page.expect_navigation():
        page.locator(
            "a.setup-area", has=page.locator("h3", has_text=re.compile(f"^{label}$"))
        ).click()


def click_and_wait(page, locator):
    with page.expect_navigation():
        locator.click()


def save(page, name="Save"):
    click_and_wait(page, page.get_by_role("button", name=name, exact=True))
    assert page.locator(".is-invalid, .invalid-feedback, .alert-danger").count() == 0, (
        page.url,
        page.locator("main").inner_text()[:2000],
    )


def count_card(page, label) -> int:
    """The number on one of the import job's count cards."""
    card = page.locator(".card.h-100", has=page.get_by_text(label, exact=True))
    return int(card.locator(".fs-4").inner_text())


def csv_text(manager_email: str) -> str:
    """50 partners in onboarding, owned by the channel manager, each with its first person: the
    partner's admin (who may accept the agreement on the company's behalf)."""
    lines = [
        "company,domain,program,type,tier,country,region,owner,status,user_email,user_name,user_role"
    ]
    for n in range(1, PARTNERS + 1):
        tier = "Gold" if n > 47 else "Silver" if n > 40 else "Registered"
        lines.append(
            f"Cloud Reseller {n:02d},walker-{n:02d}.example,{PROGRAM},{TYPE},{tier},DE,emea,"
            f"{manager_email},onboarding,owner@walker-{n:02d}.example,Owner {n:02d} Person,admin"
        )
    return "\n".join(lines) + "\n"


def test_a_vendor_admin_sets_up_a_program_from_zero_and_a_partner_activates(
    page, browser, live_server, tmp_path
):
    base = live_server.url
    admin = UserFactory(
        email="ada@vendor.example",
        full_name="Ada Admin",
        vendor_role=VendorRole.ADMIN,
        is_staff=False,
        is_superuser=False,
    )
    manager = ChannelManagerFactory(email="morgan@vendor.example", full_name="Morgan Reyes")
    assert not admin.is_superuser and not admin.is_staff
    for model in (Program, PartnerType, Tier, Offering, Course, Certification, Agreement,
                  ChecklistTemplate, Partner):  # fmt: skip
        assert not model.objects.exists(), model

    requested: list[str] = []
    page.context.on("request", lambda request: requested.append(request.url))

    # --- The vendor admin signs in --------------------------------------------------------------
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", admin.email)
    page.fill("input[name=password]", PASSWORD)
    click_and_wait(page, page.locator("main button[type=submit]"))

    # --- Program ----------------------------------------------------------------------------------
    open_area(page, base, "Programs")
    click_and_wait(page, page.get_by_role("link", name="New program"))
    page.fill("#id_name", PROGRAM)
    page.fill("#id_slug", "cloud")
    page.fill("#id_description", "Resellers and service providers of our cloud platform.")
    if not page.is_checked("#id_is_active"):
        page.check("#id_is_active")
    save(page)
    program = Program.objects.get(name=PROGRAM)
    assert program.is_active

    # --- Partner type ----------------------------------------------------------------------------
    open_area(page, base, "Partner types")
    click_and_wait(page, page.get_by_role("link", name="New partner type"))
    page.fill("#id_name", TYPE)
    page.fill("#id_slug", "msp")
    save(page)
    assert PartnerType.objects.filter(name=TYPE).exists()

    # --- Three tiers, each with a requirement and a benefit --------------------------------------
    for name, (measure, minimum), (kind, benefit, amount) in TIERS:
        open_area(page, base, "Tiers")
        click_and_wait(page, page.get_by_role("link", name="New tier"))
        page.fill("#id_name", name)
        page.fill("#id_description", f"The {name} tier of the cloud program.")
        save(page, "Review impact")
        save(page)
        tier = Tier.objects.get(program=program, name=name)
        section = page.locator(f"section[data-tier='{tier.pk}']")

        click_and_wait(page, section.get_by_role("link", name="Add requirement"))
        page.select_option("#id_metric", measure)  # picked from the registered measures
        page.fill("#id_minimum", minimum)
        save(page, "Review impact")
        save(page)

        section = page.locator(f"section[data-tier='{tier.pk}']")
        click_and_wait(page, section.get_by_role("link", name="Add benefit"))
        page.select_option("#id_kind", kind)
        page.fill("#id_name", benefit)
        page.fill("#id_amount", amount)
        save(page)
    tiers = list(Tier.objects.filter(program=program).order_by("rank"))
    assert [t.name for t in tiers] == ["Registered", "Silver", "Gold"]
    for tier, (_name, (measure, _minimum), (kind, _benefit, _amount)) in zip(
        tiers, TIERS, strict=True
    ):
        assert list(TierRequirement.objects.filter(tier=tier).values_list("metric", flat=True)) == [
            measure
        ]
        assert list(TierBenefit.objects.filter(tier=tier).values_list("kind", flat=True)) == [kind]
    ladder = page.locator("main").inner_text()
    assert "Deal protection" in ladder and "Partner discount" in ladder

    # --- An offering ----------------------------------------------------------------------------
    open_area(page, base, "Offerings")
    click_and_wait(page, page.get_by_role("link", name="New offering"))
    page.fill("#id_name", "Cloud Backup")
    page.fill("#id_slug", "cloud-backup")
    page.select_option("#id_kind", "product")
    page.fill("#id_launched_on", "2026-01-15")
    page.get_by_label(PROGRAM, exact=True).check()
    save(page)
    offering = Offering.objects.get(slug="cloud-backup")
    assert list(offering.programs.all()) == [program]

    # --- A course with two lessons and a quiz, published ------------------------------------------
    open_area(page, base, "Courses")
    click_and_wait(page, page.get_by_role("link", name="New course"))
    page.fill("#id_title", COURSE)
    page.fill("#id_slug", "cloud-fundamentals")
    page.fill("#id_summary", "What our cloud does and how to sell it.")
    page.fill("#id_description", "Start here: **two short lessons** and a quiz.")
    page.fill("#id_estimated_minutes", "20")
    page.get_by_label("Cloud Backup", exact=True).check()
    save(page)
    course = Course.objects.get(slug="cloud-fundamentals")
    for title, body in (
        ("What the cloud platform is", "Our platform **backs up** everything."),
        ("Selling the platform", "Lead with the backup story."),
    ):
        click_and_wait(page, page.get_by_role("link", name="Add a lesson"))
        page.fill("#id_title", title)
        page.fill("#id_body", body)
        save(page)
    click_and_wait(page, page.get_by_role("link", name="Add a quiz"))
    page.fill("#id_title", "Cloud quiz")
    page.fill("#id_pass_mark", "100")
    page.fill("#id_max_attempts", "3")
    save(page)
    assert page.url == f"{base}/learn/setup/courses/{course.pk}/"
    click_and_wait(page, page.get_by_role("link", name="Add a question"))
    page.fill("#id_text", "What does the platform back up?")
    page.select_option("#id_kind", "single")
    page.fill("#id_choices-0-text", "Everything")
    page.check("#id_choices-0-is_correct")
    page.fill("#id_choices-1-text", "Nothing")
    save(page)
    assert page.url == f"{base}/learn/setup/courses/{course.pk}/"
    click_and_wait(page, page.get_by_role("button", name="Publish"))
    course.refresh_from_db()
    assert course.is_published and course.lessons.count() == 2
    assert course.quiz.questions.count() == 1

    # --- A certification earned by the course ------------------------------------------------------
    open_area(page, base, "Certifications")
    click_and_wait(page, page.get_by_role("link", name="New certification"))
    page.fill("#id_name", CERTIFICATION)
    page.fill("#id_slug", "certified-cloud-seller")
    page.get_by_label(COURSE, exact=True).check()
    page.fill("#id_validity_days", "365")
    page.fill("#id_renewal_window_days", "30")
    if not page.is_checked("#id_is_published"):
        page.check("#id_is_published")
    save(page)
    certification = Certification.objects.get(slug="certified-cloud-seller")
    assert list(certification.courses.all()) == [course] and certification.is_published

    # --- The program's agreement, published ----------------------------------------------------
    open_area(page, base, "Agreements")
    click_and_wait(page, page.get_by_role("link", name="New version"))
    page.select_option("#id_program", label=PROGRAM)
    page.fill("#id_version", "2027.1")
    page.fill("#id_title", "Cloud partner agreement")
    page.fill("#id_body", "# Terms\n\nPartners **sell** the cloud platform fairly.")
    save(page)
    click_and_wait(page, page.get_by_role("button", name="Publish now"))  # confirms (fixture)
    agreement = Agreement.objects.get(program=program, version="2027.1")
    assert agreement.is_published

    # --- The checklist: five steps the partner's user completes, published and active ----------
    open_area(page, base, "Checklists")
    click_and_wait(page, page.get_by_role("link", name="New checklist"))
    page.fill("#id_name", "Cloud activation path")
    page.fill("#id_description", "Five steps from signing up to selling.")
    page.select_option("#id_program", label=PROGRAM)
    save(page)
    template = ChecklistTemplate.objects.get(name="Cloud activation path")
    steps = [
        ("Accept the partner agreement", StepKind.AGREEMENT, agreement.pk),
        ("Complete your company profile", StepKind.PROFILE, None),
        (f"Finish {COURSE}", StepKind.COURSE, course.pk),
        (f"Earn {CERTIFICATION}", StepKind.CERTIFICATION, certification.pk),
        ("Upload your reseller certificate", StepKind.DOCUMENT, None),
    ]
    for title, kind, subject in steps:
        click_and_wait(page, page.get_by_role("link", name="Add a step"))
        page.fill("#id_title", title)
        page.select_option("#id_kind", kind)
        if subject is not None:  # picked from the object picker, never typed
            page.select_option("#id_subject_id", f"{kind}:{subject}")
        page.fill("#id_why", f"Why: {title.lower()} gets you selling sooner.")
        save(page, "Save in the draft")
    click_and_wait(page, page.get_by_role("link", name="Review and publish"))
    save(page, "Publish as a new version")
    click_and_wait(page, page.get_by_role("link", name="Edit details"))
    page.check("#id_is_active")
    save(page)
    template.refresh_from_db()
    assert template.is_active and template.program == program
    assert [s.kind for s in template.steps.order_by("position")] == [k for _t, k, _s in steps]

    # --- Import 50 partners from a CSV ---------------------------------------------------------
    mail.outbox.clear()
    upload = tmp_path / "cloud-partners.csv"
    upload.write_text(csv_text(manager.email), encoding="utf-8")
    open_area(page, base, "Partner import")
    page.set_input_files("#id_file", str(upload))
    click_and_wait(page, page.get_by_role("button", name="Check the file"))
    page.wait_for_selector("text=Would create", timeout=30_000)  # the dry run has ended
    assert count_card(page, "Would create") == PARTNERS
    assert count_card(page, "Would invite") == PARTNERS
    assert count_card(page, "Rows with errors") == 0, page.locator("main").inner_text()
    assert Partner.objects.count() == 0  # a dry run writes nothing
    click_and_wait(page, page.get_by_role("button", name="Import"))  # confirms (fixture)
    page.wait_for_selector("text=Partners created", timeout=60_000)
    assert count_card(page, "Partners created") == PARTNERS
    assert count_card(page, "People invited") == PARTNERS
    wait_until(lambda: Partner.objects.filter(program=program).count() == PARTNERS, what="import")
    assert (
        Partner.objects.filter(status=PartnerStatus.ONBOARDING, owner=manager).count() == PARTNERS
    )
    assert Partner.objects.filter(tier__name="Gold").count() == 3
    assert PartnerChecklist.objects.filter(template=template).count() == PARTNERS

    # --- One imported partner's user signs up from the invitation --------------------------------
    walker = Partner.objects.get(domain=f"{WALKER}.example")
    contact_email = f"owner@{WALKER}.example"
    wait_until(lambda: any(contact_email in m.to for m in mail.outbox), what="the invitation")
    invitation = next(m for m in mail.outbox if contact_email in m.to)
    link = re.search(r"https?://\S+/invitations/\S+/", invitation.body).group(0)

    contact_context = browser.new_context(viewport=VIEWPORT)
    contact_context.on("request", lambda request: requested.append(request.url))
    contact = contact_context.new_page()
    contact_errors: list[str] = []
    contact.on("pageerror", lambda exc: contact_errors.append(str(exc)))
    contact.on("dialog", lambda dialog: dialog.accept())
    contact.goto(base + link[link.index("/invitations/") :])
    click_and_wait(contact, contact.get_by_role("button", name="Accept invitation"))
    assert contact.locator("input[name=full_name]").input_value() == "Owner 07 Person"
    contact.fill("input[name=password1]", "cloud-walker-2027")
    contact.fill("input[name=password2]", "cloud-walker-2027")
    click_and_wait(contact, contact.locator("main form button[type=submit]"))
    contact.wait_for_url(f"{base}/portal/")
    assert "Your activation checklist" in contact.content()
    assert "0 of 5 required steps done" in contact.content()

    # 1. the agreement
    contact.goto(f"{base}/portal/onboarding/")
    agreement_step = contact.locator("[data-step]", has_text="Accept the partner agreement")
    click_and_wait(contact, agreement_step.locator("a:has-text('Start')"))
    contact.check("#id_accept")
    click_and_wait(contact, contact.locator("main form button[type=submit]"))
    assert contact.url == f"{base}/portal/onboarding/"

    # 2. the company profile
    profile_step = contact.locator("[data-step]", has_text="Complete your company profile")
    click_and_wait(contact, profile_step.locator("a:has-text('Start')"))
    assert contact.url == f"{base}/portal/onboarding/profile/"
    contact.fill("#id_website", f"https://www.{WALKER}.example")
    contact.fill("#id_phone", "+49 30 555 0107")
    contact.fill("#id_description", "We resell and run the cloud platform for German SMEs.")
    contact.fill("#id_address", "Unter den Linden 7, Berlin")
    click_and_wait(contact, contact.locator("main form button[type=submit]"))

    # 3 and 4. the course (its lessons and the quiz), which earns the certification
    contact.goto(f"{base}/portal/onboarding/")
    course_step = contact.locator("[data-step]", has_text=f"Finish {COURSE}")
    click_and_wait(contact, course_step.locator("a:has-text('Start')"))
    assert contact.url == f"{base}/learn/courses/cloud-fundamentals/"
    click_and_wait(contact, contact.get_by_role("button", name="Start course"))
    assert contact.locator("h1").inner_text() == "What the cloud platform is"
    click_and_wait(contact, contact.locator("#lesson-complete"))
    assert contact.locator("h1").inner_text() == "Selling the platform"
    click_and_wait(contact, contact.locator("#lesson-complete"))
    assert contact.locator("h1").inner_text() == "Cloud quiz"
    contact.get_by_label("Everything", exact=True).check()
    click_and_wait(contact, contact.get_by_role("button", name="Submit answers"))
    assert "Passed with 100%" in contact.locator("h1").inner_text()
    walker_user = walker.memberships.get().user
    assert Certificate.objects.filter(user=walker_user, certification=certification).exists()

    # 5. the document: the last required step activates the partner
    contact.goto(f"{base}/portal/onboarding/")
    items = contact.locator("[data-step]")
    statuses = [items.nth(i).get_attribute("data-status") for i in range(items.count())]
    assert statuses == ["done"] * 4 + ["pending"], statuses
    walker.refresh_from_db()
    assert walker.status == PartnerStatus.ONBOARDING
    document = tmp_path / "reseller-certificate.pdf"
    document.write_bytes(b"%PDF-1.4 reseller certificate")
    document_step = contact.locator("[data-step]", has_text="Upload your reseller certificate")
    document_step.locator("input[type=file]").set_input_files(str(document))
    click_and_wait(contact, document_step.get_by_role("button", name="Upload", exact=True))

    items = contact.locator("[data-step]")
    statuses = [items.nth(i).get_attribute("data-status") for i in range(items.count())]
    assert statuses == ["done"] * 5, statuses
    walker.refresh_from_db()
    assert walker.status == PartnerStatus.ACTIVE and walker.activated_at is not None
    assert Partner.objects.filter(status=PartnerStatus.ACTIVE).count() == 1

    # --- The vendor side shows it ------------------------------------------------------------
    page.goto(f"{base}/manage/partners/{walker.pk}/")
    assert "Active" in page.locator(".page-header").inner_text()
    page.goto(f"{base}/manage/?status=active")
    assert walker.name in page.locator("main").inner_text()

    contact_context.close()
    assert not contact_errors, contact_errors
    assert requested, "no request was recorded"
    assert not [url for url in requested if "/admin/" in url]
