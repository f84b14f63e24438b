"""Checklist step texts in several languages (issue 23): a step's versions belong to its version
of the template (drafted, published, copied into a partner's checklist); the partner's checklist
shows the reader's language, else the default."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import VendorAdminFactory
from onboarding import builder, services
from onboarding.builder_forms import StepForm
from onboarding.choices import StepKind
from onboarding.models import TemplateDraftStep
from onboarding.tests.factories import ChecklistTemplateFactory, TemplateStepFactory
from partners.tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def _data(**overrides) -> dict:
    return {
        "title": "Kick-off call",
        "kind": StepKind.CUSTOM,
        "required": True,
        "due_days": 14,
        "why": "We meet your team.",
        "link_url": "",
        "event_kind": "",
        "subject_id": "",
        "target_count": 1,
        "match_properties": {},
        **overrides,
    }


def test_the_step_form_reads_and_returns_the_versions_per_language():
    step = TemplateStepFactory(title="Kick-off call", translations={"de": {"title": "Auftakt"}})
    form = StepForm(subjects={}, initial_step=step)
    assert form["tr_de_title"].value() == "Auftakt" and form["tr_ja_why"].value() == ""
    posted = StepForm(
        {
            "title": "Kick-off call",
            "kind": StepKind.CUSTOM,
            "target_count": 1,
            "due_days": 14,
            "tr_de_title": "Auftakt",
            "tr_de_why": "",
            "tr_ja_title": "キックオフ",
        },
        subjects={},
    )
    assert posted.is_valid(), posted.errors
    assert posted.step_data()["translations"] == {
        "de": {"title": "Auftakt"},
        "ja": {"title": "キックオフ"},
    }


def test_a_steps_versions_belong_to_its_version_of_the_template():
    admin = VendorAdminFactory()
    template = ChecklistTemplateFactory()
    TemplateStepFactory(template=template, key="kickoff", title="Kick-off call")
    before = services.checklist_start(partner=PartnerFactory(), template=template)

    builder.draft_step_update(
        actor=admin,
        template=template,
        key="kickoff",
        data=_data(translations={"de": {"title": "Auftakt", "why": "Wir lernen Ihr Team kennen."}}),
    )
    # drafted only: partners starting now still get the published step, without the version
    assert TemplateDraftStep.objects.get(template=template).translations["de"]["title"] == "Auftakt"
    assert template.steps.get().translations == {}

    builder.template_publish(actor=admin, template=template)
    assert template.steps.get().translations["de"]["title"] == "Auftakt"
    after = services.checklist_start(partner=PartnerFactory(), template=template)
    assert after.steps.get().translations["de"]["title"] == "Auftakt"
    assert before.steps.get().translations == {}  # the older version keeps its own texts


def test_a_german_partner_reads_its_checklist_in_german_where_present(client_as, world):
    template = ChecklistTemplateFactory()
    TemplateStepFactory(
        template=template,
        key="kickoff",
        title="Kick-off call",
        why="We meet your team.",
        position=0,
        translations={"de": {"title": "Auftakt", "why": "Wir lernen Ihr Team kennen."}},
    )
    TemplateStepFactory(template=template, key="profile", title="Complete your profile", position=1)
    services.checklist_start(partner=world.partner_a, template=template)
    user = world.users["partner_a_admin"]
    user.language = "de"
    user.save(update_fields=["language"])
    with translation.override("de"):
        page = (
            client_as("partner_a_admin")
            .get(reverse("onboarding:checklist"), HTTP_ACCEPT_LANGUAGE="de")
            .content.decode()
        )
    assert "Auftakt" in page and "Wir lernen Ihr Team kennen." in page
    assert "Complete your profile" in page  # no German version: the default
    assert "Kick-off call" not in page


def test_the_step_completed_event_keeps_the_default_title_whatever_the_language():
    from events.choices import EventKind
    from events.models import Event
    from onboarding.choices import CompletedVia

    template = ChecklistTemplateFactory()
    TemplateStepFactory(
        template=template, key="kickoff", title="Kick-off call",
        translations={"de": {"title": "Auftakt"}},
    )  # fmt: skip
    checklist = services.checklist_start(partner=PartnerFactory(), template=template)
    with translation.override("de"):
        services.step_complete(step=checklist.steps.get(), via=CompletedVia.VERIFIED)
    event = Event.objects.filter(kind=EventKind.STEP_COMPLETED).latest("pk")
    assert event.properties["step_title"] == "Kick-off call"
