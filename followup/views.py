"""Notes and tasks on a partner, and "My tasks". Vendor staff only (partners get 404 everywhere);
changing a note is for its author or a vendor admin, changing a task for its creator, its
assignee or a vendor admin (403 otherwise). Thin: selectors read, followup.services writes."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from followup import selectors, services
from followup.forms import NoteForm, TaskForm
from followup.permissions import (
    VendorStaffRequiredMixin,
    can_change_note,
    can_change_task,
    check,
)
from partners import selectors as partner_selectors

FORM_TEMPLATE = "followup/form.html"
CONFIRM_TEMPLATE = "followup/confirm_delete.html"


def _partner_url(partner_id: int, anchor: str) -> str:
    return reverse("partners:manager_partner", args=[partner_id]) + anchor


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class _FormView(VendorStaffRequiredMixin, View):
    form_class = None
    title = ""
    anchor = ""

    def load(self):
        """What the URL names (404 when missing or not visible) and the permission check."""
        raise NotImplementedError

    def initial(self) -> dict:
        return {}

    def save(self, data: dict):
        raise NotImplementedError

    def render_form(self, form, status=200):
        return render(
            self.request,
            FORM_TEMPLATE,
            {
                "form": form,
                "title": self.title,
                "partner": self.partner,
                "cancel_url": _partner_url(self.partner.pk, self.anchor),
            },
            status=status,
        )

    def get(self, request, *args, **kwargs):
        self.load()
        return self.render_form(self.form_class(initial=self.initial()))

    def post(self, request, *args, **kwargs):
        self.load()
        form = self.form_class(data=request.POST)
        if form.is_valid():
            try:
                self.save(form.cleaned_data)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                return redirect(_partner_url(self.partner.pk, self.anchor))
        return self.render_form(form, status=400)


# --- Notes ----------------------------------------------------------------------------------------
class NoteCreateView(_FormView):
    form_class = NoteForm
    anchor = "#notes"

    @property
    def title(self):
        return _("New note")

    def load(self):
        self.partner = partner_selectors.partner_get_for_user(
            user=self.request.user, pk=self.kwargs["pk"]
        )

    def save(self, data):
        services.note_add(
            actor=self.request.user, partner=self.partner, body=data["body"], pinned=data["pinned"]
        )
        messages.success(self.request, _("Note added."))


class NoteEditView(_FormView):
    form_class = NoteForm
    anchor = "#notes"

    @property
    def title(self):
        return _("Edit the note")

    def load(self):
        self.note = selectors.note_get_for_user(user=self.request.user, pk=self.kwargs["pk"])
        self.partner = self.note.partner
        check(
            can_change_note(self.request.user, self.note),
            _("Only the note's author or a vendor admin can change it."),
        )

    def initial(self):
        return {"body": self.note.body, "pinned": self.note.pinned}

    def save(self, data):
        services.note_update(
            actor=self.request.user, note=self.note, body=data["body"], pinned=data["pinned"]
        )
        messages.success(self.request, _("Note saved."))


class NoteDeleteView(VendorStaffRequiredMixin, View):
    def load(self):
        note = selectors.note_get_for_user(user=self.request.user, pk=self.kwargs["pk"])
        check(
            can_change_note(self.request.user, note),
            _("Only the note's author or a vendor admin can delete it."),
        )
        return note

    def get(self, request, *args, **kwargs):
        note = self.load()
        return render(
            request,
            CONFIRM_TEMPLATE,
            {
                "partner": note.partner,
                "title": _("Delete this note?"),
                "what": note.body,
                "by": note.author.display_name,
                "cancel_url": _partner_url(note.partner_id, "#notes"),
            },
        )

    def post(self, request, *args, **kwargs):
        note = self.load()
        services.note_delete(actor=request.user, note=note)
        messages.success(request, _("Note deleted."))
        return redirect(_partner_url(note.partner_id, "#notes"))


# --- Tasks ----------------------------------------------------------------------------------------
class TaskCreateView(_FormView):
    form_class = TaskForm
    anchor = "#tasks"

    @property
    def title(self):
        return _("New task")

    def load(self):
        self.partner = partner_selectors.partner_get_for_user(
            user=self.request.user, pk=self.kwargs["pk"]
        )

    def initial(self):
        return {"assignee": self.request.user.pk}

    def save(self, data):
        services.task_create(actor=self.request.user, partner=self.partner, **data)
        messages.success(self.request, _("Task added."))


class TaskEditView(_FormView):
    form_class = TaskForm
    anchor = "#tasks"

    @property
    def title(self):
        return _("Edit the task")

    def load(self):
        self.task = selectors.task_get_for_user(user=self.request.user, pk=self.kwargs["pk"])
        self.partner = self.task.partner
        check(
            can_change_task(self.request.user, self.task),
            _("Only the task's creator, its assignee or a vendor admin can change it."),
        )

    def initial(self):
        t = self.task
        return {
            "title": t.title,
            "description": t.description,
            "due_on": t.due_on,
            "assignee": t.assignee_id,
        }

    def save(self, data):
        services.task_update(actor=self.request.user, task=self.task, **data)
        messages.success(self.request, _("Task saved."))


class _TaskActionView(VendorStaffRequiredMixin, View):
    """POST only: complete or reopen, then back where the button was (the partner page or My
    tasks)."""

    def act(self, task):
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        task = selectors.task_get_for_user(user=request.user, pk=self.kwargs["pk"])
        check(
            can_change_task(request.user, task),
            _("Only the task's creator, its assignee or a vendor admin can change it."),
        )
        try:
            self.act(task)
        except ValidationError as exc:  # done twice (two tabs): say so, change nothing
            for message in exc.messages:
                messages.error(request, message)
        if request.POST.get("next") == "mine":
            return redirect("followup:my_tasks")
        return redirect(_partner_url(task.partner_id, "#tasks"))


class TaskCompleteView(_TaskActionView):
    def act(self, task):
        services.task_complete(actor=self.request.user, task=task)
        messages.success(self.request, _("Task done."))


class TaskReopenView(_TaskActionView):
    def act(self, task):
        services.task_reopen(actor=self.request.user, task=task)
        messages.success(self.request, _("Task reopened."))


class TaskDeleteView(VendorStaffRequiredMixin, View):
    def load(self):
        task = selectors.task_get_for_user(user=self.request.user, pk=self.kwargs["pk"])
        check(
            can_change_task(self.request.user, task),
            _("Only the task's creator, its assignee or a vendor admin can delete it."),
        )
        return task

    def get(self, request, *args, **kwargs):
        task = self.load()
        return render(
            request,
            CONFIRM_TEMPLATE,
            {
                "partner": task.partner,
                "title": _("Delete this task?"),
                "what": task.title,
                "by": task.assignee.display_name,
                "cancel_url": _partner_url(task.partner_id, "#tasks"),
            },
        )

    def post(self, request, *args, **kwargs):
        task = self.load()
        services.task_delete(actor=request.user, task=task)
        messages.success(request, _("Task deleted."))
        return redirect(_partner_url(task.partner_id, "#tasks"))


class MyTasksView(VendorStaffRequiredMixin, TemplateView):
    template_name = "followup/my_tasks.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            tasks=selectors.my_open_tasks(user=self.request.user), **kwargs
        )
