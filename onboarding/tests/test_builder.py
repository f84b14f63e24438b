"""The checklist builder's services (onboarding.builder): a step's validation, the draft and its
order, publishing as one new version, and moving partners with a preview of what they keep."""

import pytest
from django.core.exceptions import ValidationError

from accounts.tests.factories import VendorAdminFactory
from audit.choices import AuditAction
from audit.models import AuditEntry
from enablement.tests.factories import CertificationFactory, CourseFactory
from events.choices import EventKind
from events.models import Event
from onboarding import builder, services
from onboarding import builder_selectors as selectors
from onboarding.choices import StepKind, StepStatus
from onboarding.models import ChecklistTemplate, TemplateDraftStep, TemplateStep
from onboarding.tests.factories import (
    AgreementFactory,
    ChecklistTemplateFactory,
    TemplateStepFactory,
)
from partners.choices import PartnerStatus
from partners.tests.factories import PartnerFactory, ProgramFactory, TierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return VendorAdminFactory(full_name="Ada Admin")


def _step(**overrides) -> dict:
    data = {
        "title": "Finish the basics",
        "kind": StepKind.CUSTOM,
        "required": True,
        "due_days": 14,
        "why": "",
        "link_url": "",
        "event_kind": "",
        "subject_id": "",
        "target_count": 1,
        "match_properties": {},
    }
    return {**data, **overrides}


def _template_with_steps(*keys, **kwargs) -> ChecklistTemplate:
    template = ChecklistTemplateFactory(**kwargs)
    for position, key in enumerate(keys):
        TemplateStepFactory(template=template, key=key, title=key.title(), position=position)
    return template


def _errors(exc_info) -> dict:
    return exc_info.value.message_dict


# --- Validation -----------------------------------------------------------------------------------


def test_a_course_step_naming_a_course_that_does_not_exist_is_refused(admin):
    template = ChecklistTemplateFactory()
    with pytest.raises(ValidationError) as exc:
        builder.draft_step_add(
            actor=admin,
            template=template,
            data=_step(kind=StepKind.COURSE, subject_id="999999"),
        )
    assert "subject_id" in _errors(exc)
    assert not TemplateDraftStep.objects.filter(template=template, kind=StepKind.COURSE).exists()


def test_a_course_step_naming_an_unpublished_course_is_refused(admin):
    course = CourseFactory(title="Draft course", is_published=False)
    with pytest.raises(ValidationError) as exc:
        builder.draft_step_add(
            actor=admin,
            template=ChecklistTemplateFactory(),
            data=_step(kind=StepKind.COURSE, subject_id=str(course.pk)),
        )
    assert "not published" in " ".join(_errors(exc)["subject_id"])


def test_a_course_step_naming_a_published_course_is_stored_by_id(admin):
    course = CourseFactory(title="Selling 101")
    step = builder.draft_step_add(
        actor=admin,
        template=ChecklistTemplateFactory(),
        data=_step(kind=StepKind.COURSE, subject_id=course.slug),
    )
    assert step.subject_id == str(course.pk) and step.key == "finish-the-basics"


def test_an_event_kind_outside_the_registry_is_refused(admin):
    with pytest.raises(ValidationError) as exc:
        builder.draft_step_add(
            actor=admin,
            template=ChecklistTemplateFactory(),
            data=_step(kind=StepKind.EVENT, event_kind="webinar.attended"),
        )
    assert "event_kind" in _errors(exc)


def test_an_event_step_needs_its_event_and_takes_one_from_the_registry(admin):
    template = ChecklistTemplateFactory()
    with pytest.raises(ValidationError) as exc:
        builder.draft_step_add(actor=admin, template=template, data=_step(kind=StepKind.EVENT))
    assert "event_kind" in _errors(exc)
    step = builder.draft_step_add(
        actor=admin,
        template=template,
        data=_step(kind=StepKind.EVENT, event_kind=EventKind.RESOURCE_VIEWED),
    )
    assert step.waits_for == EventKind.RESOURCE_VIEWED


def test_a_kind_with_its_own_event_cannot_wait_for_another(admin):
    with pytest.raises(ValidationError) as exc:
        builder.draft_step_add(
            actor=admin,
            template=ChecklistTemplateFactory(),
            data=_step(kind=StepKind.PROFILE, event_kind=EventKind.DEAL_WON),
        )
    assert "event_kind" in _errors(exc)


