"""Every enablement route as every persona, audience targeting by URL guessing, a cross-partner
sentinel sweep, answers kept out of the browser, and bounded query counts."""

import re

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from enablement import services
from enablement.models import QuizAttempt
from enablement.tests.factories import (
    PDF_BYTES,
    CertificateFactory,
    CourseFactory,
    LessonFactory,
    ResourceFactory,
    TagFactory,
)
from partners.tests.factories import PartnerTypeFactory, ProgramFactory, TierFactory
from tests.roles import LOGIN, assert_role_matrix

pytestmark = pytest.mark.django_db

STAFF_OK = {"manager_owner": 200, "manager_other": 200, "vendor_admin": 200}
STAFF_404 = {"manager_owner": 404, "manager_other": 404, "vendor_admin": 404}
EVERYONE_OK = {
    "anonymous": LOGIN,
    "partner_a_admin": 200,
    "partner_a_user": 200,
    "partner_b_admin": 200,
}


def redirected(response):
    return response.status_code == 302


@pytest.fixture
def content(world, course_setup):
    lesson = course_setup["lessons"][0]
    lesson.attachment.save("slides.pdf", ContentFile(PDF_BYTES), save=False)
    lesson.attachment_name, lesson.attachment_type = "slides.pdf", "application/pdf"
    lesson.save()
    resource = ResourceFactory(title="Widget pricing playbook")
    return course_setup | {"resource": resource}


def test_catalog_course_lesson_and_library_pages_are_for_partner_members_and_staff(
    client_as, content
):
    course, lesson, resource = content["course"], content["lessons"][0], content["resource"]
    for url in [
        reverse("enablement:catalog"),
        reverse("enablement:course_detail", args=[course.slug]),
        reverse("enablement:lesson", args=[course.slug, lesson.pk]),
        reverse("enablement:lesson_file", args=[lesson.pk]),
        reverse("enablement:library"),
        reverse("enablement:resource_detail", args=[resource.pk]),
        reverse("enablement:resource_download", args=[resource.pk]),
    ]:
        assert_role_matrix(client_as, url, EVERYONE_OK | STAFF_OK)


def test_learning_actions_are_for_partner_members_only(client_as, content):
    course, lesson = content["course"], content["lessons"][0]
    learners = {
        "anonymous": LOGIN,
        "partner_a_admin": redirected,
        "partner_a_user": redirected,
        "partner_b_admin": redirected,
    }
    for url in [
        reverse("enablement:course_start", args=[course.slug]),
        reverse("enablement:lesson", args=[course.slug, lesson.pk]),
        reverse("enablement:course_restart", args=[course.slug]),
    ]:
        assert_role_matrix(client_as, url, learners | STAFF_404, method="post")
    # Staff see the quiz as a preview, but cannot submit it.
    assert_role_matrix(
        client_as, reverse("enablement:quiz", args=[course.slug]), EVERYONE_OK | STAFF_OK
    )
    bad_answers = {
        "anonymous": LOGIN,
        "partner_a_admin": 400,
        "partner_a_user": 400,
        "partner_b_admin": 400,
    }
    assert_role_matrix(
        client_as,
        reverse("enablement:quiz", args=[course.slug]),
        bad_answers | STAFF_404,
        method="post",
        data={},
    )


def test_a_quiz_attempt_is_visible_to_its_taker_only(client_as, world, content):
    user = world.users["partner_a_user"]
    for lesson in content["lessons"]:
        services.lesson_complete(user=user, lesson=lesson)
    attempt = services.quiz_submit(
        user=user,
        quiz=content["quiz"],
        answers={content["question"].pk: [content["choices"]["3"].pk]},
    )
    assert_role_matrix(
        client_as,
        reverse("enablement:attempt", args=[attempt.pk]),
        {"anonymous": LOGIN, "partner_a_admin": 404, "partner_a_user": 200, "partner_b_admin": 404}
        | STAFF_404,
    )


