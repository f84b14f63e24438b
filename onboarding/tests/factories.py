import factory

from onboarding.choices import HeardFrom, StepKind
from onboarding.models import Agreement, ChecklistTemplate, PartnerApplication, TemplateStep
from partners.tests.factories import PartnerTypeFactory


class ChecklistTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChecklistTemplate

    name = factory.Sequence(lambda n: f"Activation path {n}")


class TemplateStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TemplateStep

    template = factory.SubFactory(ChecklistTemplateFactory)
    key = factory.Sequence(lambda n: f"step-{n}")
    position = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"Step {n}")
    why = "Partners who do this sell sooner."
    kind = StepKind.CUSTOM
    due_days = 7


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    version = factory.Sequence(lambda n: f"2026.{n}")
    body = "The partner agrees to be excellent."


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerApplication

    company_name = factory.Sequence(lambda n: f"Applicant {n} GmbH")
    website = factory.Sequence(lambda n: f"https://applicant{n}.example")
    domain = factory.Sequence(lambda n: f"applicant{n}.example")
    country = "DE"
    partner_type = factory.SubFactory(PartnerTypeFactory)
    contact_name = "Ada Applicant"
    contact_email = factory.Sequence(lambda n: f"ada{n}@applicant.example")
    sells = "Cloud migrations"
    heard_from = HeardFrom.EVENT


def standard_template(**kwargs) -> ChecklistTemplate:
    """A template with one step of each main kind (course 12, certification 7, 2 colleagues)."""
    template = ChecklistTemplateFactory(**kwargs)
    steps = [
        ("agreement", StepKind.AGREEMENT, {}),
        ("profile", StepKind.PROFILE, {}),
        ("course", StepKind.COURSE, {"subject_id": "12", "link_url": "/training/courses/12/"}),
        ("certification", StepKind.CERTIFICATION, {"subject_id": "7"}),
        ("first-deal", StepKind.FIRST_DEAL, {"due_days": 30}),
        ("colleagues", StepKind.INVITE, {"target_count": 2}),
        ("tax-form", StepKind.DOCUMENT, {}),
        ("kickoff", StepKind.CUSTOM, {}),
        ("newsletter", StepKind.EVENT, {"required": False, "event_kind": "resource.viewed"}),
    ]
    for position, (key, kind, extra) in enumerate(steps):
        TemplateStepFactory(
            template=template, key=key, kind=kind, position=position, title=key.title(), **extra
        )
    return template


def running_experiment(*, program, actor, weights=(1, 1), start=True, **data):
    """An experiment on ``program`` through the real services: one checklist template with one
    required step per variant (the first inactive one is what other partners never get)."""
    from onboarding.experiments import services as experiment_services

    variants = []
    for i, weight in enumerate(weights):
        template = ChecklistTemplateFactory(
            program=program, name=f"Variant {'ABCD'[i]}", is_active=(i == 0)
        )
        TemplateStepFactory(template=template, key="first", title=f"First step {i}")
        TemplateStepFactory(template=template, key="second", title=f"Second step {i}")
        variants.append((template, weight))
    design = {"baseline_rate": "20", "min_difference": "10", "name": "Shorter path", **data}
    experiment = experiment_services.experiment_create(
        actor=actor, data={"program": program, **design}, variants=variants
    )
    if start:
        experiment = experiment_services.experiment_start(actor=actor, experiment=experiment)
    return experiment