@pytest.mark.parametrize("days", [-1, 366, 10_000])
def test_due_days_out_of_range_are_refused(admin, days):
    with pytest.raises(ValidationError) as exc:
        builder.draft_step_add(
            actor=admin, template=ChecklistTemplateFactory(), data=_step(due_days=days)
        )
    assert "due_days" in _errors(exc)


def test_a_target_count_out_of_range_is_refused(admin):
    with pytest.raises(ValidationError) as exc:
        builder.draft_step_add(
            actor=admin,
            template=ChecklistTemplateFactory(),
            data=_step(kind=StepKind.INVITE, target_count=101),
        )
    assert "target_count" in _errors(exc)


def test_an_unsafe_link_is_refused_on_its_field(admin):
    with pytest.raises(ValidationError) as exc:
        builder.draft_step_add(
            actor=admin,
            template=ChecklistTemplateFactory(),
            data=_step(link_url="javascript:alert(1)"),
        )
    assert "link_url" in _errors(exc)


def test_a_course_not_open_to_the_templates_program_is_refused(admin):
    program, other = ProgramFactory(), ProgramFactory()
    course = CourseFactory()
    course.programs.add(other)
    with pytest.raises(ValidationError) as exc:
        builder.draft_step_add(
            actor=admin,
            template=ChecklistTemplateFactory(program=program),
            data=_step(kind=StepKind.COURSE, subject_id=str(course.pk)),
        )
    assert "not open" in " ".join(_errors(exc)["subject_id"])


def test_the_picker_lists_only_published_subjects_open_to_the_templates_partners():
    program, other = ProgramFactory(), ProgramFactory()
    open_course = CourseFactory(title="Open to all")
    narrowed = CourseFactory(title="Other program only")
    narrowed.programs.add(other)
    CourseFactory(title="Draft", is_published=False)
    certification = CertificationFactory(name="Seller")
    agreement = AgreementFactory()
    choices = selectors.subject_choices(template=ChecklistTemplateFactory(program=program))
    assert choices[StepKind.COURSE] == [(str(open_course.pk), "Open to all")]
    assert (str(certification.pk), "Seller") in choices[StepKind.CERTIFICATION]
    assert choices[StepKind.AGREEMENT] == [(str(agreement.pk), str(agreement))]


def test_a_template_aimed_at_a_tier_of_another_program_is_refused(admin):
    tier = TierFactory(program=ProgramFactory())
    with pytest.raises(ValidationError) as exc:
        builder.template_create(
            actor=admin, data={"name": "Gold", "program": ProgramFactory(), "tier": tier}
        )
    assert "tier" in _errors(exc)


# --- The draft ------------------------------------------------------------------------------------


def test_edits_go_to_the_draft_and_partners_still_get_the_published_steps(admin):
    template = _template_with_steps("agreement", "kickoff")
    builder.draft_step_add(actor=admin, template=template, data=_step(title="Extra"))
    template.refresh_from_db()
    assert template.draft_changed_at is not None and template.version == 1
    assert list(template.steps.values_list("key", flat=True)) == ["agreement", "kickoff"]
    assert [s.key for s in selectors.template_steps(template=template)] == [
        "agreement",
        "kickoff",
        "extra",
    ]
    checklist = services.checklist_start(partner=PartnerFactory(), template=template)
    assert [s.key for s in checklist.steps.all()] == ["agreement", "kickoff"]


def test_reorder_puts_the_draft_in_the_given_order_and_is_audited(admin):
    template = _template_with_steps("a", "b", "c")
    builder.draft_reorder(actor=admin, template=template, keys=["c", "a", "b"])
    assert list(
        TemplateDraftStep.objects.filter(template=template)
        .order_by("position")
        .values_list("key", flat=True)
    ) == ["c", "a", "b"]
    entry = AuditEntry.objects.filter(action=AuditAction.SETUP_CHANGE).latest("id")
    assert entry.actor == admin
    assert entry.details["before"] == {"draft_order": "a, b, c"}
    assert entry.details["after"] == {"draft_order": "c, a, b"}


def test_reorder_must_name_every_step_once(admin):
    template = _template_with_steps("a", "b", "c")
    for keys in (["a", "b"], ["a", "b", "b"], ["a", "b", "c", "zzz"]):
        with pytest.raises(ValidationError):
            builder.draft_reorder(actor=admin, template=template, keys=keys)


def test_moving_a_step_up_and_down_and_not_past_the_ends(admin):
    template = _template_with_steps("a", "b", "c")
    builder.draft_step_move(actor=admin, template=template, key="c", offset=-1)
    template.refresh_from_db()
    assert [s.key for s in selectors.template_steps(template=template)] == ["a", "c", "b"]
    with pytest.raises(ValidationError):
        builder.draft_step_move(actor=admin, template=template, key="a", offset=-1)


