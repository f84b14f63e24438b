"""Enablement pages: thin views over enablement.selectors (reads) and enablement.services (writes)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from enablement import selectors, services
from enablement.choices import CertificateStatus, Language
from enablement.forms import LibrarySearchForm, QuizForm, VerifyForm
from enablement.permissions import BrowseRequiredMixin, LearnerRequiredMixin, can_learn
from kernel.translations import translated
from kernel.uploads import serve_file

# --- Courses ------------------------------------------------------------------------------------


class CatalogView(BrowseRequiredMixin, TemplateView):
    template_name = "enablement/course_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        courses = list(selectors.course_list_for_user(user=user))
        for course in courses:
            course.enrollment = course.my_enrollments[0] if course.my_enrollments else None
        return super().get_context_data(
            courses=courses,
            certifications=list(selectors.certification_list_for_user(user=user)),
            certificates=list(selectors.certificate_list_for_user(user=user)),
            learner=can_learn(user),
            **kwargs,
        )


class CourseDetailView(BrowseRequiredMixin, TemplateView):
    template_name = "enablement/course_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        course = selectors.course_get_for_user(user=user, slug=self.kwargs["slug"])
        enrollment = course.my_enrollments[0] if course.my_enrollments else None
        lessons = selectors.lesson_list_for_course(course=course)
        done = selectors.done_lesson_ids(enrollment=enrollment)
        next_lesson = next((lesson for lesson in lessons if lesson.pk not in done), None)
        quiz = selectors.quiz_for_course(course=course)
        attempts = (
            selectors.attempt_list_for_user(user=user, quiz=quiz, cycle=enrollment.cycle)
            if quiz and enrollment
            else []
        )
        renewable = enrollment is not None and any(
            c.is_renewable
            for c in selectors.certificate_list_for_user(user=user).filter(
                certification__courses=course
            )
        )
        return super().get_context_data(
            course=course,
            enrollment=enrollment,
            lessons=lessons,
            done=done,
            done_count=len(done),
            next_lesson=next_lesson,
            quiz=quiz,
            attempts=attempts,
            quiz_passed=any(a.passed for a in attempts),
            attempts_left=(quiz.max_attempts - len(attempts)) if quiz else 0,
            certifications=list(
                selectors.certification_list_for_user(user=user).filter(courses=course)
            ),
            learner=can_learn(user),
            renewable=renewable and enrollment.completed_at is not None,
            **kwargs,
        )


class CourseStartView(LearnerRequiredMixin, View):
    def post(self, request, slug):
        course = selectors.course_get_for_user(user=request.user, slug=slug)
        try:
            services.enrollment_start(user=request.user, course=course)
        except services.EnablementError as exc:
            messages.error(request, str(exc))
            return redirect(course)
        lessons = selectors.lesson_list_for_course(course=course)
        enrollment = selectors.enrollment_for(user=request.user, course=course)
        done = selectors.done_lesson_ids(enrollment=enrollment)
        target = next((lesson for lesson in lessons if lesson.pk not in done), None)
        if target is None:
            return redirect(course)
        return redirect("enablement:lesson", slug=course.slug, pk=target.pk)


class CourseRestartView(LearnerRequiredMixin, View):
    def post(self, request, slug):
        course = selectors.course_get_for_user(user=request.user, slug=slug)
        try:
            services.enrollment_restart_for_renewal(user=request.user, course=course)
        except services.EnablementError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, gettext_lazy("Course restarted: complete it again to renew."))
        return redirect(course)


class LessonView(BrowseRequiredMixin, View):
    template_name = "enablement/lesson_detail.html"

    def _context(self, request, slug, pk):
        course = selectors.course_get_for_user(user=request.user, slug=slug)
        lesson = selectors.lesson_get_for_user(user=request.user, course=course, pk=pk)
        return course, lesson

    def get(self, request, slug, pk):
        course, lesson = self._context(request, slug, pk)
        lessons = selectors.lesson_list_for_course(course=course)
        enrollment = course.my_enrollments[0] if course.my_enrollments else None
        done = selectors.done_lesson_ids(enrollment=enrollment)
        index = next(i for i, item in enumerate(lessons) if item.pk == lesson.pk)
        return render(
            request,
            self.template_name,
            {
                "course": course,
                "lesson": lesson,
                "lessons": lessons,
                "done": done,
                "number": index + 1,
                "previous": lessons[index - 1] if index > 0 else None,
                "next": lessons[index + 1] if index + 1 < len(lessons) else None,
                "learner": can_learn(request.user),
                "quiz": selectors.quiz_for_course(course=course),
            },
        )

    def post(self, request, slug, pk):
        if not can_learn(request.user):
            raise Http404("Not found.")
        course, lesson = self._context(request, slug, pk)
        try:
            services.lesson_complete(user=request.user, lesson=lesson)
        except services.EnablementError as exc:
            messages.error(request, str(exc))
            return redirect("enablement:lesson", slug=slug, pk=pk)
        lessons = selectors.lesson_list_for_course(course=course)
        index = next(i for i, item in enumerate(lessons) if item.pk == lesson.pk)
        if index + 1 < len(lessons):
            return redirect("enablement:lesson", slug=slug, pk=lessons[index + 1].pk)
        quiz = selectors.quiz_for_course(course=course)
        if quiz is not None:
            return redirect("enablement:quiz", slug=slug)
        return redirect(course)


class LessonFileView(BrowseRequiredMixin, View):
    def get(self, request, pk):
        lesson = selectors.lesson_get_for_download(user=request.user, pk=pk)
        return serve_file(
            lesson.attachment, filename=lesson.attachment_name, content_type=lesson.attachment_type
        )


# --- Quizzes ------------------------------------------------------------------------------------


class QuizView(BrowseRequiredMixin, View):
    """Partner members take the quiz; vendor staff see it as a preview (they cannot submit)."""

    template_name = "enablement/quiz_take.html"

    def _load(self, request, slug):
        course = selectors.course_get_for_user(user=request.user, slug=slug)
        quiz = selectors.quiz_for_course(course=course)
        if quiz is None:
            raise Http404("This course has no quiz.")
        return course, quiz

    def _render(self, request, course, quiz, form, status=200):
        enrollment = selectors.enrollment_for(user=request.user, course=course)
        attempts = (
            selectors.attempt_list_for_user(user=request.user, quiz=quiz, cycle=enrollment.cycle)
            if enrollment
            else []
        )
        lessons = selectors.lesson_list_for_course(course=course)
        done = selectors.done_lesson_ids(enrollment=enrollment)
        learner = can_learn(request.user)
        return render(
            request,
            self.template_name,
            {
                "course": course,
                "quiz": quiz,
                "form": form,
                "learner": learner,
                "attempts": attempts,
                "attempts_left": quiz.max_attempts - len(attempts),
                "passed": any(a.passed for a in attempts),
                "lessons_left": (
                    len([lesson for lesson in lessons if lesson.pk not in done]) if learner else 0
                ),
            },
            status=status,
        )

    def get(self, request, slug):
        course, quiz = self._load(request, slug)
        questions = selectors.quiz_questions_public(quiz=quiz)
        return self._render(request, course, quiz, QuizForm(questions=questions))

    def post(self, request, slug):
        if not can_learn(request.user):
            raise Http404("Not found.")
        course, quiz = self._load(request, slug)
        questions = selectors.quiz_questions_public(quiz=quiz)
        form = QuizForm(request.POST, questions=questions)
        if not form.is_valid():
            return self._render(request, course, quiz, form, status=400)
        try:
            attempt = services.quiz_submit(user=request.user, quiz=quiz, answers=form.answers())
        except services.EnablementError as exc:
            form.add_error(None, str(exc))
            return self._render(request, course, quiz, form, status=400)
        return redirect("enablement:attempt", pk=attempt.pk)


class AttemptView(LearnerRequiredMixin, TemplateView):
    template_name = "enablement/quiz_result.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        attempt = selectors.attempt_get_for_user(user=user, pk=self.kwargs["pk"])
        quiz = attempt.quiz
        attempts = selectors.attempt_list_for_user(user=user, quiz=quiz, cycle=attempt.cycle)
        # Right answers are shown only once the quiz is passed: before that they would give the
        # next attempt away.
        reveal = attempt.passed
        review = []
        for question in quiz.questions.prefetch_related("choices"):
            chosen = set(attempt.answers.get(str(question.pk), []))
            right = {c.pk for c in question.choices.all() if c.is_correct}
            review.append(
                {
                    "question": question,
                    "correct": chosen == right,
                    "choices": [
                        {
                            "text": translated(c, "text"),
                            "chosen": c.pk in chosen,
                            "right": reveal and c.is_correct,
                        }
                        for c in question.choices.all()
                    ],
                }
            )
        certificates = (
            list(
                selectors.certificate_list_for_user(user=user).filter(
                    certification__courses=quiz.course_id
                )
            )
            if attempt.passed
            else []
        )
        return super().get_context_data(
            attempt=attempt,
            quiz=quiz,
            course=quiz.course,
            review=review,
            reveal=reveal,
            attempts_left=quiz.max_attempts - len(attempts),
            any_passed=any(a.passed for a in attempts),
            certificates=certificates,
            **kwargs,
        )


# --- Certificates -------------------------------------------------------------------------------


class CertificateView(TemplateView):
    """The holder's certificate page; printable (print stylesheet), so also the PDF form."""

    template_name = "enablement/certificate_detail.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        certificate = selectors.certificate_get_for_user(
            user=self.request.user, code=self.kwargs["code"]
        )
        return super().get_context_data(
            certificate=certificate,
            verify_url=self.request.build_absolute_uri(
                reverse("enablement:verify_code", args=[certificate.code])
            ),
            statuses=CertificateStatus,
            **kwargs,
        )