def test_a_certificate_page_is_for_its_holder_their_partner_admin_and_staff(
    client_as, world, content
):
    certificate = CertificateFactory(
        certification=content["certification"], user=world.users["partner_a_user"]
    )
    assert_role_matrix(
        client_as,
        reverse("enablement:certificate_detail", args=[certificate.code]),
        {"anonymous": LOGIN, "partner_a_admin": 200, "partner_a_user": 200, "partner_b_admin": 404}
        | STAFF_OK,
    )


def test_verification_is_public_and_shows_only_what_a_verifier_needs(client_as, world, content):
    user = world.users["partner_a_user"]
    certificate = CertificateFactory(certification=content["certification"], user=user)
    everyone = dict.fromkeys(
        ["anonymous", "partner_a_admin", "partner_a_user", "partner_b_admin"], 200
    )
    url = reverse("enablement:verify_code", args=[certificate.code])
    assert_role_matrix(client_as, url, everyone | STAFF_OK)
    assert_role_matrix(client_as, reverse("enablement:verify"), everyone | STAFF_OK)
    page = client_as("anonymous").get(url).content.decode()
    assert certificate.holder_name in page
    assert content["certification"].name in page
    assert "Valid" in page
    assert user.email not in page
    assert world.partner_a.name not in page


def test_verification_of_an_unknown_or_expired_code_says_so(client, world, content):
    response = client.get(reverse("enablement:verify_code", args=["NOPE-NOPE-NOPE"]))
    assert response.status_code == 404
    assert "No certificate has the code" in response.content.decode()
    expired = CertificateFactory(
        certification=content["certification"],
        user=world.users["partner_a_user"],
        expires_at=timezone.now() - timezone.timedelta(days=1),
    )
    page = client.get(reverse("enablement:verify_code", args=[expired.code.lower()]))
    assert page.status_code == 200 and "Expired" in page.content.decode()
    form = client.get(reverse("enablement:verify"), {"code": f"  {expired.code.lower()} "})
    assert form.status_code == 302 and form["Location"].endswith(f"/verify/{expired.code}/")


@pytest.fixture
def gold_world(world):
    """Partner A climbs to Gold (rank 3); partner B stays at the entry tier."""
    program = world.partner_a.program
    silver = program.tiers.get(rank=2)
    gold = TierFactory(program=program, rank=3, name="Gold")
    world.partner_a.tier = gold
    world.partner_a.save()
    return {"silver": silver, "gold": gold}


def test_a_resource_for_gold_partners_is_unreachable_for_others_even_by_url(
    client_as, world, gold_world
):
    gold_only = ResourceFactory(title="Gold deal desk guide", min_tier=gold_world["gold"])
    TagFactory(name="deal desk", slug="deal-desk").resources.add(gold_only)
    detail = reverse("enablement:resource_detail", args=[gold_only.pk])
    download = reverse("enablement:resource_download", args=[gold_only.pk])
    expected = {
        "anonymous": LOGIN,
        "partner_a_admin": 200,
        "partner_a_user": 200,
        "partner_b_admin": 404,
    } | STAFF_OK
    assert_role_matrix(client_as, detail, expected)
    assert_role_matrix(client_as, download, expected)
    b = client_as("partner_b_admin")
    for params in [{}, {"q": "Gold deal desk"}, {"tag": "deal-desk"}]:
        assert (
            "Gold deal desk guide"
            not in b.get(reverse("enablement:library"), params).content.decode()
        )
    a_page = client_as("partner_a_user").get(reverse("enablement:library"), {"q": "desk guide"})
    assert "Gold deal desk guide" in a_page.content.decode()