def test_a_step_change_is_audited_with_each_field_before_and_after(admin):
    template = _template_with_steps("kickoff")
    builder.draft_step_update(
        actor=admin, template=template, key="kickoff", data=_step(title="Kick-off call")
    )
    entry = AuditEntry.objects.filter(
        action=AuditAction.SETUP_CHANGE, details__flag="changed"
    ).latest("id")
    assert entry.actor == admin
    assert entry.details["before"]["title"] == "Kickoff"
    assert entry.details["after"]["title"] == "Kick-off call"


def test_discarding_the_draft_keeps_the_published_steps(admin):
    template = _template_with_steps("a", "b")
    builder.draft_step_remove(actor=admin, template=template, key="a")
    builder.draft_discard(actor=admin, template=template)
    template.refresh_from_db()
    assert template.draft_changed_at is None
    assert [s.key for s in selectors.template_steps(template=template)] == ["a", "b"]


# --- Publishing -----------------------------------------------------------------------------------


def test_publishing_bumps_the_version_once_however_many_edits(admin):
    template = _template_with_steps("a", "b")
    services.checklist_start(partner=PartnerFactory(), template=template)
    builder.draft_step_add(actor=admin, template=template, data=_step(title="C"))
    builder.draft_step_update(actor=admin, template=template, key="a", data=_step(title="A2"))
    builder.draft_step_remove(actor=admin, template=template, key="b")
    builder.draft_reorder(actor=admin, template=template, keys=["c", "a"])
    template = builder.template_publish(actor=admin, template=template)
    assert template.version == 2 and template.draft_changed_at is None
    assert list(
        TemplateStep.objects.filter(template=template)
        .order_by("position")
        .values_list("key", "title")
    ) == [("c", "C"), ("a", "A2")]
    assert not TemplateDraftStep.objects.filter(template=template).exists()
    entry = AuditEntry.objects.filter(action=AuditAction.SETUP_CHANGE).latest("id")
    assert entry.details["before"]["version"] == 1 and entry.details["after"]["version"] == 2


def test_a_template_nobody_has_keeps_its_number_at_its_first_publish(admin):
    template = builder.template_create(actor=admin, data={"name": "New path", "is_active": False})
    builder.draft_step_add(actor=admin, template=template, data=_step())
    assert builder.template_publish(actor=admin, template=template).version == 1
    builder.draft_step_add(actor=admin, template=template, data=_step(title="Second"))
    assert builder.template_publish(actor=admin, template=template).version == 2


def test_publishing_nothing_or_an_empty_draft_is_refused(admin):
    template = _template_with_steps("a")
    with pytest.raises(ValidationError):
        builder.template_publish(actor=admin, template=template)
    builder.draft_step_remove(actor=admin, template=template, key="a")
    with pytest.raises(ValidationError):
        builder.template_publish(actor=admin, template=template)
    assert template.steps.count() == 1


def test_publishing_rechecks_steps_against_a_changed_target(admin):
    other = ProgramFactory()
    course = CourseFactory()
    course.programs.add(other)
    template = ChecklistTemplateFactory()
    builder.draft_step_add(
        actor=admin, template=template, data=_step(kind=StepKind.COURSE, subject_id=str(course.pk))
    )
    builder.template_update(
        actor=admin, template=template, data={"name": template.name, "program": ProgramFactory()}
    )
    with pytest.raises(ValidationError) as exc:
        builder.template_publish(actor=admin, template=template)
    assert "Finish the basics" in " ".join(exc.value.messages)
    template.refresh_from_db()
    assert template.draft_changed_at is not None and not template.steps.exists()


def test_publish_impact_counts_partners_mid_way(admin):
    template = _template_with_steps("a")
    for _n in range(2):
        services.checklist_start(partner=PartnerFactory(), template=template)
    done = services.checklist_start(partner=PartnerFactory(), template=template)
    services.step_complete(step=done.steps.get(), via="verified", actor=admin)
    builder.draft_step_add(actor=admin, template=template, data=_step(title="B"))
    impact = selectors.publish_impact(template=template)
    assert impact["partners"] == {"total": 3, "midway": 2, "behind": 0}
    assert [s.key for s in impact["added"]] == ["b"] and not impact["removed"]


# --- Migrating ------------------------------------------------------------------------------------


