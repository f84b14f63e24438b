"""Real objects of partner A for the access-control sweep, built through the apps' services.

Every free-text field of partner A's data carries ``SENTINEL``; the sweep asserts it never appears
in a response to partner B. ``build_sweep_objects`` returns ``{name: value}``; the registry in
``tests/security/routes.py`` fills URL kwargs from these names (``Route(kwargs={"pk": "deal"})``).
"""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts import services as account_services
from accounts.tests.factories import ChannelManagerFactory
from console.bulk_run import bulk_export_record
from deals import services as deal_services
from deals.tests.factories import make_deal
from enablement import services as enablement_services
from enablement.tests.factories import (
    PDF_BYTES,
    CertificateFactory,
    CertificationFactory,
    CourseFactory,
    LessonFactory,
    QuizFactory,
    ResourceFactory,
    make_question,
)
from events.services import record_event
from events.tests.payloads import payload
from incentives import services as incentive_services
from incentives.models import Award, Badge
from incentives.tests.factories import badge, mdf_request, rule
from notifications.models import Notification
from onboarding import services as onboarding_services
from onboarding.tests.factories import AgreementFactory, ApplicationFactory, standard_template
from partners import services as partner_services
from partners.choices import BenefitKind, ImportStage, MemberRole
from partners.models import PartnerImport, Tier, TierBenefit
from partners.tests.factories import MembershipFactory, OfferingFactory
from tiers.models import TierRequirement

SENTINEL = "SENTINEL-A-5e1d9c"
# Strings that identify partner A; none may appear in a response to partner B.
A_MARKERS = (SENTINEL, "Alpha Systems", "@alpha.example")


def build_partner_b_user(world):
    """The conftest world has B's admin only; the sweep also requests as B's plain user."""
    return MembershipFactory(partner=world.partner_b, user__email="user@bravo.example").user


