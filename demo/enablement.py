"""Demo catalog for the enablement pages: courses with lessons and quizzes, certifications and a
resource library. Idempotent (looked up by slug / title), deterministic, and made only of real
objects going through the same models the admin writes."""

from django.core.files.base import ContentFile
from django.db import transaction

from enablement.choices import QuestionKind, ResourceKind
from enablement.models import (
    Certification,
    Choice,
    Course,
    Lesson,
    Question,
    Quiz,
    Resource,
    ResourceCategory,
    Tag,
)
from kernel.uploads import inspect_upload
from partners.models import Offering, Tier

# slug: (title, summary, lesson titles, offering slug, quiz [(question, right, wrong)])
COURSES = {
    "platform-fundamentals": (
        "Platform fundamentals",
        "What the platform does, for whom, and how partners make money with it.",
        ["The platform in ten minutes", "Who buys it and why", "Editions and licensing",
         "Deployment options", "Support and escalation", "Your first customer conversation"],
        "cloud-platform",
        [("Which edition includes single sign-on?", ["Business", "Enterprise"], ["Starter"]),
         ("Who opens a support case for a resold customer?", ["The partner"], ["The customer", "Nobody"])],
    ),
    "deal-registration-basics": (
        "Deal registration basics",
        "Register opportunities early and keep them protected.",
        ["Why register deals", "What a complete registration contains", "Protection and extensions"],
        None,
        [],
    ),
    "selling-the-cloud-platform": (
        "Selling the Cloud Platform",
        "Discovery questions, objections and pricing for the Cloud Platform.",
        ["Discovery", "Handling objections", "Pricing and discounts", "Competitive positioning",
         "Closing"],
        "cloud-platform",
        [],
    ),
    "partner-marketing-101": (
        "Partner marketing 101",
        "Co-branded campaigns with the marketing assets from the library.",
        ["Planning a campaign", "Using co-branded assets", "Events and webinars", "Measuring results"],
        None,
        [],
    ),
    "managed-services-delivery": (
        "Managed services delivery",
        "Run managed services on the platform to the vendor's quality bar.",
        ["Service catalogue", "Onboarding a customer", "Monitoring", "Incident response",
         "Change management", "Reporting", "Renewals", "Quality reviews"],
        "managed-services",
        [("How often are quality reviews held?", ["Quarterly"], ["Never", "Every ten years"])],
    ),
    "ai-assistant-essentials": (
        "AI Assistant essentials",
        "Position, demo and deploy the AI Assistant responsibly.",
        ["What the assistant does", "Data protection", "Demo script", "Deployment", "Adoption"],
        "ai-assistant",
        [("Where is customer data processed?", ["In the customer's chosen region"],
          ["Anywhere", "On the partner's laptop"])],
    ),
}  # fmt: skip
CERTIFICATIONS = {
    "platform-associate": ("Platform Associate", ["platform-fundamentals"], 730),
    "services-professional": ("Managed Services Professional", ["managed-services-delivery"], 365),
    "ai-specialist": ("AI Specialist", ["ai-assistant-essentials"], 365),
}
CATEGORIES = [
    ("sales-playbooks", "Sales playbooks"),
    ("technical-guides", "Technical guides"),
    ("marketing-assets", "Marketing assets"),
]
# title: (category, kind, language, marketing asset, minimum tier rank, tags, summary)
RESOURCES = {
    "Cloud Platform battlecard": ("sales-playbooks", "document", "en", False, None,
                                  ["competition", "cloud"], "Win against the usual alternatives."),
    "AI Assistant pitch deck": ("sales-playbooks", "document", "en", False, None, ["ai"],
                                "The story, the demo and the pricing in twelve slides."),
    "Pricing sheet": ("sales-playbooks", "document", "en", False, 2, ["pricing"],
                      "Partner prices and discount bands (Silver and above)."),
    "Partner logo pack": ("marketing-assets", "image", "en", True, None, ["brand"],
                          "Logos for co-branded material."),
    "Managed services brief": ("technical-guides", "document", "en", False, None, ["services"],
                               "Reference architecture and runbooks for managed services."),
    "Co-marketing email templates": ("marketing-assets", "document", "en", True, None,
                                     ["campaigns"], "Ready-to-send campaign emails."),
    "Competitive matrix": ("sales-playbooks", "document", "en", False, 3, ["competition"],
                           "Feature-by-feature comparison (Gold partners)."),
    "Retail case study": ("sales-playbooks", "document", "en", True, None, ["retail"],
                          "How a retailer cut costs by a third."),
}  # fmt: skip
GERMAN = {"Cloud Platform battlecard": "Cloud-Plattform Battlecard"}


