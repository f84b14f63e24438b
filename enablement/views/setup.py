"""The setup (authoring) pages: vendor admins write courses, lessons, quizzes, certifications and
resources; channel managers read the lists and the course page (the edit routes answer them
403); partner users get 404. Thin: selectors read, enablement.services.setup writes and refuses."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from enablement.forms.setup import (
    CertificationForm,
    CourseForm,
    LessonForm,
    PreviewForm,
    QuestionForm,
    QuizForm,
    ResourceForm,
    choice_formset,
)
from enablement.permissions import SetupEditMixin, SetupViewMixin, can_author
from enablement.rendering import render_markdown
from enablement.selectors import setup as selectors
from enablement.services import setup as services
from kernel.forms import apply_errors, flash_refusal

FORM_TEMPLATE = "enablement/setup/form.html"
PAGE_SIZE = 50


def _course_url(course_id: int) -> str:
    return reverse("enablement:setup_course", args=[course_id])


class _FormPage(SetupEditMixin, View):
    """GET shows the form, POST calls ``save`` (a service) and redirects; bad input answers 400
    with the errors on the form."""

    form_class = None
    title = ""
    section = "courses"

    def load(self) -> None:
        """Fetch what the URL names (404 when missing) before anything else."""

    def get_instance(self):
        return None

    def get_form(self, data=None, files=None):
        return self.form_class(data=data, files=files, instance=self.get_instance())

    def cancel_url(self) -> str:
        raise NotImplementedError

    def save(self, data: dict):
        raise NotImplementedError

    def success_url(self, saved) -> str:
        raise NotImplementedError

    def extra_context(self) -> dict:
        return {}

    def render_form(self, form, status=200, **extra):
        context = {
            "form": form,
            "title": self.title,
            "section": self.section,
            "cancel_url": self.cancel_url(),
            **self.extra_context(),
            **extra,
        }
        return render(self.request, FORM_TEMPLATE, context, status=status)

    def get(self, request, **kwargs):
        self.load()
        return self.render_form(self.get_form())

    def post(self, request, **kwargs):
        self.load()
        form = self.get_form(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_form(form, status=400)
        try:
            saved = self.save(form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_form(form, status=400)
        messages.success(request, _("Saved."))
        return redirect(self.success_url(saved))


class _ActionView(SetupEditMixin, View):
    """A POST-only action (publish, archive, move, delete): a refusal is shown as a message."""

    def act(self, request, **kwargs) -> str:
        """Do it; return where to go next."""
        raise NotImplementedError

    def fallback(self, **kwargs) -> str:
        raise NotImplementedError

    def post(self, request, **kwargs):
        try:
            return redirect(self.act(request, **kwargs))
        except ValidationError as exc:
            flash_refusal(request, exc)
            return redirect(self.fallback(**kwargs))


# --- Courses ------------------------------------------------------------------------------------


class CourseListView(SetupViewMixin, TemplateView):
    template_name = "enablement/setup/course_list.html"

    def get_context_data(self, **kwargs):
        courses = selectors.setup_course_list(user=self.request.user)
        page = Paginator(courses, PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            page=page, section="courses", can_author=can_author(self.request.user), **kwargs
        )


class CourseDetailView(SetupViewMixin, TemplateView):
    template_name = "enablement/setup/course_detail.html"

    def get_context_data(self, **kwargs):
        course = selectors.setup_course_get(user=self.request.user, pk=self.kwargs["pk"])
        return super().get_context_data(
            course=course,
            lessons=selectors.setup_lesson_list(course=course),
            quiz=selectors.setup_quiz_for_course(course=course),
            references=selectors.course_references(course=course),
            learners=selectors.course_learner_count(course=course),
            description=render_markdown(course.description),
            section="courses",
            can_author=can_author(self.request.user),
            **kwargs,
        )


class CourseCreateView(_FormPage):
    form_class = CourseForm
    title = gettext_lazy("New course")

    def cancel_url(self):
        return reverse("enablement:setup_courses")

    def save(self, data):
        return services.course_create(actor=self.request.user, data=data)

    def success_url(self, course):
        return _course_url(course.pk)


class CourseEditView(_FormPage):
    form_class = CourseForm
    title = gettext_lazy("Edit course")

    def load(self):
        self.course = selectors.setup_course_get(user=self.request.user, pk=self.kwargs["pk"])

    def get_instance(self):
        return self.course

    def cancel_url(self):
        return _course_url(self.course.pk)

    def save(self, data):
        return services.course_update(actor=self.request.user, course=self.course, data=data)

    def success_url(self, course):
        return _course_url(course.pk)


class CourseActionView(_ActionView):
    """``publish``, ``archive`` (back to draft) or ``delete`` a course."""

    def act(self, request, pk, action):
        course = selectors.setup_course_get(user=request.user, pk=pk)
        if action == "publish":
            services.course_publish(actor=request.user, course=course)
            messages.success(request, _("The course is published."))
        elif action == "archive":
            services.course_archive(actor=request.user, course=course)
            messages.success(request, _("The course is archived: partners no longer see it."))
        else:
            services.course_delete(actor=request.user, course=course)
            messages.success(request, _("The course is deleted."))
            return reverse("enablement:setup_courses")
        return _course_url(course.pk)

    def fallback(self, pk, action):
        return _course_url(pk)


# --- Lessons ------------------------------------------------------------------------------------


class LessonCreateView(_FormPage):
    form_class = LessonForm
    title = gettext_lazy("New lesson")

    def load(self):
        self.course = selectors.setup_course_get(user=self.request.user, pk=self.kwargs["pk"])

    def cancel_url(self):
        return _course_url(self.course.pk)

    def extra_context(self):
        return {"course": self.course}

    def save(self, data):
        return services.lesson_create(actor=self.request.user, course=self.course, data=data)

    def success_url(self, lesson):
        return _course_url(lesson.course_id)


class LessonEditView(_FormPage):
    form_class = LessonForm
    title = gettext_lazy("Edit lesson")

    def load(self):
        self.lesson = selectors.setup_lesson_get(user=self.request.user, pk=self.kwargs["pk"])

    def get_instance(self):
        return self.lesson

    def cancel_url(self):
        return _course_url(self.lesson.course_id)

    def extra_context(self):
        return {"course": self.lesson.course}

    def save(self, data):
        return services.lesson_update(actor=self.request.user, lesson=self.lesson, data=data)

    def success_url(self, lesson):
        return _course_url(lesson.course_id)


class LessonActionView(_ActionView):
    """``up``, ``down`` or ``delete`` a lesson."""

    def act(self, request, pk, action):
        lesson = selectors.setup_lesson_get(user=request.user, pk=pk)
        self.course_id = lesson.course_id
        if action == "delete":
            services.lesson_delete(actor=request.user, lesson=lesson)
            messages.success(request, _("The lesson is deleted."))
        else:
            services.lesson_move(actor=request.user, lesson=lesson, direction=action)
        return _course_url(lesson.course_id)

    def fallback(self, pk, action):
        return _course_url(self.course_id)


# --- Quizzes ------------------------------------------------------------------------------------


class QuizEditView(_FormPage):
    form_class = QuizForm
    title = gettext_lazy("Quiz")

    def load(self):
        self.course = selectors.setup_course_get(user=self.request.user, pk=self.kwargs["pk"])

    def get_instance(self):
        return selectors.setup_quiz_for_course(course=self.course)

    def cancel_url(self):
        return _course_url(self.course.pk)

    def extra_context(self):
        return {"course": self.course}

    def save(self, data):
        return services.quiz_save(actor=self.request.user, course=self.course, data=data)

    def success_url(self, quiz):
        return _course_url(self.course.pk)


class QuizDeleteView(SetupEditMixin, View):
    """The confirmation page to remove a course's quiz. When people have taken it, the page says
    how many attempts would be lost and offers no button; a POST anyway is answered 409 with the
    same page (the service refuses: its count is taken under the quiz's lock)."""

    template_name = "enablement/setup/quiz_confirm_delete.html"

    def load(self):
        self.course = selectors.setup_course_get(user=self.request.user, pk=self.kwargs["pk"])
        self.quiz = selectors.setup_quiz_for_course(course=self.course)
        if self.quiz is None:
            raise Http404("This course has no quiz.")

    def render_page(self, errors=(), status=200):
        context = {
            "course": self.course,
            "quiz": self.quiz,
            "question_count": len(self.quiz.questions.all()),
            "references": selectors.quiz_references(quiz=self.quiz),
            "errors": list(errors),
            "section": "courses",
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        self.load()
        return self.render_page()

    def post(self, request, pk):
        self.load()
        try:
            services.quiz_delete(actor=request.user, course=self.course)
        except ValidationError as exc:
            return self.render_page(exc.messages, status=409)
        messages.success(request, _("The quiz is removed."))
        return redirect(_course_url(self.course.pk))


class _QuestionPage(SetupEditMixin, View):
    """A question and its choices (a formset)."""

    title = ""

    def render_form(self, form, formset, status=200):
        context = {
            "form": form,
            "formset": formset,
            "title": self.title,
            "section": "courses",
            "course": self.course,
            "cancel_url": _course_url(self.course.pk),
        }
        return render(self.request, FORM_TEMPLATE, context, status=status)

    def post(self, request, **kwargs):
        self.load()
        form = QuestionForm(request.POST)
        formset = choice_formset(data=request.POST)
        if not (form.is_valid() and formset.is_valid()):
            return self.render_form(form, formset, status=400)
        choices = [
            {
                "id": f.cleaned_data.get("id"),
                "text": f.cleaned_data.get("text", ""),
                "is_correct": f.cleaned_data.get("is_correct", False),
                "delete": f.cleaned_data.get("DELETE", False),
                "translations": f.cleaned_data.get("translations") or {},
            }
            for f in formset.forms
            if f.cleaned_data
        ]
        try:
            data = {k: v for k, v in form.cleaned_data.items() if not k.startswith("tr_")}
            self.save(choices=choices, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_form(form, formset, status=400)
        messages.success(request, _("Saved."))
        return redirect(_course_url(self.course.pk))


class QuestionCreateView(_QuestionPage):
    title = gettext_lazy("New question")

    def load(self):
        self.course = selectors.setup_course_get(user=self.request.user, pk=self.kwargs["pk"])
        self.quiz = selectors.setup_quiz_for_course(course=self.course)

    def get(self, request, pk):
        self.load()
        if self.quiz is None:
            messages.error(request, _("Set up the quiz first."))
            return redirect("enablement:setup_quiz", pk=pk)
        return self.render_form(QuestionForm(), choice_formset(extra=4))

    def save(self, **data):
        if self.quiz is None:
            raise ValidationError(_("Set up the quiz first."))
        return services.question_create(actor=self.request.user, quiz=self.quiz, **data)


class QuestionEditView(_QuestionPage):
    title = gettext_lazy("Edit question")

    def load(self):
        self.question = selectors.setup_question_get(user=self.request.user, pk=self.kwargs["pk"])
        self.course = self.question.quiz.course

    def get(self, request, pk):
        self.load()
        q = self.question
        form = QuestionForm(
            initial={
                "text": q.text,
                "kind": q.kind,
                "explanation": q.explanation,
                "translations": q.translations,
            }
        )
        initial = [
            {
                "id": c.pk,
                "text": c.text,
                "is_correct": c.is_correct,
                "translations": c.translations,
            }
            for c in q.choices.all()
        ]
        return self.render_form(form, choice_formset(initial=initial, extra=2))

    def save(self, **data):
        return services.question_update(actor=self.request.user, question=self.question, **data)


class QuestionDeleteView(_ActionView):
    def act(self, request, pk):
        question = selectors.setup_question_get(user=request.user, pk=pk)
        self.course_id = question.quiz.course_id
        services.question_delete(actor=request.user, question=question)
        messages.success(request, _("The question is deleted."))
        return _course_url(self.course_id)

    def fallback(self, pk):
        return _course_url(self.course_id)


# --- Certifications -----------------------------------------------------------------------------


class CertificationListView(SetupViewMixin, TemplateView):
    template_name = "enablement/setup/certification_list.html"

    def get_context_data(self, **kwargs):
        certifications = selectors.setup_certification_list(user=self.request.user)
        page = Paginator(certifications, PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            page=page,
            section="certifications",
            can_author=can_author(self.request.user),
            **kwargs,
        )


class CertificationCreateView(_FormPage):
    form_class = CertificationForm
    title = gettext_lazy("New certification")
    section = "certifications"

    def cancel_url(self):
        return reverse("enablement:setup_certifications")

    def save(self, data):
        return services.certification_create(actor=self.request.user, data=data)

    def success_url(self, certification):
        return reverse("enablement:setup_certifications")


class CertificationEditView(CertificationCreateView):
    title = gettext_lazy("Edit certification")

    def load(self):
        self.certification = selectors.setup_certification_get(
            user=self.request.user, pk=self.kwargs["pk"]
        )

    def get_instance(self):
        return self.certification

    def extra_context(self):
        return {
            "delete_url": reverse(
                "enablement:setup_certification_delete", args=[self.kwargs["pk"]]
            ),
            "delete_question": _("Delete this certification?"),
        }

    def save(self, data):
        return services.certification_update(
            actor=self.request.user, certification=self.certification, data=data
        )


class CertificationDeleteView(_ActionView):
    def act(self, request, pk):
        certification = selectors.setup_certification_get(user=request.user, pk=pk)
        services.certification_delete(actor=request.user, certification=certification)
        messages.success(request, _("The certification is deleted."))
        return reverse("enablement:setup_certifications")

    def fallback(self, pk):
        return reverse("enablement:setup_certification_edit", args=[pk])


# --- Resources ----------------------------------------------------------------------------------


class ResourceListView(SetupViewMixin, TemplateView):
    template_name = "enablement/setup/resource_list.html"

    def get_context_data(self, **kwargs):
        resources = selectors.setup_resource_list(user=self.request.user)
        page = Paginator(resources, PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            page=page, section="resources", can_author=can_author(self.request.user), **kwargs
        )


class ResourceCreateView(_FormPage):
    form_class = ResourceForm
    title = gettext_lazy("New resource")
    section = "resources"

    def cancel_url(self):
        return reverse("enablement:setup_resources")

    def save(self, data):
        return services.resource_create(actor=self.request.user, data=data)

    def success_url(self, resource):
        return reverse("enablement:setup_resources")


class ResourceEditView(ResourceCreateView):
    title = gettext_lazy("Edit resource")

    def load(self):
        self.resource = selectors.setup_resource_get(user=self.request.user, pk=self.kwargs["pk"])

    def get_instance(self):
        return self.resource

    def extra_context(self):
        return {
            "delete_url": reverse("enablement:setup_resource_delete", args=[self.kwargs["pk"]]),
            "delete_question": _("Delete this resource?"),
            "variants": selectors.resource_variant_list(resource=self.resource),
        }

    def save(self, data):
        return services.resource_update(actor=self.request.user, resource=self.resource, data=data)


class ResourceDeleteView(_ActionView):
    def act(self, request, pk):
        resource = selectors.setup_resource_get(user=request.user, pk=pk)
        services.resource_delete(actor=request.user, resource=resource)
        messages.success(request, _("The resource is deleted."))
        return reverse("enablement:setup_resources")

    def fallback(self, pk):
        return reverse("enablement:setup_resource_edit", args=[pk])


# --- Markdown preview ---------------------------------------------------------------------------


class MarkdownPreviewView(SetupEditMixin, View):
    """The live preview of a Markdown field: rendered and sanitised here, exactly as the portal
    will show it (enablement.rendering), and returned as an HTML fragment."""

    def post(self, request):
        form = PreviewForm(request.POST)
        if not form.is_valid():
            return HttpResponse(_("The text is too long to preview."), status=400)
        response = HttpResponse(render_markdown(form.cleaned_data["text"]))
        response["Cache-Control"] = "no-store"
        return response
