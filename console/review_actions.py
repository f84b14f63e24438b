"""A business review's action item made a vendor staff task (issue 21): plans owns the review and
its items, followup the tasks, and feature apps do not import each other, so the console composes
the two: plans locks the item and checks the role (``plans.services.action_item_to_task``), then
calls followup's ``task_create`` inside the same transaction; the item keeps the task's id. A
second conversion is refused (409), so the task is made once."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from followup import services as followup_services
from partners.permissions import VendorStaffRequiredMixin
from plans import review_selectors, services
from plans.models import ActionItem
from plans.review_views import render_review


def create_task_for(actor):
    def create_task(*, partner, title, due_on, assignee, description=""):
        task = followup_services.task_create(actor=actor, partner=partner, title=title,
                                             due_on=due_on, assignee=assignee,
                                             description=description)  # fmt: skip
        return task.pk

    return create_task


def action_item_to_task(*, actor, item: ActionItem) -> ActionItem:
    return services.action_item_to_task(actor=actor, item=item, create_task=create_task_for(actor))


class ActionItemTaskView(VendorStaffRequiredMixin, View):
    def post(self, request, pk: int):
        item = get_object_or_404(ActionItem.objects.only("pk", "review_id"), pk=pk)
        review = review_selectors.review_get_for_user(user=request.user, pk=item.review_id)
        try:
            action_item_to_task(actor=request.user, item=item)
        except ValidationError as exc:
            return render_review(request, review, status=400,
                                 bound={"error": " ".join(exc.messages)})  # fmt: skip
        except services.PlanError as exc:
            return render_review(request, review, status=409, bound={"error": str(exc)})
        messages.success(request, _("Action item made a task; find it under My tasks."))
        return redirect(reverse("plans:manage_review", args=[review.pk]))