def build_sweep_objects(world) -> dict:
    """Partner A's objects of every kind a URL names, each carrying the sentinel."""
    partner = world.partner_a
    a_admin, a_user = world.users["partner_a_admin"], world.users["partner_a_user"]
    manager = world.users["manager_owner"]
    partner.description = f"{SENTINEL} description"
    partner.address = f"{SENTINEL} street"
    partner.save(update_fields=["description", "address"])
    for user in (a_admin, a_user):
        user.full_name = f"{SENTINEL} Alpha"
        user.save(update_fields=["full_name"])

    invitation, invite_token = partner_services.invitation_create(
        partner=partner, email="invitee@alpha.example", invited_by=a_admin
    )
    draft = make_deal(user=a_user, customer_name=f"{SENTINEL} Draft Co", notes=SENTINEL)
    deal = make_deal(
        user=a_user,
        submit=True,
        customer_name=f"{SENTINEL} Corp",
        customer_domain="sentinel-corp.example",
        contact_email="buyer@sentinel-corp.example",
        notes=SENTINEL,
    )
    deal = deal_services.deal_approve(deal=deal, actor=manager)
    extension = deal_services.deal_extension_request(
        deal=deal, actor=a_user, days=10, reason=f"{SENTINEL} board moved"
    )
    # co-selling: A asks for vendor help on its approved deal, with a note
    help_request = deal_services.deal_help_request(
        deal=deal, actor=a_user, kind="presales", message=f"{SENTINEL} need a demo"
    )
    deal_services.deal_help_note(help_request=help_request, actor=a_admin, body=f"{SENTINEL} note")

    checklist_template = standard_template(program=partner.program)
    agreement = AgreementFactory()
    checklist = onboarding_services.checklist_start(partner=partner)
    onboarding_services.checklist_start(partner=world.partner_b)
    doc_step = checklist.steps.get(key="tax-form")
    document = onboarding_services.document_upload(
        step=doc_step,
        file=SimpleUploadedFile(f"{SENTINEL}.pdf", b"%PDF-1.4 " + SENTINEL.encode()),
        user=a_admin,
    )
    onboarding_services.survey_send(partner=partner)
    application = ApplicationFactory(company_name=f"{SENTINEL} Applicant")

    course = CourseFactory(title="Selling Widgets", slug="selling-widgets")
    course.offerings.add(OfferingFactory(slug="widgets", name="Widgets"))
    lessons = [
        LessonFactory(course=course, position=1, title="Why widgets"),
        LessonFactory(course=course, position=2, title="Pricing widgets"),
    ]
    lessons[0].attachment.save("slides.pdf", ContentFile(PDF_BYTES), save=False)
    lessons[0].attachment_name, lessons[0].attachment_type = "slides.pdf", "application/pdf"
    lessons[0].save()
    quiz = QuizFactory(course=course, pass_mark=100, max_attempts=3)
    question, choices = make_question(quiz)
    certification = CertificationFactory(name="Widget Seller", courses=[course])
    for lesson in lessons:
        enablement_services.lesson_complete(user=a_user, lesson=lesson)
    attempt = enablement_services.quiz_submit(
        user=a_user, quiz=quiz, answers={question.pk: [choices["3"].pk]}
    )
    certificate = CertificateFactory(certification=certification, user=a_user)
    resource = ResourceFactory(title="Widget pricing playbook")
    mdf_pending = mdf_request(world=world, title=f"{SENTINEL} webinar")
    mdf_claimed = mdf_request(world=world, claim=True, title=f"{SENTINEL} roadshow")
    award_rule = rule(kind="deal.won", points=10, badge=badge("closer", "Closer"))
    record_event(
        kind="deal.won",
        key="sweep-won",
        user=a_admin,
        properties=payload("deal.won", {"deal": deal.pk}),
    )
    # The program leaderboard names partners on purpose (with points only); partners may opt
    # out. A does, so the sweep also proves an opted-out partner is named nowhere to B.
    incentive_services.leaderboard_set_opt_out(partner=partner, actor=a_admin, opt_out=True)
    # a staff member for the staff page's actions (vendor admins deactivate and reactivate them)
    staff_member = ChannelManagerFactory(full_name="Sweep Staffer")
    # a requirement and a benefit on the program's second tier, for the tier setup pages
    silver = Tier.objects.get(program=partner.program, rank=2)
    tier_requirement = TierRequirement.objects.create(
        tier=silver, metric="won_deals_12m", minimum=3
    )
    tier_benefit = TierBenefit.objects.create(
        tier=silver, kind=BenefitKind.OTHER, name="Sweep swag", value="A mug"
    )
    partner_import = PartnerImport.objects.create(
        created_by=world.users["vendor_admin"],
        file_name=f"{SENTINEL}.csv",
        file_format="csv",
        stage=ImportStage.CHECKED,
    )
    api_token = account_services.api_token_create(
        user=a_admin, name=f"{SENTINEL} CRM", scope="write"
    )
    # an in-app notice of partner A's admin (nobody else may read or mark it)
    notification = Notification.objects.create(
        user=a_admin, kind="partner_message", key="sweep.notice", title=f"{SENTINEL} notice"
    )
    # a bulk action of the partner list (an export of partner A by its owner)
    bulk_action = bulk_export_record(actor=manager, partner_ids=[partner.pk])
    # a shared saved view of the partner list, the owning manager's
    saved_view = partner_services.saved_view_save(
        owner=manager, name=f"{SENTINEL} view", query="scope=all&status=active", shared=True
    )

    return {
        "partner": partner.pk,
        "membership": a_user.membership.pk,
        "a_admin_user": a_admin.pk,
        "invitation": invitation.pk,
        "invitation_token": invite_token,
        "draft_deal": draft.pk,
        "deal": deal.pk,
        "extension": extension.pk,
        "help_request": help_request.pk,
        "step": checklist.steps.get(key="kickoff").pk,
        "doc_step": doc_step.pk,
        "document": document.pk,
        "application": application.pk,
        "course": course.slug,
        "course_pk": course.pk,
        "lesson": lessons[0].pk,
        "attempt": attempt.pk,
        "certificate": certificate.code,
        "certificate_pk": certificate.pk,
        "resource": resource.pk,
        "api_token": api_token.token.pk,
        "bulk_action": bulk_action.pk,
        "notification": notification.pk,
        "saved_view": saved_view.pk,
        "staff_member": staff_member.pk,
        "partner_import": partner_import.pk,
        "checklist": checklist.pk,
        "checklist_template": checklist_template.pk,
        "template_step_key": "kickoff",
        "program": partner.program_id,
        "tier": partner.tier_id,
        "tier_requirement": tier_requirement.pk,
        "tier_benefit": tier_benefit.pk,
        "certification": certification.pk,
        "question": question.pk,
        "role": MemberRole.USER,
        "mdf_request": mdf_pending.pk,
        "mdf_claimed": mdf_claimed.pk,
        "mdf_allocation": mdf_pending.allocation_id,
        "award": Award.objects.get(partner=partner).pk,
        "badge": Badge.objects.get(slug="closer").pk,
        **_customer_objects(partner),
        **_followup_objects(world),
        **_lead_objects(world),
        **_plan_objects(world),
        **_webhook_objects(),
        **_policy_setup_objects(world, agreement=agreement, award_rule=award_rule),
        **_setup_objects(partner),
        **_sso_objects(world),
        **_experiment_objects(world),
    }