class VerifyView(View):
    """Public: anyone can check a certificate by its code. Shows only what a verifier needs."""

    template_name = "enablement/certificate_verify.html"

    def get(self, request, code=None):
        if code is None and "code" in request.GET:
            form = VerifyForm(request.GET)
            if form.is_valid():
                return redirect(
                    "enablement:verify_code", code=form.cleaned_data["code"].strip().upper()
                )
            return render(request, self.template_name, {"form": form}, status=400)
        if code is None:
            return render(request, self.template_name, {"form": VerifyForm()})
        certificate = selectors.certificate_get_public(code=code)
        response = render(
            request,
            self.template_name,
            {
                "form": VerifyForm(initial={"code": code}),
                "code": code,
                "certificate": certificate,
                "statuses": CertificateStatus,
            },
            status=200 if certificate else 404,
        )
        response["X-Robots-Tag"] = "noindex"
        return response


# --- Resource library ---------------------------------------------------------------------------


class LibraryView(BrowseRequiredMixin, TemplateView):
    template_name = "enablement/resource_list.html"
    page_size = 24

    def get_context_data(self, **kwargs):
        user = self.request.user
        form = LibrarySearchForm(self.request.GET or None)
        filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
        resources = selectors.resource_list_for_user(
            user=user,
            query=filters.get("q", ""),
            category=filters.get("category", ""),
            language=filters.get("language", ""),
            tag=filters.get("tag", ""),
        )
        page = Paginator(resources, self.page_size).get_page(self.request.GET.get("page"))
        new_since = services.library_visit_touch(user=user)
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            form=form,
            filters=filters,
            page=page,
            new_since=new_since,
            categories=selectors.category_list(),
            languages=[("", "Any language"), *Language.choices],
            querystring=query.urlencode(),
            **kwargs,
        )


class ResourceDetailView(BrowseRequiredMixin, TemplateView):
    template_name = "enablement/resource_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        resource = selectors.resource_get_for_user(user=user, pk=self.kwargs["pk"])
        services.resource_record_view(user=user, resource=resource)
        return super().get_context_data(
            resource=resource,
            variants=selectors.resource_variants_for_user(user=user, resource=resource),
            **kwargs,
        )


class ResourceDownloadView(BrowseRequiredMixin, View):
    def get(self, request, pk):
        resource = selectors.resource_get_for_user(user=request.user, pk=pk)
        if not resource.file:
            raise Http404("This resource has no file.")
        services.resource_record_download(user=request.user, resource=resource)
        return serve_file(
            resource.file, filename=resource.file_name, content_type=resource.file_type
        )