def test_the_migrate_preview_lists_who_moves_and_what_they_keep(admin):
    template = _template_with_steps("agreement", "kickoff", "legacy")
    movers = [PartnerFactory(name="Alpha"), PartnerFactory(name="Bravo")]
    for partner in movers:
        services.checklist_start(partner=partner, template=template)
    alpha = movers[0].checklist
    services.step_complete(step=alpha.steps.get(key="agreement"), via="verified", actor=admin)
    finished = PartnerFactory(name="Finished")
    checklist = services.checklist_start(partner=finished, template=template)
    for step in checklist.steps.all():
        services.step_complete(step=step, via="verified", actor=admin)
    services.checklist_start(
        partner=PartnerFactory(name="Elsewhere"), template=_template_with_steps("x")
    )

    builder.draft_step_remove(actor=admin, template=template, key="legacy")
    builder.draft_step_add(actor=admin, template=template, data=_step(title="Webinar"))
    template = builder.template_publish(actor=admin, template=template)

    preview = selectors.migrate_preview(template=template)
    assert preview["total"] == 2
    rows = {row["partner"].name: row for row in preview["rows"]}
    assert set(rows) == {"Alpha", "Bravo"}
    assert [s.key for s in rows["Alpha"]["kept_done"]] == ["agreement"]
    assert [s.key for s in rows["Alpha"]["new"]] == ["webinar"]
    assert [s.key for s in rows["Alpha"]["dropped"]] == ["legacy"]
    assert rows["Bravo"]["kept_done"] == []


def test_migrating_moves_every_partner_behind_and_records_each_move(admin):
    template = _template_with_steps("agreement", "legacy")
    partners = [PartnerFactory(status=PartnerStatus.ONBOARDING) for _n in range(2)]
    for partner in partners:
        services.checklist_start(partner=partner, template=template)
    first = partners[0].checklist
    services.step_complete(step=first.steps.get(key="agreement"), via="verified", actor=admin)
    builder.draft_step_remove(actor=admin, template=template, key="legacy")
    builder.draft_step_add(actor=admin, template=template, data=_step(title="Webinar"))
    template = builder.template_publish(actor=admin, template=template)

    with pytest.raises(ValidationError):  # a stale preview: published again since
        builder.template_migrate_partners(actor=admin, template=template, version=1)
    moved, queued = builder.template_migrate_partners(actor=admin, template=template, version=2)
    assert (moved, queued) == (2, False)
    first.refresh_from_db()
    assert first.version == 2
    assert {s.key: s.status for s in first.steps.all()} == {
        "agreement": StepStatus.DONE,
        "webinar": StepStatus.PENDING,
    }
    assert Event.objects.filter(kind=EventKind.CHECKLIST_MIGRATED).count() == 2
    assert not selectors.migrate_preview(template=template)["total"]


def test_migrating_many_partners_runs_as_a_task(
    admin, django_capture_on_commit_callbacks, settings
):
    template = _template_with_steps("a")
    for _n in range(builder.MIGRATE_INLINE_MAX + 1):
        services.checklist_start(partner=PartnerFactory(), template=template)
    builder.draft_step_add(actor=admin, template=template, data=_step(title="B"))
    template = builder.template_publish(actor=admin, template=template)
    with django_capture_on_commit_callbacks(execute=True):
        moved, queued = builder.template_migrate_partners(
            actor=admin, template=template, version=template.version
        )
    assert queued and moved == builder.MIGRATE_INLINE_MAX + 1
    assert not builder.migrate_candidates(template=template).exists()


def test_a_course_named_only_in_a_draft_counts_as_a_reference(admin):
    from partners.readers import course_referrers, references_to

    course = CourseFactory(title="Selling 101")
    template = ChecklistTemplateFactory(name="Gold path")
    builder.draft_step_add(
        actor=admin, template=template, data=_step(kind=StepKind.COURSE, subject_id=str(course.pk))
    )
    assert any("Gold path" in line for line in references_to(course_referrers, course.pk))


def test_the_picker_leaves_out_courses_gated_above_the_templates_tier():
    program = ProgramFactory()
    entry, gold = TierFactory(program=program, rank=1), TierFactory(program=program, rank=2)
    gated = CourseFactory(title="Gold only", min_tier=gold)
    for_entry = selectors.subject_choices(template=ChecklistTemplateFactory(tier=entry))
    for_gold = selectors.subject_choices(template=ChecklistTemplateFactory(tier=gold))
    assert (str(gated.pk), "Gold only") not in for_entry[StepKind.COURSE]
    assert (str(gated.pk), "Gold only") in for_gold[StepKind.COURSE]
