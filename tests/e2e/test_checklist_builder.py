"""A vendor admin builds a checklist: no builder page is wider than a 390 px phone, and dragging a
step reorders the draft (the up/down buttons do the same without JavaScript)."""

import pytest
from django.urls import reverse

from enablement.tests.factories import CourseFactory
from onboarding import services
from onboarding.choices import StepKind
from onboarding.models import TemplateDraftStep
from onboarding.tests.factories import ChecklistTemplateFactory, TemplateStepFactory
from partners.tests.factories import PartnerFactory
from tests.e2e.conftest import logged_in_context

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _context(browser, live_server, user, viewport):
    return logged_in_context(browser, live_server, user, viewport)


@pytest.fixture
def template(world):
    course = CourseFactory(title="Widget Fundamentals with a rather long title for phones")
    template = ChecklistTemplateFactory(name="Standard activation path for every new partner")
    for position, key in enumerate(["agreement", "course", "kickoff"]):
        TemplateStepFactory(
            template=template,
            key=key,
            title=f"{key.title()} step with a long enough title to wrap on a phone",
            position=position,
            kind=StepKind.COURSE if key == "course" else StepKind.CUSTOM,
            subject_id=str(course.pk) if key == "course" else "",
        )
    services.checklist_start(partner=PartnerFactory(name="Mid-way Partner"), template=template)
    return template


def test_no_builder_page_is_wider_than_a_390px_phone(browser, live_server, world, template):
    paths = [
        reverse("onboarding:setup_checklists"),
        reverse("onboarding:setup_checklist_create"),
        reverse("onboarding:setup_checklist", args=[template.pk]),
        reverse("onboarding:setup_checklist_edit", args=[template.pk]),
        reverse("onboarding:setup_checklist_step_add", args=[template.pk]),
        reverse("onboarding:setup_checklist_step_edit", args=[template.pk, "course"]),
        reverse("onboarding:setup_checklist_migrate", args=[template.pk]),
        reverse("onboarding:setup_checklist_preview") + "?go=1",
    ]
    context = _context(browser, live_server, world.users["vendor_admin"], PHONE)
    page = context.new_page()
    too_wide = {}
    for path in paths:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[path] = width
    context.close()
    assert too_wide == {}


def test_dragging_a_step_reorders_the_draft(browser, live_server, world, template):
    context = _context(
        browser, live_server, world.users["vendor_admin"], {"width": 1280, "height": 800}
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server.url + reverse("onboarding:setup_checklist", args=[template.pk]))
    with page.expect_navigation():
        page.locator("li[data-key='kickoff']").drag_to(page.locator("li[data-key='agreement']"))
    order = TemplateDraftStep.objects.filter(template=template).order_by("position")
    assert list(order.values_list("key", flat=True)) == ["kickoff", "agreement", "course"]
    assert page.locator("li[data-key]").first.get_attribute("data-key") == "kickoff"
    assert "draft" in page.content()
    assert not errors
    context.close()