def _pdf(title: str) -> bytes:
    """A small valid one-page PDF whose text is the title."""
    text = title.replace("(", "").replace(")", "")
    stream = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


PNG_1PX = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def _lesson_body(course_title: str, lesson_title: str) -> str:
    return (
        f"## {lesson_title}\n\nThis lesson of **{course_title}** covers {lesson_title.lower()}.\n\n"
        "- What it is\n- Why customers care\n- What you do next\n\n"
        "> Tip: note one customer you will talk to about this.\n"
    )


def _attach(resource: Resource, name: str, data: bytes) -> None:
    content = ContentFile(data, name=name)
    info = inspect_upload(content, name=name)  # the same check as an admin upload
    resource.file.save(name, content, save=False)
    resource.file_name, resource.file_type, resource.file_size = (
        info.name,
        info.content_type,
        info.size,
    )


@transaction.atomic
def seed_enablement(*, program=None) -> dict[str, int]:
    """Create the demo catalog once; returns how many objects of each kind exist afterwards."""
    offerings = {o.slug: o for o in Offering.objects.all()}
    for slug, (title, summary, lessons, offering, questions) in COURSES.items():
        course, created = Course.objects.get_or_create(
            slug=slug,
            defaults={
                "title": title,
                "summary": summary,
                "description": f"{summary}\n\nAbout {len(lessons) * 8} minutes.",
                "estimated_minutes": len(lessons) * 8,
                "required_for_onboarding": slug == "platform-fundamentals",
                "is_published": True,
            },
        )
        if not created:
            continue
        if offering in offerings:
            course.offerings.add(offerings[offering])
        for position, lesson_title in enumerate(lessons, start=1):
            Lesson.objects.create(
                course=course,
                position=position,
                title=lesson_title,
                body=_lesson_body(title, lesson_title),
            )
        if questions:
            quiz = Quiz.objects.create(
                course=course, title=f"{title}: final quiz", pass_mark=70, max_attempts=3
            )
            for q_position, (text, right, wrong) in enumerate(questions, start=1):
                question = Question.objects.create(
                    quiz=quiz,
                    position=q_position,
                    text=text,
                    kind=QuestionKind.MULTIPLE if len(right) > 1 else QuestionKind.SINGLE,
                )
                for c_position, label in enumerate([*right, *wrong], start=1):
                    Choice.objects.create(
                        question=question,
                        position=c_position,
                        text=label,
                        is_correct=label in right,
                    )
    for slug, (name, course_slugs, validity) in CERTIFICATIONS.items():
        certification, created = Certification.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "validity_days": validity, "is_published": True},
        )
        if created:
            certification.courses.set(Course.objects.filter(slug__in=course_slugs))
    categories = {
        slug: ResourceCategory.objects.get_or_create(
            slug=slug, defaults={"name": name, "position": position}
        )[0]
        for position, (slug, name) in enumerate(CATEGORIES)
    }
    tiers = Tier.objects.filter(program=program) if program is not None else Tier.objects.none()
    for title, (category, kind, language, marketing, min_rank, tags, summary) in RESOURCES.items():
        if Resource.objects.filter(title=title).exists():
            continue
        resource = Resource(
            title=title,
            summary=summary,
            body=f"**{title}**: {summary}",
            kind=kind,
            category=categories[category],
            language=language,
            marketing_asset=marketing,
            is_published=True,
            min_tier=tiers.filter(rank=min_rank).first() if min_rank else None,
        )
        if kind == ResourceKind.IMAGE:
            _attach(resource, "logo.png", PNG_1PX)
        else:
            _attach(resource, f"{title}.pdf", _pdf(title))
        resource.save()
        for tag in tags:
            resource.tags.add(Tag.objects.get_or_create(slug=tag, defaults={"name": tag})[0])
        if title in GERMAN:
            variant = Resource(
                title=GERMAN[title],
                summary=summary,
                kind=kind,
                category=categories[category],
                language="de",
                variant_of=resource,
                is_published=True,
            )
            _attach(variant, f"{GERMAN[title]}.pdf", _pdf(GERMAN[title]))
            variant.save()
    return {
        "courses": Course.objects.count(),
        "certifications": Certification.objects.count(),
        "resources": Resource.objects.count(),
    }
