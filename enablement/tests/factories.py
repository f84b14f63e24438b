import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from enablement.choices import QuestionKind, ResourceKind
from enablement.models import (
    Certificate,
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

# Smallest valid PDF-looking content: the magic bytes are what the upload check reads.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Course {n}")
    slug = factory.Sequence(lambda n: f"course-{n}")
    summary = "Learn the essentials."
    is_published = True


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    course = factory.SubFactory(CourseFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Lesson {n}")
    body = "Some **text**."


class QuizFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quiz

    course = factory.SubFactory(CourseFactory)
    title = "Final quiz"
    pass_mark = 100
    max_attempts = 3


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    quiz = factory.SubFactory(QuizFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Question {n}?")
    kind = QuestionKind.SINGLE


class ChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory)
    text = factory.Sequence(lambda n: f"Choice {n}")
    is_correct = False


def make_question(quiz, text="What is 2 + 2?", right=("4",), wrong=("3", "5"), kind=None):
    """A question with its choices; returns (question, {text: choice})."""
    question = QuestionFactory(
        quiz=quiz,
        text=text,
        kind=kind or (QuestionKind.MULTIPLE if len(right) > 1 else QuestionKind.SINGLE),
    )
    choices = {}
    for position, label in enumerate([*right, *wrong], start=1):
        choices[label] = ChoiceFactory(
            question=question, text=label, is_correct=label in right, position=position
        )
    return question, choices


class CertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certification
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Certified Expert {n}")
    slug = factory.Sequence(lambda n: f"cert-{n}")
    validity_days = 365
    renewal_window_days = 60
    is_published = True

    @factory.post_generation
    def courses(self, create, extracted, **kwargs):
        if create and extracted:
            self.courses.set(extracted)


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certificate

    certification = factory.SubFactory(CertificationFactory)
    user = factory.SubFactory("accounts.tests.factories.UserFactory")
    partner = factory.LazyAttribute(lambda o: o.user.membership.partner)
    holder_name = factory.LazyAttribute(lambda o: o.user.get_full_name())
    earned_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=365))


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResourceCategory
        django_get_or_create = ("slug",)

    name = "Sales playbooks"
    slug = "sales-playbooks"


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"tag {n}")
    slug = factory.Sequence(lambda n: f"tag-{n}")


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Resource {n}")
    summary = "A useful document."
    kind = ResourceKind.DOCUMENT
    category = factory.SubFactory(CategoryFactory)
    file = factory.LazyFunction(lambda: ContentFile(PDF_BYTES, name="guide.pdf"))
    file_name = "guide.pdf"
    file_type = "application/pdf"
    file_size = len(PDF_BYTES)
    is_published = True