def test_tier_targeting_means_this_tier_or_higher_within_the_same_program(world, gold_world):
    from enablement import selectors

    silver_plus = ResourceFactory(min_tier=gold_world["silver"])
    user_a, user_b = world.users["partner_a_user"], world.users["partner_b_admin"]
    assert selectors.resource_list_for_user(user=user_a).filter(pk=silver_plus.pk).exists()
    assert not selectors.resource_list_for_user(user=user_b).filter(pk=silver_plus.pk).exists()
    # A rank-3 tier of another program does not qualify for this program's Silver.
    other_program = ProgramFactory(name="Other", slug="other")
    foreign_gold = TierFactory(program=other_program, rank=3)
    partner_b = world.partner_b
    partner_b.program, partner_b.tier = other_program, foreign_gold
    partner_b.save()
    user_b = type(user_b).objects.get(pk=user_b.pk)
    assert not selectors.resource_list_for_user(user=user_b).filter(pk=silver_plus.pk).exists()


def test_program_and_partner_type_targeting_hide_courses_by_url(client_as, world):
    integrators = PartnerTypeFactory(name="Integrator", slug="integrator")
    course = CourseFactory(title="Integration deep dive")
    course.partner_types.add(integrators)
    lesson = LessonFactory(course=course)
    other = CourseFactory(title="Other program only")
    other.programs.add(ProgramFactory(name="Other", slug="other"))
    for c, lesson_pk in [(course, lesson.pk), (other, LessonFactory(course=other).pk)]:
        for url in [
            reverse("enablement:course_detail", args=[c.slug]),
            reverse("enablement:lesson", args=[c.slug, lesson_pk]),
            reverse("enablement:lesson_file", args=[lesson_pk]),
        ]:
            assert client_as("partner_a_user").get(url).status_code == 404
    world.partner_b.partner_type = integrators
    world.partner_b.save()
    assert (
        client_as("partner_b_admin")
        .get(reverse("enablement:course_detail", args=[course.slug]))
        .status_code
        == 200
    )


def test_drafts_are_hidden_from_partners_but_previewable_by_staff(client_as):
    draft = CourseFactory(title="Draft course", is_published=False)
    url = reverse("enablement:course_detail", args=[draft.slug])
    assert client_as("partner_a_user").get(url).status_code == 404
    page = client_as("vendor_admin").get(url)
    assert page.status_code == 200 and "Preview" in page.content.decode()


def test_partner_a_data_never_appears_in_partner_b_pages(client_as, world, content):
    sentinel = "Sentinel Zebra Alpha"
    user = world.users["partner_a_user"]
    user.full_name = sentinel
    user.save()
    for lesson in content["lessons"]:
        services.lesson_complete(user=user, lesson=lesson)
    services.quiz_submit(
        user=user,
        quiz=content["quiz"],
        answers={content["question"].pk: [content["choices"]["4"].pk]},
    )
    b = client_as("partner_b_admin")
    course = content["course"]
    for url in [
        reverse("enablement:catalog"),
        reverse("enablement:course_detail", args=[course.slug]),
        reverse("enablement:lesson", args=[course.slug, content["lessons"][0].pk]),
        reverse("enablement:quiz", args=[course.slug]),
        reverse("enablement:library"),
        reverse("partners:home"),
    ]:
        response = b.get(url)
        assert response.status_code == 200, url
        assert sentinel not in response.content.decode(), url
    # The same pages do show it to partner A's admin (so the sweep above is not vacuous).
    a_admin = client_as("partner_a_admin")
    code = user.certificates.get().code
    assert (
        sentinel
        in a_admin.get(reverse("enablement:certificate_detail", args=[code])).content.decode()
    )
    assert b.get(reverse("enablement:certificate_detail", args=[code])).status_code == 404


def test_the_quiz_page_does_not_reveal_the_right_answers(client_as, world, content):
    user = world.users["partner_a_user"]
    for lesson in content["lessons"]:
        services.lesson_complete(user=user, lesson=lesson)
    client = client_as("partner_a_user")
    url = reverse("enablement:quiz", args=[content["course"].slug])
    before = client.get(url).content.decode()
    choices = content["choices"]
    choices["4"].is_correct, choices["3"].is_correct = False, True
    choices["4"].save()
    choices["3"].save()
    after = client.get(url).content.decode()

    def form_html(html):
        return re.sub(
            r'name="csrfmiddlewaretoken" value="[^"]+"', "", html.split('id="quiz-form"')[1]
        )

    assert form_html(before) == form_html(after)  # which answer is right changes nothing sent


