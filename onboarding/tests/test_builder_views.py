"""The checklist builder's pages: who may see and change them, the step form (picker, registry
events, name/value rows, errors per field), reordering, publishing, moving partners, the partner
preview, and bounded queries."""

import pytest
from django.urls import reverse

from enablement.tests.factories import CourseFactory
from events.choices import EventKind
from onboarding import services
from onboarding.choices import StepKind
from onboarding.models import ChecklistTemplate, TemplateDraftStep
from onboarding.tests.factories import ChecklistTemplateFactory, TemplateStepFactory
from partners.tests.factories import PartnerFactory, PartnerTypeFactory, ProgramFactory
from tests.roles import LOGIN, assert_role_matrix

pytestmark = pytest.mark.django_db

READ = {
    "anonymous": LOGIN,
    "partner_a_admin": 404,
    "partner_a_user": 404,
    "partner_b_admin": 404,
    "manager_owner": 200,
    "manager_other": 200,
    "vendor_admin": 200,
}
EDIT = {**READ, "manager_owner": 403, "manager_other": 403}


def _template(*keys, **kwargs):
    template = ChecklistTemplateFactory(**kwargs)
    for position, key in enumerate(keys):
        TemplateStepFactory(template=template, key=key, title=key.title(), position=position)
    return template


def _step_post(**overrides) -> dict:
    data = {
        "title": "Kick-off call",
        "kind": StepKind.CUSTOM,
        "event_kind": "",
        "subject_id": "",
        "target_count": "1",
        "required": "on",
        "due_days": "14",
        "why": "We meet the team.",
        "link_url": "",
    }
    return {**data, **overrides}


def test_the_list_is_for_vendor_staff(client_as, world):
    assert_role_matrix(client_as, reverse("onboarding:setup_checklists"), READ)


def test_the_template_page_and_preview_are_for_vendor_staff(client_as, world):
    template = _template("a")
    assert_role_matrix(client_as, reverse("onboarding:setup_checklist", args=[template.pk]), READ)
    assert_role_matrix(client_as, reverse("onboarding:setup_checklist_preview"), READ)


def test_editing_is_for_vendor_admins(client_as, world):
    template = _template("a")
    for name in ("setup_checklist_edit", "setup_checklist_step_add", "setup_checklist_migrate"):
        assert_role_matrix(client_as, reverse(f"onboarding:{name}", args=[template.pk]), EDIT)
    assert_role_matrix(
        client_as,
        reverse("onboarding:setup_checklist_step_up", args=[template.pk, "a"]),
        {**EDIT, "vendor_admin": 302},
        method="post",
    )


def test_a_channel_manager_reads_without_edit_buttons(client_as, world):
    template = _template("kickoff")
    page = client_as("manager_owner").get(reverse("onboarding:setup_checklist", args=[template.pk]))
    assert page.status_code == 200 and "Kickoff" in page.content.decode()
    assert reverse("onboarding:setup_checklist_step_add", args=[template.pk]) not in (
        page.content.decode()
    )


def test_the_list_shows_partners_on_each_template_in_bounded_queries(
    client_as, world, django_assert_max_num_queries
):
    for n in range(3):
        template = _template("a", "b", name=f"Path {n}")
        for _m in range(2):
            services.checklist_start(partner=PartnerFactory(), template=template)
    client = client_as("vendor_admin")
    with django_assert_max_num_queries(12):
        page = client.get(reverse("onboarding:setup_checklists"))
    html = page.content.decode()
    assert page.status_code == 200 and "Path 2" in html
    row = page.context["templates"][0]
    assert (row.step_count, row.partner_count, row.midway_count) == (2, 2, 2)


def test_the_template_page_holds_bounded_queries(client_as, world, django_assert_max_num_queries):
    course = CourseFactory(title="Selling 101")
    template = _template(*[f"step-{n}" for n in range(8)])
    TemplateStepFactory(
        template=template, key="course", kind=StepKind.COURSE, subject_id=str(course.pk)
    )
    client = client_as("vendor_admin")
    with django_assert_max_num_queries(14):
        page = client.get(reverse("onboarding:setup_checklist", args=[template.pk]))
    assert page.status_code == 200 and "Selling 101" in page.content.decode()


def test_creating_a_template_with_targeting_selects(client_as, world):
    program, ptype = ProgramFactory(name="EMEA"), PartnerTypeFactory(name="Reseller")
    response = client_as("vendor_admin").post(
        reverse("onboarding:setup_checklist_create"),
        {"name": "EMEA resellers", "program": program.pk, "partner_type": ptype.pk},
    )
    template = ChecklistTemplate.objects.get(name="EMEA resellers")
    assert response.status_code == 302
    assert (template.program, template.partner_type, template.is_active) == (program, ptype, False)


def test_a_step_is_added_with_its_course_picked_and_property_rows(client_as, world):
    course = CourseFactory(title="Selling 101")
    template = _template()
    client = client_as("vendor_admin")
    url = reverse("onboarding:setup_checklist_step_add", args=[template.pk])
    form = client.get(url).content.decode()
    assert f'value="course:{course.pk}"' in form and "Selling 101" in form
    response = client.post(
        url,
        _step_post(
            kind=StepKind.COURSE,
            subject_id=f"course:{course.pk}",
            prop_name_0="level",
            prop_value_0="2",
            prop_name_1="track",
            prop_value_1="sales",
        ),
    )
    assert response.status_code == 302
    step = TemplateDraftStep.objects.get(template=template)
    assert step.subject_id == str(course.pk)
    assert step.match_properties == {"level": 2, "track": "sales"}