def _experiment_objects(world) -> dict:
    """A running activation experiment on partner A's program (built last: partners created in
    onboarding after it would be assigned)."""
    from onboarding.tests.factories import running_experiment

    experiment = running_experiment(
        program=world.partner_a.program, actor=world.users["vendor_admin"], name=f"{SENTINEL} test"
    )
    return {"experiment": experiment.pk}


def _policy_setup_objects(world, *, agreement, award_rule) -> dict:
    """What the program setup pages name (agreement versions, owner rules, registration
    policies, award rules)."""
    from deals.models import RegistrationPolicy
    from onboarding.models import OwnerRule
    from partners.choices import Region

    owner_rule = OwnerRule.objects.create(region=Region.EMEA, manager=world.users["manager_owner"])
    policy = RegistrationPolicy.objects.create(
        program=world.partner_a.program, protection_days=60, warning_days=10
    )
    return {
        "agreement": agreement.pk,
        "owner_rule": owner_rule.pk,
        "registration_policy": policy.pk,
        "award_rule": award_rule.pk,
    }


def _sso_objects(world) -> dict:
    """Partner A's company identity provider (single sign-on setup)."""
    from partners.sso import identity_provider_create

    idp = identity_provider_create(
        actor=world.users["vendor_admin"],
        data={
            "partner": world.partner_a,
            "name": f"{SENTINEL} IdP",
            "domains": "alpha-sso.example",
            "server_url": "https://login.alpha-sso.example",
            "client_id": "alpha-client",
            "client_secret": "alpha-client-secret",
            "is_active": True,
        },
    )
    # The vendor staff's SAML IdP: its SP metadata and ACS are public routes (docs/sso.md).
    from tests.sso.saml_idp import ENTITY_ID, SSO_URL, key_pair

    saml = identity_provider_create(
        actor=world.users["vendor_admin"],
        data={
            "partner": None,
            "name": "Staff SAML IdP",
            "protocol": "saml",
            "domains": "vendor-sso.example",
            "saml_entity_id": ENTITY_ID,
            "saml_sso_url": SSO_URL,
            "saml_certificate": key_pair().cert_text,
            "is_active": True,
        },
    )
    return {"identity_provider": idp.pk, "saml_idp": saml.social_app.provider_id}


def _setup_objects(partner) -> dict:
    """The program setup pages' objects: A's partner type, an offering and its adoption rule."""
    from metrics.models import OfferingAdoptionRule
    from partners.models import Offering

    offering = Offering.objects.get(slug="widgets")
    rule = OfferingAdoptionRule.objects.create(
        offering=offering, description="A deal won", kinds=["deal.won"], window_days=90
    )
    return {
        "partner_type": partner.partner_type_id,
        "offering": offering.pk,
        "adoption_rule": rule.pk,
    }


def _followup_objects(world) -> dict:
    """Vendor staff's note and task on partner A, both by its owning channel manager."""
    from followup import services as followup_services

    manager = world.users["manager_owner"]
    note = followup_services.note_add(
        actor=manager, partner=world.partner_a, body=f"{SENTINEL} note"
    )
    task = followup_services.task_create(
        actor=manager,
        partner=world.partner_a,
        title=f"{SENTINEL} call back",
        due_on=timezone.localdate(),
        assignee=manager,
    )
    return {"note": note.pk, "task": task.pk}