def test_failing_then_passing_the_quiz_through_the_pages(client_as, world, content):
    client = client_as("partner_a_user")
    course = content["course"]
    client.post(reverse("enablement:course_start", args=[course.slug]))
    for lesson in content["lessons"]:
        client.post(reverse("enablement:lesson", args=[course.slug, lesson.pk]))
    field = f"q_{content['question'].pk}"
    quiz_url = reverse("enablement:quiz", args=[course.slug])
    failed = client.post(quiz_url, {field: str(content["choices"]["3"].pk)})
    assert failed.status_code == 302
    result = client.get(failed["Location"]).content.decode()
    assert "Not passed" in result and "(right answer)" not in result
    passed = client.post(quiz_url, {field: str(content["choices"]["4"].pk)})
    result = client.get(passed["Location"]).content.decode()
    assert "Passed with 100%" in result and "View your certificate" in result
    forged = client.post(quiz_url, {field: "999999"})
    assert forged.status_code == 400
    assert QuizAttempt.objects.count() == 2


def test_course_pages_show_lessons_done_out_of_total(client_as, world, content):
    user = world.users["partner_a_user"]
    services.lesson_complete(user=user, lesson=content["lessons"][0])
    client = client_as("partner_a_user")
    detail = client.get(reverse("enablement:course_detail", args=[content["course"].slug]))
    assert "1 of 2 lessons" in detail.content.decode()
    home = client.get(reverse("partners:home")).content.decode()
    assert "Courses in progress" in home and "1 of 2 lessons" in home


def test_library_marks_resources_new_since_the_last_visit(client_as, world):
    client = client_as("partner_a_user")
    start = timezone.now()
    ResourceFactory(title="Old guide", published_at=start - timezone.timedelta(days=5))
    import time_machine

    with time_machine.travel(start, tick=False):
        assert ">New<" not in client.get(reverse("enablement:library")).content.decode()
    ResourceFactory(title="Fresh battlecard", published_at=start + timezone.timedelta(days=1))
    with time_machine.travel(start + timezone.timedelta(days=2), tick=False):
        page = client.get(reverse("enablement:library")).content.decode()
    fresh = page.split("Fresh battlecard")[1].split("</div>")[0]
    old = page.split("Old guide")[1].split("</div>")[0]
    assert ">New<" in fresh and ">New<" not in old


def test_viewing_and_downloading_record_adoption_events(client_as, world, content):
    from events.models import Event

    resource = content["resource"]
    client = client_as("partner_a_user")
    client.get(reverse("enablement:resource_detail", args=[resource.pk]))
    response = client.get(reverse("enablement:resource_download", args=[resource.pk]))
    b"".join(response.streaming_content)
    viewed = Event.objects.get(kind="resource.viewed")
    assert viewed.properties == {
        "resource": resource.pk,
        "category": "sales-playbooks",
        "marketing_asset": False,
        "offerings": [],
    }
    assert Event.objects.filter(kind="resource.downloaded", partner=world.partner_a).count() == 1
    client_as("vendor_admin").get(reverse("enablement:resource_detail", args=[resource.pk]))
    assert Event.objects.filter(kind="resource.viewed").count() == 1  # staff previews do not count


def test_unsafe_markdown_is_neutralised_on_lesson_pages(client_as, content):
    lesson = content["lessons"][0]
    lesson.body = (
        "<script>alert(1)</script>\n\n"
        '[x](javascript:alert(2)) <img src=x onerror="alert(3)"> **bold**'
    )
    lesson.save()
    page = (
        client_as("partner_a_user")
        .get(reverse("enablement:lesson", args=[content["course"].slug, lesson.pk]))
        .content.decode()
    )
    assert "<script>alert(1)" not in page
    assert "javascript:alert" not in page
    assert "onerror" not in page
    assert "<strong>bold</strong>" in page