def test_step_errors_land_on_their_fields(client_as, world):
    course = CourseFactory(is_published=False)
    template = _template()
    client = client_as("vendor_admin")
    url = reverse("onboarding:setup_checklist_step_add", args=[template.pk])
    bad = client.post(url, _step_post(due_days="400"))
    assert bad.status_code == 400 and "due_days" in bad.context["form"].errors
    bad = client.post(url, _step_post(kind=StepKind.EVENT, event_kind="webinar.attended"))
    assert bad.status_code == 400 and "event_kind" in bad.context["form"].errors
    bad = client.post(url, _step_post(kind=StepKind.CERTIFICATION, subject_id="course:1"))
    assert bad.status_code == 400 and "subject_id" in bad.context["form"].errors
    bad = client.post(url, _step_post(prop_value_0="2"))
    assert bad.status_code == 400 and bad.context["form"].non_field_errors()
    # a subject no longer offered (a draft course) is refused by the model's own rule
    TemplateStepFactory(
        template=template, key="old", kind=StepKind.COURSE, subject_id=str(course.pk)
    )
    edit = reverse("onboarding:setup_checklist_step_edit", args=[template.pk, "old"])
    page = client.get(edit)
    assert page.status_code == 200
    bad = client.post(edit, _step_post(kind=StepKind.COURSE, subject_id=f"course:{course.pk}"))
    assert bad.status_code == 400 and "not published" in str(bad.context["form"].errors)
    assert not TemplateDraftStep.objects.filter(template=template).exclude(key="old").exists()


def test_event_steps_choose_from_the_registry(client_as, world):
    template = _template()
    client = client_as("vendor_admin")
    url = reverse("onboarding:setup_checklist_step_add", args=[template.pk])
    assert f'value="{EventKind.RESOURCE_VIEWED}"' in client.get(url).content.decode()
    response = client.post(
        url, _step_post(kind=StepKind.EVENT, event_kind=EventKind.RESOURCE_VIEWED)
    )
    assert response.status_code == 302
    assert TemplateDraftStep.objects.get(template=template).event_kind == EventKind.RESOURCE_VIEWED


def test_drag_and_drop_posts_the_new_order(client_as, world):
    template = _template("a", "b", "c")
    client = client_as("vendor_admin")
    url = reverse("onboarding:setup_checklist_reorder", args=[template.pk])
    ok = client.post(url, {"keys": ["b", "c", "a"]}, HTTP_ACCEPT="application/json")
    assert ok.status_code == 204
    order = TemplateDraftStep.objects.filter(template=template).order_by("position")
    assert list(order.values_list("key", flat=True)) == ["b", "c", "a"]
    bad = client.post(url, {"keys": ["b"]}, HTTP_ACCEPT="application/json")
    assert bad.status_code == 400 and "error" in bad.json()


def test_publish_page_shows_partners_mid_way_then_publishes_once(client_as, world):
    template = _template("a")
    services.checklist_start(partner=PartnerFactory(), template=template)
    client = client_as("vendor_admin")
    client.post(reverse("onboarding:setup_checklist_step_add", args=[template.pk]), _step_post())
    client.post(reverse("onboarding:setup_checklist_step_down", args=[template.pk, "a"]))
    url = reverse("onboarding:setup_checklist_publish", args=[template.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "1 partner is mid-way" in page.content.decode()
    assert client.post(url).status_code == 302
    template.refresh_from_db()
    assert template.version == 2
    assert list(template.steps.order_by("position").values_list("key", flat=True)) == [
        "kick-off-call",
        "a",
    ]


def test_migrate_page_lists_who_moves_then_moves_them(client_as, world):
    template = _template("a")
    services.checklist_start(partner=PartnerFactory(name="Mover Ltd"), template=template)
    client = client_as("vendor_admin")
    client.post(reverse("onboarding:setup_checklist_step_add", args=[template.pk]), _step_post())
    client.post(reverse("onboarding:setup_checklist_publish", args=[template.pk]))
    url = reverse("onboarding:setup_checklist_migrate", args=[template.pk])
    page = client.get(url)
    assert "Mover Ltd" in page.content.decode() and "Kick-off call" in page.content.decode()
    assert client.post(url, {"version": "1"}).status_code == 400  # stale
    assert client.post(url, {"version": "2"}).status_code == 302
    assert PartnerFactory._meta.model.objects.get(name="Mover Ltd").checklist.version == 2


def test_preview_shows_the_most_specific_templates_steps(client_as, world):
    program = ProgramFactory(name="EMEA")
    _template("general-step", name="General")
    _template("emea-step", name="EMEA path", program=program)
    client = client_as("manager_owner")
    url = reverse("onboarding:setup_checklist_preview")
    page = client.get(url, {"program": program.pk, "go": "1"})
    assert page.status_code == 200 and page.context["winner"].name == "EMEA path"
    assert "Emea-Step" in page.content.decode()
    page = client.get(url, {"program": "", "go": "1"})
    assert page.context["winner"].name == "General"
    assert client.get(url, {"program": "999999"}).status_code == 400


def test_an_active_template_without_published_steps_warns(client_as, world):
    template = ChecklistTemplateFactory(is_active=True)
    page = client_as("vendor_admin").get(reverse("onboarding:setup_checklist", args=[template.pk]))
    assert "has no published steps" in page.content.decode()
