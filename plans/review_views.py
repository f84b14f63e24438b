"""Pages of quarterly business reviews. Thin, as the plan pages: scoping through
``plans.review_selectors`` (404 outside it), rules and writes through ``plans.services`` (403 for
a role that may not act, 409 for a move the status does not allow, 400 with the form's errors).

The partner's pages live under ``/portal/reviews/``, the vendor's under ``/manage/reviews/``;
actions (POST) are shared and send back to the side's own page. Converting an action item into a
vendor staff task is console's (it composes plans and followup)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from kernel.query import query_id
from partners.permissions import PartnerMemberRequiredMixin, VendorStaffRequiredMixin
from partners.selectors import membership_for_user, partner_get_for_user
from plans import review_forms as forms
from plans import review_selectors as selectors
from plans import services
from plans.calendar import review_ics
from plans.choices import PlanStatus, ReviewStatus, Side
from plans.models import ActionItem
from plans.permissions import (
    action_sides_for,
    can_discuss_review,
    can_manage_review,
    check,
)
from plans.views import AnyPlanUserMixin, _add_errors

PAGE_SIZE = 50


def review_url(user, review) -> str:
    name = "plans:manage_review" if user.is_channel_manager else "plans:portal_review"
    return reverse(name, args=[review.pk])


def render_review(request, review, *, status=200, bound: dict | None = None):
    user = request.user
    bound = bound or {}
    sides = action_sides_for(user, review.partner)
    people = services.eligible_attendees(review.partner, partner_side_only=sides == [Side.PARTNER])
    snapshot = review.snapshot or {}
    context = {
        "review": review,
        "partner": review.partner,
        "snapshot": snapshot,
        "vendor": user.is_channel_manager,
        "can_manage": can_manage_review(user, review.partner),
        "can_discuss": can_discuss_review(user, review.partner_id)
        and review.status != ReviewStatus.CANCELLED,
        "can_add_action": bool(sides) and review.status != ReviewStatus.CANCELLED,
        "attendees": sorted(review.attendees.all(), key=lambda u: u.display_name.lower()),
        "notes_form": bound.get("notes") or forms.NotesForm(initial={"notes": review.notes}),
        "comment_form": bound.get("comment") or forms.ReviewCommentForm(),
        "action_form": bound.get("action")
        or forms.ActionItemForm(owner_choices=people, sides=sides),
        "error": bound.get("error", ""),
        "ReviewStatus": ReviewStatus,
        "Side": Side,
    }
    return render(request, "plans/review_detail.html", context, status=status)


# --- Lists and detail -----------------------------------------------------------------------------
class PartnerReviewListView(PartnerMemberRequiredMixin, View):
    def get(self, request):
        membership = membership_for_user(request.user)
        rows = selectors.review_rows_for_user(user=request.user)[:100]
        return render(request, "plans/review_list.html", {
            "rows": rows, "partner": membership.partner, "vendor": False, "page": None,
        })  # fmt: skip


class ManagerReviewListView(VendorStaffRequiredMixin, View):
    def get(self, request):
        status = request.GET.get("status", "")
        if status and status not in ReviewStatus.values:
            status = ""
        partner_id = query_id(request, "partner")  # a 400 for anything but an id
        qs = selectors.review_rows_for_user(user=request.user, partner_id=partner_id, status=status)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, "plans/review_list.html", {
            "rows": page.object_list, "page": page, "vendor": True, "status": status,
            "statuses": ReviewStatus.choices,
        })  # fmt: skip


class PartnerReviewDetailView(PartnerMemberRequiredMixin, View):
    def get(self, request, pk: int):
        return render_review(request, selectors.review_get_for_user(user=request.user, pk=pk))


class ManagerReviewDetailView(VendorStaffRequiredMixin, View):
    def get(self, request, pk: int):
        return render_review(request, selectors.review_get_for_user(user=request.user, pk=pk))


class ReviewCalendarView(AnyPlanUserMixin, View):
    """The review as an .ics file for the viewer's calendar."""

    def get(self, request, pk: int):
        review = selectors.review_get_for_user(user=request.user, pk=pk)
        body = review_ics(review, url=request.build_absolute_uri(review_url(request.user, review)))
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="review-{review.pk}.ics"'
        return response


# --- Scheduling and changing (managers) -----------------------------------------------------------
class _ReviewFormView(VendorStaffRequiredMixin, View):
    template = "plans/review_form.html"

    def form(self, partner, data=None, initial=None):
        return forms.ReviewForm(data, initial=initial, partner=partner,
                                attendee_choices=services.eligible_attendees(partner))  # fmt: skip

    def save(self, request, partner, data, review=None):
        fields = {k: data[k] for k in ("title", "starts_at", "duration_minutes", "location",
                                       "meeting_url", "agenda", "plan")}  # fmt: skip
        fields["attendees"] = list(data["attendees"])
        if review is None:
            return services.review_schedule(actor=request.user, partner=partner, **fields)
        return services.review_update(actor=request.user, review=review, **fields)

    def respond(self, request, partner, form, review=None, status=200):
        return render(request, self.template,
                      {"form": form, "partner": partner, "review": review}, status=status)  # fmt: skip

    def handle(self, request, partner, review=None, message=""):
        form = self.form(partner, request.POST)
        if form.is_valid():
            try:
                review = self.save(request, partner, form.cleaned_data, review)
            except ValidationError as exc:
                _add_errors(form, exc)
            except services.PlanError as exc:
                form.add_error(None, str(exc))
                return self.respond(request, partner, form, review, status=409)
            else:
                messages.success(request, message)
                return redirect("plans:manage_review", review.pk)
        return self.respond(request, partner, form, review, status=400)