def test_catalog_query_count_does_not_grow_with_courses(
    client_as, world, django_assert_max_num_queries
):
    client = client_as("partner_a_user")
    client.get(reverse("enablement:catalog"))
    for _ in range(15):
        course = CourseFactory()
        LessonFactory(course=course)
        services.lesson_complete(user=world.users["partner_a_user"], lesson=course.lessons.get())
    with django_assert_max_num_queries(12):
        assert client.get(reverse("enablement:catalog")).status_code == 200


def test_library_query_count_does_not_grow_with_resources(client_as, django_assert_max_num_queries):
    client = client_as("partner_a_user")
    client.get(reverse("enablement:library"))
    tag = TagFactory()
    for _ in range(30):
        tag.resources.add(ResourceFactory())
    # Postgres looks the tagged ids up first (one more query, so both index scans can be used).
    # +1: the bell's unread count in the nav (notifications, issue 19)
    with django_assert_max_num_queries(14 if connection.vendor == "postgresql" else 13):
        assert client.get(reverse("enablement:library"), {"q": "Resource"}).status_code == 200


def test_course_page_query_count_does_not_grow_with_lessons(
    client_as, world, content, django_assert_max_num_queries
):
    client = client_as("partner_a_user")
    url = reverse("enablement:course_detail", args=[content["course"].slug])
    client.get(url)
    for position in range(3, 30):
        LessonFactory(course=content["course"], position=position)
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200


def test_staff_quiz_preview_shows_questions_but_not_the_answers(client_as, content):
    page = client_as("vendor_admin").get(reverse("enablement:quiz", args=[content["course"].slug]))
    html = page.content.decode()
    assert "Preview" in html and content["question"].text in html
    assert "Submit answers" not in html


ADMIN_MODELS = [
    "course", "quiz", "question", "quizattempt", "certification", "certificate",
    "resourcecategory", "tag", "resource",
]  # fmt: skip


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_admin_pages_render_for_vendor_admins_only(client_as, content, model):
    from django.urls import NoReverseMatch

    admin_client, partner_client = client_as("vendor_admin"), client_as("partner_a_admin")
    changelist = reverse(f"admin:enablement_{model}_changelist")
    assert admin_client.get(changelist).status_code == 200
    assert partner_client.get(changelist).status_code == 302  # to the admin login
    try:
        add = reverse(f"admin:enablement_{model}_add")
    except NoReverseMatch:
        return
    assert admin_client.get(add).status_code in {200, 403}


def test_admin_course_page_previews_markdown_and_lists_lessons(client_as, content):
    course = content["course"]
    course.description = "Read **this** <script>alert(1)</script>"
    course.save()
    page = client_as("vendor_admin").get(
        reverse("admin:enablement_course_change", args=[course.pk])
    )
    html = page.content.decode()
    assert "<strong>this</strong>" in html and "<script>alert(1)" not in html
    assert "Why widgets" in html


def test_language_variants_are_linked_and_filterable(client_as, world, gold_world):
    original = ResourceFactory(title="Partner pricing guide", language="en")
    german = ResourceFactory(title="Preisleitfaden", language="de", variant_of=original)
    gold_french = ResourceFactory(
        title="Guide des prix", language="fr", variant_of=original, min_tier=gold_world["gold"]
    )
    a, b = client_as("partner_a_user"), client_as("partner_b_admin")
    page = a.get(reverse("enablement:resource_detail", args=[original.pk])).content.decode()
    assert german.title in page and gold_french.title in page
    page_b = b.get(reverse("enablement:resource_detail", args=[original.pk])).content.decode()
    assert german.title in page_b and gold_french.title not in page_b
    listed = a.get(reverse("enablement:library"), {"language": "de"}).content.decode()
    assert german.title in listed and original.title not in listed


def test_unknown_library_filters_are_ignored_with_a_message_not_an_error(client_as):
    ResourceFactory(title="Still listed")
    response = client_as("partner_a_user").get(
        reverse("enablement:library"), {"language": "xx", "page": "abc"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Still listed" in html and "were not understood" in html
