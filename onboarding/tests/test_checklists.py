"""Checklists: snapshots, event-driven steps, activation, versions."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.tests.factories import ChannelManagerFactory, UserFactory
from events.models import Event
from events.services import record_event
from events.tests.payloads import payload
from onboarding import services
from onboarding.choices import CompletedVia, StepKind, StepStatus
from onboarding.models import OnboardingSurvey
from onboarding.tests.factories import AgreementFactory, TemplateStepFactory, standard_template
from partners import services as partner_services
from partners.choices import MemberRole, PartnerStatus
from partners.tests.factories import MembershipFactory, PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    owner = ChannelManagerFactory(email="owner@vendor.example")
    partner = PartnerFactory(status=PartnerStatus.ONBOARDING, owner=owner)
    admin = MembershipFactory(partner=partner, role=MemberRole.ADMIN).user
    template = standard_template(program=partner.program)
    checklist = services.checklist_start(partner=partner)
    return partner, admin, owner, template, checklist


def steps_of(checklist):
    return {s.key: s for s in checklist.steps.all()}


def test_a_checklist_is_a_snapshot_of_the_matching_templates_steps(setup):
    partner, _, _, template, checklist = setup
    assert checklist.version == template.version == 1
    assert list(checklist.steps.values_list("key", flat=True)) == list(
        template.steps.values_list("key", flat=True)
    )
    step = steps_of(checklist)["first-deal"]
    assert (step.due_at - checklist.started_at).days == 30
    assert Event.objects.filter(kind="onboarding.checklist_started", partner=partner).count() == 1


def test_the_most_specific_template_wins(setup):
    partner, *_ = setup
    from onboarding.selectors import template_for_partner

    specific = TemplateStepFactory(
        template__program=partner.program, template__partner_type=partner.partner_type
    ).template
    TemplateStepFactory(template__name="Inactive", template__is_active=False)
    assert template_for_partner(partner=partner) == specific


def test_a_course_completed_event_from_another_app_completes_the_course_step(setup):
    partner, admin, *_ = setup
    record_event(
        kind="course.completed",
        key="c1",
        user=admin,
        properties=payload("course.completed", {"course": 99}),
    )
    checklist = partner.checklist
    assert steps_of(checklist)["course"].status == StepStatus.PENDING  # another course
    record_event(
        kind="course.completed",
        key="c2",
        user=admin,
        properties=payload("course.completed", {"course": 12}),
    )
    step = steps_of(checklist)["course"]
    assert step.status == StepStatus.DONE and step.completed_via == CompletedVia.EVENT
    assert step.completed_by == admin
    completed = Event.objects.get(kind="onboarding.step_completed", subject_id=str(step.pk))
    assert completed.properties == {
        "checklist": checklist.template_id,
        "version": 1,
        "step": step.template_step_id,
        "step_key": "course",
        "step_title": "Course",
        "position": 2,
        "required": True,
        "kind": "course",
        "via": "event",
    }


def test_an_event_for_another_partner_completes_nothing_here(setup):
    partner, *_ = setup
    other = PartnerFactory()
    record_event(
        kind="deal.submitted",
        key="d-other",
        partner=other,
        properties=payload("deal.submitted", {"deal": 1}),
    )
    assert steps_of(partner.checklist)["first-deal"].status == StepStatus.PENDING


def test_invite_step_counts_the_colleagues_of_the_person_the_partner_was_set_up_with(setup):
    partner, admin, owner, *_ = setup

    def join(email, inviter):
        invitation, _ = partner_services.invitation_create(
            partner=partner, email=email, invited_by=inviter
        )
        from accounts.tests.factories import UserFactory

        partner_services.invitation_accept(invitation=invitation, user=UserFactory(email=email))

    # ``admin`` is the partner's first member; the colleagues are the people who join after.
    join("colleague1@p.example", admin)
    step = steps_of(partner.checklist)["colleagues"]
    assert (step.status, step.progress) == (StepStatus.PENDING, 1)
    # A replayed signal with the same event counts once: the step counts people, not events.
    services.events_apply(events=list(Event.objects.filter(kind="user.joined")))
    assert steps_of(partner.checklist)["colleagues"].progress == 1
    join("colleague2@p.example", owner)  # whoever invited them
    assert steps_of(partner.checklist)["colleagues"].status == StepStatus.DONE


def test_profile_step_completes_only_when_the_profile_is_complete(setup):
    partner, admin, *_ = setup
    partner_services.partner_update_profile(partner=partner, actor=admin, phone="+49 30 1234")
    assert steps_of(partner.checklist)["profile"].status == StepStatus.PENDING
    partner_services.partner_update_profile(
        partner=partner,
        actor=admin,
        website="https://p.example",
        description="Cloud",
        address="Berlin",
    )
    assert steps_of(partner.checklist)["profile"].status == StepStatus.DONE


def test_agreement_acceptance_is_stored_with_who_and_when_and_completes_the_step(setup):
    partner, admin, *_ = setup
    agreement = AgreementFactory()
    user = MembershipFactory(partner=partner).user
    with pytest.raises(services.OnboardingError):
        services.agreement_accept(partner=partner, agreement=agreement, user=user)
    acceptance = services.agreement_accept(partner=partner, agreement=agreement, user=admin)
    assert acceptance.accepted_by == admin and acceptance.accepted_at is not None
    assert steps_of(partner.checklist)["agreement"].status == StepStatus.DONE
    again = services.agreement_accept(partner=partner, agreement=agreement, user=admin)
    assert again.pk == acceptance.pk
    assert Event.objects.filter(kind="onboarding.agreement_accepted").count() == 1


def test_a_document_upload_completes_its_step_and_a_bad_file_type_is_refused(setup):
    partner, admin, *_ = setup
    step = steps_of(partner.checklist)["tax-form"]
    with pytest.raises(services.OnboardingError, match="Upload a PDF"):
        services.document_upload(step=step, file=SimpleUploadedFile("x.exe", b"MZ"), user=admin)
    services.document_upload(step=step, file=SimpleUploadedFile("w9.pdf", b"%PDF-1.4"), user=admin)
    assert steps_of(partner.checklist)["tax-form"].status == StepStatus.DONE


def test_only_custom_steps_are_verified_and_only_by_vendor_staff(setup):
    partner, admin, owner, *_ = setup
    steps = steps_of(partner.checklist)
    with pytest.raises(services.OnboardingError):
        services.step_verify(step=steps["kickoff"], actor=admin)
    with pytest.raises(services.OnboardingError):
        services.step_verify(step=steps["course"], actor=owner)
    services.step_verify(step=steps["kickoff"], actor=owner)
    assert steps_of(partner.checklist)["kickoff"].completed_via == CompletedVia.VERIFIED


def complete_all_required(partner, admin, owner):
    steps = steps_of(partner.checklist)
    services.agreement_accept(partner=partner, agreement=AgreementFactory(), user=admin)
    partner_services.partner_update_profile(
        partner=partner, actor=admin, website="https://p.example", phone="1", description="x",
        address="y",
    )  # fmt: skip
    record_event(
        kind="course.completed",
        key="k1",
        user=admin,
        properties=payload("course.completed", {"course": 12}),
    )
    record_event(
        kind="certification.earned",
        key="k2",
        user=admin,
        properties=payload("certification.earned", {"certification": 7}),
    )
    record_event(
        kind="deal.submitted",
        key="k3",
        user=admin,
        properties=payload("deal.submitted", {"deal": 5}),
    )
    for _ in (1, 2):
        partner_services.membership_add(partner=partner, user=UserFactory())
    services.document_upload(
        step=steps["tax-form"], file=SimpleUploadedFile("w9.pdf", b"%PDF"), user=admin
    )
    partner.refresh_from_db()
    assert partner.status == PartnerStatus.ONBOARDING  # the custom step is still open
    services.step_verify(step=steps["kickoff"], actor=owner)


def test_the_last_required_step_activates_the_partner_and_notifies_the_owner(
    setup, django_capture_on_commit_callbacks
):
    partner, admin, owner, _, checklist = setup
    with django_capture_on_commit_callbacks(execute=True):
        complete_all_required(partner, admin, owner)
    partner.refresh_from_db()
    checklist.refresh_from_db()
    assert partner.status == PartnerStatus.ACTIVE and partner.activated_at is not None
    assert checklist.completed_at == partner.activated_at
    assert steps_of(checklist)["newsletter"].status == StepStatus.PENDING  # optional
    assert Event.objects.filter(kind="partner.activated", partner=partner).count() == 1
    assert any(
        m.to == [owner.email] and "is now an active partner" in m.subject for m in mail.outbox
    )
    assert OnboardingSurvey.objects.filter(partner=partner).exists()
    assert any(m.to == [admin.email] and "onboarding" in m.subject for m in mail.outbox)


def test_a_template_change_does_not_touch_partners_until_an_admin_migrates_them(setup):
    _, admin, owner, template, checklist = setup
    record_event(
        kind="course.completed",
        key="c",
        user=admin,
        properties=payload("course.completed", {"course": 12}),
    )
    template.steps.filter(key="kickoff").delete()
    TemplateStepFactory(template=template, key="webinar", kind=StepKind.CUSTOM, title="Webinar")
    template.steps.filter(key="course").update(title="Course 101")
    services.template_bump_version(template=template)
    checklist.refresh_from_db()
    assert checklist.version == 1 and "kickoff" in steps_of(checklist)
    assert "webinar" not in steps_of(checklist)

    services.checklist_migrate(checklist=checklist, actor=owner)
    checklist.refresh_from_db()
    steps = steps_of(checklist)
    assert checklist.version == 2 and checklist.migrated_at is not None
    assert "kickoff" not in steps and steps["webinar"].status == StepStatus.PENDING
    assert steps["course"].status == StepStatus.DONE and steps["course"].title == "Course 101"
    with pytest.raises(services.OnboardingError):
        services.checklist_migrate(checklist=checklist, actor=owner)


def test_a_partner_entering_onboarding_by_any_path_gets_its_checklist():
    from partners.tests.factories import PartnerTypeFactory, ProgramFactory

    program = ProgramFactory()
    TemplateStepFactory(template__program=program, key="kickoff")
    created = partner_services.partner_create(
        name="Direct Ltd",
        program=program,
        partner_type=PartnerTypeFactory(),
        country="DE",
        region="emea",
        status=PartnerStatus.ONBOARDING,
    )
    applicant = partner_services.partner_create(
        name="Later Ltd", program=program, partner_type=PartnerTypeFactory(), country="DE",
        region="emea",
    )  # fmt: skip
    assert created.checklist.steps.get().key == "kickoff"
    assert not hasattr(applicant, "checklist")
    partner_services.partner_set_status(partner=applicant, status=PartnerStatus.ONBOARDING)
    applicant.refresh_from_db()
    assert applicant.checklist.version == 1


def test_many_partners_entering_onboarding_at_once_get_the_same_checklists_in_a_batch(
    django_assert_max_num_queries,
):
    """An import records many ``partner.created`` events in one batch: the batch start gives
    each the checklist ``checklist_start`` would (template, steps, due dates, event), and a
    partner that already has colleagues gets its colleagues step counted."""
    from events.services import record_events
    from onboarding.models import PartnerChecklist

    template = standard_template()
    partners = [PartnerFactory(status=PartnerStatus.ONBOARDING) for _ in range(5)]
    for _ in range(2):
        MembershipFactory(partner=partners[0])
    single = PartnerFactory(status=PartnerStatus.ONBOARDING)
    expected = services.checklist_start(partner=single)
    events = [
        partner_services.partner_created_event(partner=p, actor=None, at=p.joined_at)
        for p in partners
    ]
    with django_assert_max_num_queries(60):
        record_events(events)
    for partner in partners:
        checklist = PartnerChecklist.objects.get(partner=partner)
        assert checklist.template == template and checklist.started_at == partner.joined_at
        assert sorted(checklist.steps.values_list("key", flat=True)) == sorted(
            expected.steps.values_list("key", flat=True)
        )
        step = checklist.steps.get(key="kickoff")
        template_step = template.steps.get(key="kickoff")
        assert step.due_at == partner.joined_at + timedelta(days=template_step.due_days)
        assert Event.objects.filter(
            kind="onboarding.checklist_started", subject_id=str(checklist.pk)
        ).exists()
    invite = PartnerChecklist.objects.get(partner=partners[0]).steps.get(kind=StepKind.INVITE)
    assert invite.progress == 1  # the first member is not a colleague (colleague_join_dates)