def _lead_objects(world) -> dict:
    """A vendor lead offered to partner A (waiting for its answer) and a routing rule."""
    from datetime import timedelta

    from leads import services as lead_services
    from leads.choices import LeadStatus
    from leads.models import LeadOffer, RoutingRule

    manager = world.users["manager_owner"]
    program = world.partner_a.program
    rule = RoutingRule.objects.create(program=program, name=f"{SENTINEL} rule")
    lead, _created = lead_services.lead_create(
        actor=manager, route=False, program=program, company=f"{SENTINEL} Lead Co",
        domain="sentinel-lead.example", region="emea", contact_email="ceo@sentinel-lead.example",
        notes=SENTINEL,
    )  # fmt: skip
    now = timezone.now()
    LeadOffer.objects.create(
        lead=lead, partner=world.partner_a, rule=rule, offered_at=now,
        deadline=now + timedelta(hours=48), why={"rule": rule.pk, "rule_name": rule.name},
    )  # fmt: skip
    lead.status = LeadStatus.OFFERED
    lead.save(update_fields=["status"])
    return {"lead": lead.pk, "lead_rule": rule.pk}


def _plan_objects(world) -> dict:
    """Partner A's business plans: a draft (goal, initiative, commitment, comment), a submitted
    one (by A's admin: vendor staff decide) and an approved one, each of its own period."""
    from plans import services as plan_services

    admin, manager = world.users["partner_a_admin"], world.users["manager_owner"]
    year = timezone.localdate().year

    def plan(quarter, submit=False, approve=False):
        made = plan_services.plan_create(
            actor=admin, partner=world.partner_a, fiscal_year=year, quarter=quarter,
            summary=f"{SENTINEL} plan",
        )  # fmt: skip
        goal = plan_services.goal_add(actor=admin, plan=made, text=f"{SENTINEL} goal")
        if submit:
            plan_services.plan_submit(actor=admin, plan=made)
        if approve:
            plan_services.plan_approve(actor=manager, plan=made)
        return made, goal

    draft, goal = plan(0)
    initiative = plan_services.initiative_add(
        actor=admin, plan=draft, title=f"{SENTINEL} initiative", owner_side="partner"
    )
    commitment = plan_services.commitment_add(
        actor=manager, plan=draft, kind="other", text=f"{SENTINEL} commitment"
    )
    plan_services.comment_add(actor=admin, plan=draft, body=f"{SENTINEL} comment")
    submitted, _goal = plan(1, submit=True)
    approved, _goal = plan(2, submit=True, approve=True)
    review = plan_services.review_schedule(
        actor=manager, partner=world.partner_a, title=f"{SENTINEL} review",
        starts_at=timezone.now() + timedelta(days=7), agenda=f"{SENTINEL} agenda",
        attendees=[manager, admin], plan=approved,
    )  # fmt: skip
    action = plan_services.action_item_add(
        actor=manager, review=review, text=f"{SENTINEL} action", owner_side="vendor", owner=manager
    )
    return {
        "review": review.pk,
        "review_action": action.pk,
        "plan": draft.pk,
        "plan_goal": goal.pk,
        "plan_initiative": initiative.pk,
        "plan_commitment": commitment.pk,
        "submitted_plan": submitted.pk,
        "approved_plan": approved.pk,
    }


def _webhook_objects() -> dict:
    from webhooks import services as webhook_services

    issued = webhook_services.endpoint_create(
        url="https://93.184.216.34/hooks", event_types=["deal.won"]
    )
    delivery = webhook_services.delivery_send_test(endpoint=issued.endpoint)
    return {"webhook_endpoint": issued.endpoint.pk, "webhook_delivery": delivery.pk}


def _customer_objects(partner) -> dict:
    from customers import services as customer_services

    account = customer_services.customer_account_create(
        partner=partner, external_id="SENTINEL-ACCT", name=f"{SENTINEL} Customer"
    )
    seats = customer_services.seat_license_set(account=account, seats=12)
    return {"customer_account": account.pk, "seat_license": seats.pk}
