"""The partner list's bulk actions (console.bulk): choose what to set, confirm with the count,
then the result (with a progress bar while a worker runs a large one). Thin: the selection and
the work are console.bulk's, the rules of who may act partners.permissions'."""

import csv

from allauth.core.internal import ratelimit
from django.conf import settings
from django.http import JsonResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from console import bulk, bulk_run
from console.bulk_forms import FORMS
from console.choices import BulkKind
from console.views import _Echo
from kernel.exports import safe_cell
from partners import selectors as partner_selectors
from partners.list_query import PartnerListQuery, parse_partner_list_query
from partners.list_views import EXPORT_COLUMNS, export_row
from partners.permissions import VendorStaffRequiredMixin

CHOOSE, REVIEW, CONFIRM = "", "review", "confirm"


def _list_query(request) -> PartnerListQuery:
    """The list's parameters the bulk form carries (``list_query``: the list's query string);
    an older form's ``scope`` and ``status_filter`` still work."""
    data = QueryDict(request.POST.get("list_query", "")[:4000]).copy()
    if "scope" not in data:
        data["scope"] = "mine" if request.POST.get("scope") == "mine" else "all"
    if request.POST.get("status_filter") and "status" not in data:
        data["status"] = request.POST["status_filter"]
    return parse_partner_list_query(data, user=request.user)


def _list_url(query: PartnerListQuery) -> str:
    return reverse("partners:manager_home") + "?" + query.querystring()


def _question(kind: str, count: int, to: str) -> str:
    if kind == BulkKind.OWNER:
        text = ngettext(
            "Reassign %(count)s partner %(to)s?", "Reassign %(count)s partners %(to)s?", count
        )
    elif kind == BulkKind.TIER:
        text = ngettext("Set %(count)s partner %(to)s?", "Set %(count)s partners %(to)s?", count)
    elif kind == BulkKind.STATUS:
        text = ngettext(
            "Change %(count)s partner %(to)s?", "Change %(count)s partners %(to)s?", count
        )
    elif kind == BulkKind.EMAIL:
        text = ngettext(
            "Email the admins of %(count)s partner?",
            "Email the admins of %(count)s partners?",
            count,
        )
    else:
        text = ngettext(
            "Export %(count)s partner as CSV?", "Export %(count)s partners as CSV?", count
        )
    return text % {"count": count, "to": to}


class BulkActionView(VendorStaffRequiredMixin, View):
    """POST only. From the list (no ``step``): the action's form; ``step=review``: the count
    confirmation ("Reassign 12 partners to Ann Lee?") with the partners that will be skipped
    and why; ``step=confirm``: run it (or download the export). The selection is re-validated
    on every step; a bad one is a 400 and nothing changes."""

    http_method_names = ["post"]
    template_name = "console/bulk_action.html"

    def _selection(self, request) -> list[int]:
        if "ids" in request.POST:
            return bulk.selection_from_ids(
                user=request.user, raw_ids=request.POST["ids"].split(",")
            )
        if request.POST.get("all_matching") == "1":
            query = _list_query(request)
            return bulk.selection_all_matching(
                user=request.user, mine=query.mine, params=query.params
            )
        return bulk.selection_from_ids(user=request.user, raw_ids=request.POST.getlist("partner"))

    def post(self, request):
        query = _list_query(request)
        scope = "mine" if query.mine else "all"
        status_filter = query.params.get("status", "")
        back = _list_url(query)
        form_class = FORMS.get(request.POST.get("action", ""))
        if form_class is None:
            return self._invalid(request, _("Choose an action for the selected partners."), back)
        try:
            ids = self._selection(request)
        except bulk.SelectionError as exc:
            return self._invalid(request, str(exc), back)
        context = {
            "kind": form_class.kind,
            "kind_label": BulkKind(form_class.kind).label,
            "ids": ",".join(str(i) for i in ids),
            "count": len(ids),
            "scope": scope,
            "status_filter": status_filter,
            "list_query": query.querystring(),
            "back": back,
        }
        step = request.POST.get("step", CHOOSE)
        if step == CHOOSE and form_class.kind != BulkKind.EXPORT:
            return self._render(request, context, form=form_class())
        form = form_class(request.POST)
        if not form.is_valid():
            return self._render(request, context, form=form, status=400)
        plan = form.plan()
        if step != CONFIRM:
            return self._review(request, context, form, plan, ids)
        if plan.kind == BulkKind.EMAIL and not ratelimit.consume(
            request,
            app="console",
            action="bulk_email",
            config={"bulk_email": settings.PRM_BULK_EMAIL_RATE_LIMIT},
        ):
            form.add_error(None, _("You sent many bulk emails in the last hour. Try later."))
            return self._review(request, context, form, plan, ids, status=429)
        if plan.kind == BulkKind.EXPORT:
            bulk_run.bulk_export_record(actor=request.user, partner_ids=ids)
            return _export(request.user, ids)
        action = bulk_run.bulk_action_create(actor=request.user, plan=plan, partner_ids=ids)
        bulk_run.bulk_action_start(action=action)
        return redirect("console:bulk_result", action.pk)

    def _review(self, request, context, form, plan, ids, status=200):
        outcome = bulk.preview(plan, actor=request.user, partner_ids=ids)
        to = bulk.describe(plan.kind, plan.params())
        return self._render(
            request,
            {
                **context,
                "confirming": True,
                "outcome": outcome,
                "question": _question(plan.kind, outcome["changing"], to),
                "plan": plan,
            },
            form=form,
            status=status,
        )

    def _render(self, request, context, *, form, status=200):
        return render(request, self.template_name, {**context, "form": form}, status=status)

    def _invalid(self, request, message, back):
        return render(
            request, "console/bulk_invalid.html", {"message": message, "back": back}, status=400
        )


def _export(user, ids: list[int]) -> StreamingHttpResponse:
    """The selected partners as CSV, in the list's order (audit's middleware records the
    download as a data export)."""
    partners = partner_selectors.partner_list_for_user(user=user).filter(pk__in=ids).in_bulk()

    def rows():
        yield [str(c) for c in EXPORT_COLUMNS]
        for pk in ids:
            p = partners.get(pk)
            if p is None:
                continue
            yield export_row(p)

    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow([safe_cell(c) for c in row]) for row in rows()),
        content_type="text/csv; charset=utf-8",
    )
    name = f"prm-partners-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class BulkResultView(VendorStaffRequiredMixin, TemplateView):
    """What a bulk action did: how many partners changed, which were skipped and why; while a
    worker runs it, a progress bar (static/js/bulk.js polls ``bulk_progress``)."""

    template_name = "console/bulk_result.html"

    def get_context_data(self, **kwargs):
        action = bulk.bulk_action_get_for_user(user=self.request.user, pk=kwargs["pk"])
        return super().get_context_data(
            action=action,
            to=bulk.describe(action.kind, action.params),
            back=reverse("partners:manager_home"),
            **kwargs,
        )


class BulkProgressView(VendorStaffRequiredMixin, View):
    def get(self, request, pk):
        action = bulk.bulk_action_get_for_user(user=request.user, pk=pk)
        return JsonResponse(
            {
                "state": action.state,
                "done": action.done,
                "total": action.total,
                "percent": action.percent,
                "finished": action.is_finished,
                "changed": len(action.changed_ids),
                "skipped": len(action.skipped),
            }
        )