class ReviewScheduleView(_ReviewFormView):
    def get(self, request, pk: int):
        partner = partner_get_for_user(user=request.user, pk=pk)
        check(can_manage_review(request.user, partner))
        plan = (
            partner.business_plans.filter(status=PlanStatus.APPROVED)
            .order_by("-fiscal_year")
            .first()
        )
        initial = {"plan": plan, "attendees": [request.user.pk], "duration_minutes": 60}
        return self.respond(request, partner, self.form(partner, initial=initial))

    def post(self, request, pk: int):
        partner = partner_get_for_user(user=request.user, pk=pk)
        check(can_manage_review(request.user, partner))
        return self.handle(request, partner, message=_("Business review scheduled."))


class ReviewEditView(_ReviewFormView):
    def _review(self, request, pk):
        review = selectors.review_get_for_user(user=request.user, pk=pk)
        check(can_manage_review(request.user, review.partner))
        return review

    def get(self, request, pk: int):
        review = self._review(request, pk)
        initial = {f: getattr(review, f) for f in ("title", "starts_at", "duration_minutes",
                                                   "location", "meeting_url", "agenda", "plan")}  # fmt: skip
        initial["attendees"] = [u.pk for u in review.attendees.all()]
        return self.respond(request, review.partner, self.form(review.partner, initial=initial),
                            review)  # fmt: skip

    def post(self, request, pk: int):
        review = self._review(request, pk)
        return self.handle(request, review.partner, review, message=_("Business review changed."))


# --- Actions (POST, both sides) -------------------------------------------------------------------
class ReviewActionView(AnyPlanUserMixin, View):
    form_key = ""
    target = "review"  # or "action": the URL's pk names an action item

    def allowed(self, user, review) -> bool:
        return can_manage_review(user, review.partner)

    def make_form(self, request, review):
        return None

    def act(self, request, review, obj, data):
        raise NotImplementedError

    def post(self, request, pk: int):
        obj = None
        if self.target == "action":
            obj = get_object_or_404(ActionItem.objects.only("pk", "review_id"), pk=pk)
            pk = obj.review_id
        review = selectors.review_get_for_user(user=request.user, pk=pk)
        check(self.allowed(request.user, review), _("You may not change this review."))
        form = self.make_form(request, review)
        if form is not None and not form.is_valid():
            return render_review(request, review, status=400, bound={self.form_key: form})
        try:
            message = self.act(request, review, obj, form.cleaned_data if form else request.POST)
        except ValidationError as exc:
            if form is None:
                return render_review(request, review, status=400,
                                     bound={"error": " ".join(exc.messages)})  # fmt: skip
            _add_errors(form, exc)
            return render_review(request, review, status=400, bound={self.form_key: form})
        except services.PlanError as exc:
            return render_review(request, review, status=409, bound={"error": str(exc)})
        messages.success(request, message)
        return redirect(review_url(request.user, review))


class ReviewHoldView(ReviewActionView):
    def act(self, request, review, obj, data):
        services.review_hold(actor=request.user, review=review)
        return _("Review marked held; the scorecard is frozen as it is now.")


class ReviewCancelView(ReviewActionView):
    def act(self, request, review, obj, data):
        services.review_cancel(actor=request.user, review=review)
        return _("Review cancelled; the attendees are told.")


class ReviewNotesView(ReviewActionView):
    form_key = "notes"

    def make_form(self, request, review):
        return forms.NotesForm(request.POST)

    def act(self, request, review, obj, data):
        services.review_save_notes(actor=request.user, review=review, notes=data["notes"])
        return _("Notes saved.")


class ReviewCommentView(ReviewActionView):
    form_key = "comment"

    def allowed(self, user, review) -> bool:
        return can_discuss_review(user, review.partner_id)

    def make_form(self, request, review):
        return forms.ReviewCommentForm(request.POST)

    def act(self, request, review, obj, data):
        services.review_comment_add(actor=request.user, review=review, **data)
        return _("Added.")


class ActionItemAddView(ReviewActionView):
    form_key = "action"

    def allowed(self, user, review) -> bool:
        return bool(action_sides_for(user, review.partner))

    def make_form(self, request, review):
        sides = action_sides_for(request.user, review.partner)
        return forms.ActionItemForm(
            request.POST,
            owner_choices=services.eligible_attendees(
                review.partner, partner_side_only=sides == [Side.PARTNER]
            ),
            sides=sides,
        )

    def act(self, request, review, obj, data):
        services.action_item_add(actor=request.user, review=review, **data)
        return _("Action item added.")


class ActionItemInitiativeView(ReviewActionView):
    target = "action"

    def act(self, request, review, obj, data):
        item = services.action_item_to_initiative(actor=request.user, item=obj)
        return _("Action item added to the business plan (version %(v)s) as an initiative.") % {
            "v": item.initiative.plan.version
        }
