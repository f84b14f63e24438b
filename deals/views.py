"""Deal pages: thin views over deals.selectors (reads) and deals.services (writes).

Partner pages live under /portal/deals/, the channel managers' under /manage/deals/. Every deal is
fetched through ``selectors.deal_get_for_user``: another partner's deal is a 404.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from deals import permissions, selectors, services
from deals.choices import ExtensionStatus
from deals.exports import csv_rows
from deals.filters import DealFilter, ManagerDealFilter
from deals.forms import (
    ApproveForm,
    DealForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    HelpAssignForm,
    HelpNoteForm,
    HelpRequestForm,
    LineItemFormSet,
    LostForm,
    RejectForm,
    WonForm,
    line_item_initial,
)
from deals.models import DealExtensionRequest
from partners.permissions import PartnerMemberRequiredMixin, VendorStaffRequiredMixin
from partners.selectors import membership_for_user, partner_benefits

PAGE_SIZE = 25


def _csv_response(qs, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_rows(qs), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _export_name(prefix: str) -> str:
    return f"{prefix}-{timezone.now():%Y%m%d-%H%M}.csv"


# --- lists -------------------------------------------------------------------------------------


class _DealListMixin:
    filter_class = DealFilter
    template_name = ""
    manager = False

    def scoped(self, request):
        mine = False
        if self.manager:
            default = "mine" if request.user.owned_partners.exists() else "all"
            mine = request.GET.get("scope", default) == "mine"
        qs = selectors.deal_list_for_user(user=request.user, mine=mine)
        filterset = self.filter_class(request.GET or None, queryset=qs, request=request)
        return filterset, mine

    def query_without_page(self, request) -> str:
        params = request.GET.copy()
        params.pop("page", None)
        return params.urlencode()


class DealListView(PartnerMemberRequiredMixin, _DealListMixin, View):
    template_name = "deals/deal_list.html"

    def get(self, request):
        filterset, _ = self.scoped(request)
        qs = filterset.qs.order_by("-created_at", "-pk")
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            self.template_name,
            {
                "filter": filterset,
                "page": page,
                "query": self.query_without_page(request),
                "membership": membership_for_user(request.user),
            },
            status=200,
        )


class DealExportView(PartnerMemberRequiredMixin, _DealListMixin, View):
    def get(self, request):
        filterset, _ = self.scoped(request)
        return _csv_response(filterset.qs.order_by("-created_at", "-pk"), _export_name("deals"))


class ManagerDealListView(VendorStaffRequiredMixin, _DealListMixin, View):
    template_name = "deals/manager_deal_list.html"
    filter_class = ManagerDealFilter
    manager = True

    def get(self, request):
        filterset, mine = self.scoped(request)
        qs = filterset.qs.order_by("-created_at", "-pk")
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        params = request.GET.copy()
        params.pop("page", None)
        params.pop("scope", None)
        return render(
            request,
            self.template_name,
            {
                "filter": filterset,
                "page": page,
                "mine": mine,
                "query": self.query_without_page(request),
                "filters_query": params.urlencode(),
            },
        )


class ManagerDealExportView(VendorStaffRequiredMixin, _DealListMixin, View):
    filter_class = ManagerDealFilter
    manager = True

    def get(self, request):
        filterset, _ = self.scoped(request)
        qs = filterset.qs.order_by("-created_at", "-pk")
        return _csv_response(qs, _export_name("deal-registrations"))


# --- partner: register and edit ----------------------------------------------------------------


#: What a link may pre-fill on a new registration (``?customer_name=…&customer_domain=…``), e.g.
#: a vendor lead the partner accepted (leads' "register a deal from this lead"), with the longest
#: value kept of each. Only the initial values of the form: the partner still reviews and saves.
PREFILL_FIELDS = {
    "customer_name": 200,
    "customer_domain": 253,
    "customer_country": 2,
    "contact_name": 150,
    "contact_email": 254,
    "contact_phone": 40,
    "notes": 5000,
}


def prefill_from_query(params) -> dict:
    return {
        name: params[name][:limit]
        for name, limit in PREFILL_FIELDS.items()
        if isinstance(params.get(name), str) and params.get(name)
    }


class _DealFormMixin:
    template_name = "deals/deal_form.html"

    def render_form(self, request, form, formset, deal=None, status=200):
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "formset": formset,
                "deal": deal,
                "tier_benefits": partner_benefits(membership_for_user(request.user).partner),
            },
            status=status,
        )

    def forms(self, request, deal=None):
        membership = membership_for_user(request.user)
        can_share = deal is None or permissions.can_share(request.user, deal)
        colleagues = selectors.colleagues_for_sharing(
            partner_id=membership.partner_id, exclude_user=deal.created_by if deal else request.user
        )
        data = request.POST if request.method == "POST" else None
        initial = None
        if deal is None and request.method == "GET":
            initial = prefill_from_query(request.GET)
        if deal is not None:
            initial = {name: getattr(deal, name) for name in services.DETAIL_FIELDS}
            initial["customer_country"] = deal.customer_country.code or ""
            initial["shared_with"] = [u.pk for u in deal.shared_with.all()]
        form = DealForm(data, initial=initial, colleagues=colleagues, can_share=can_share)
        formset = LineItemFormSet(
            data,
            prefix="lines",
            initial=line_item_initial(deal) if deal else None,
            form_kwargs={"partner": membership.partner},
        )
        return form, formset

    def after_save(self, request, deal):
        if "submit" not in request.POST:
            messages.success(request, _("Draft saved. Submit it when it is complete."))
            return redirect("deals:detail", deal.pk)
        try:
            services.deal_submit(deal=deal, actor=request.user)
        except services.DealError as exc:
            messages.warning(
                request, _("Your draft is saved, but it was not submitted: %(exc)s") % {"exc": exc}
            )
            return redirect("deals:edit", deal.pk)
        messages.success(request, _("Deal registered: your channel manager will review it."))
        return redirect("deals:detail", deal.pk)


class DealCreateView(PartnerMemberRequiredMixin, _DealFormMixin, View):
    def get(self, request):
        form, formset = self.forms(request)
        return self.render_form(request, form, formset)

    def post(self, request):
        form, formset = self.forms(request)
        if not (form.is_valid() and formset.is_valid()):
            return self.render_form(request, form, formset, status=400)
        membership = membership_for_user(request.user)
        try:
            deal = services.deal_create(
                partner=membership.partner,
                created_by=request.user,
                details=form.details(),
                lines=formset.lines(),
                shared_with=form.cleaned_data.get("shared_with") or [],
            )
        except services.DealError as exc:
            form.add_error(None, str(exc))
            return self.render_form(request, form, formset, status=400)
        return self.after_save(request, deal)


class DealEditView(PartnerMemberRequiredMixin, _DealFormMixin, View):
    def dispatch_deal(self, request, pk):
        deal = selectors.deal_get_for_user(user=request.user, pk=pk)
        return deal

    def get(self, request, pk):
        deal = self.dispatch_deal(request, pk)
        if not permissions.can_edit(request.user, deal):
            messages.info(request, _("This deal was submitted and can no longer be changed."))
            return redirect("deals:detail", deal.pk)
        form, formset = self.forms(request, deal)
        return self.render_form(request, form, formset, deal)

    def post(self, request, pk):
        deal = self.dispatch_deal(request, pk)
        if not permissions.can_edit(request.user, deal):
            messages.error(request, _("This deal was submitted and can no longer be changed."))
            return redirect("deals:detail", deal.pk)
        form, formset = self.forms(request, deal)
        if not (form.is_valid() and formset.is_valid()):
            return self.render_form(request, form, formset, deal, status=400)
        try:
            deal = services.deal_update(
                deal=deal,
                actor=request.user,
                details=form.details(),
                lines=formset.lines(),
                shared_with=form.cleaned_data.get("shared_with")
                if "shared_with" in form.fields
                else None,
            )
        except services.DealError as exc:
            form.add_error(None, str(exc))
            return self.render_form(request, form, formset, deal, status=400)
        return self.after_save(request, deal)


# --- partner: detail and actions ---------------------------------------------------------------


def _help_context(request, deal, forms, manager=False) -> dict:
    """Co-selling on the deal's page: its help requests with their notes, and the forms."""
    context = {
        "help_requests": selectors.deal_help_requests(deal=deal),
        "help_note_form": forms.get("help_note_form") or HelpNoteForm(),
        "help_note_for": forms.get("help_note_for"),
    }
    if manager:
        context["help_assign_form"] = forms.get("help_assign_form") or HelpAssignForm()
    else:
        context["can_request_help"] = permissions.can_request_help(request.user, deal)
        context["help_form"] = forms.get("help_form") or HelpRequestForm()
    return context


def _partner_detail(request, deal, status=200, **forms):
    user = request.user
    extensions = list(selectors.deal_extension_requests(deal=deal))
    pending = any(e.status == ExtensionStatus.PENDING for e in extensions)
    context = {
        "deal": deal,
        "timeline": selectors.deal_timeline(deal=deal),
        "extensions": extensions,
        "can_edit": permissions.can_edit(user, deal),
        "can_outcome": permissions.can_record_outcome(user, deal),
        "can_extend": permissions.can_request_extension(user, deal) and not pending,
        "won_form": forms.get("won_form") or WonForm(initial={"final_amount": deal.amount}),
        "lost_form": forms.get("lost_form") or LostForm(),
        "extension_form": forms.get("extension_form") or ExtensionRequestForm(),
        "tier_benefits": partner_benefits(deal.partner),
        **_help_context(request, deal, forms),
    }
    return render(request, "deals/deal_detail.html", context, status=status)


class DealDetailView(PartnerMemberRequiredMixin, View):
    def get(self, request, pk):
        return _partner_detail(request, selectors.deal_get_for_user(user=request.user, pk=pk))


class _PartnerActionView(PartnerMemberRequiredMixin, View):
    """POST-only: fetch the scoped deal, validate the form, call the service, redirect."""

    form_class = None
    form_name = ""
    allowed = staticmethod(lambda user, deal: False)

    def act(self, request, deal, data):
        raise NotImplementedError

    def post(self, request, pk):
        deal = selectors.deal_get_for_user(user=request.user, pk=pk)
        form = self.form_class(request.POST) if self.form_class else None
        if form is not None and not form.is_valid():
            return _partner_detail(request, deal, status=400, **{self.form_name: form})
        if not self.allowed(request.user, deal):
            messages.error(
                request,
                _("This is not possible for a %(status)s deal.")
                % {"status": deal.get_status_display().lower()},
            )
            return redirect("deals:detail", deal.pk)
        try:
            message = self.act(request, deal, form.cleaned_data if form else {})
        except services.DealError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, message)
        return redirect("deals:detail", deal.pk)


class DealSubmitView(_PartnerActionView):
    allowed = staticmethod(permissions.can_edit)

    def act(self, request, deal, data):
        services.deal_submit(deal=deal, actor=request.user)
        return "Deal registered: your channel manager will review it."


class DealWonView(_PartnerActionView):
    form_class, form_name = WonForm, "won_form"
    allowed = staticmethod(permissions.can_record_outcome)

    def act(self, request, deal, data):
        services.deal_mark_won(
            deal=deal, actor=request.user, final_amount=data["final_amount"], note=data["note"]
        )
        return "Congratulations: the deal is marked as won."


class DealLostView(_PartnerActionView):
    form_class, form_name = LostForm, "lost_form"
    allowed = staticmethod(permissions.can_record_outcome)

    def act(self, request, deal, data):
        services.deal_mark_lost(deal=deal, actor=request.user, reason=data["reason"])
        return "The deal is marked as lost."


class DealExtensionRequestView(_PartnerActionView):
    form_class, form_name = ExtensionRequestForm, "extension_form"
    allowed = staticmethod(permissions.can_request_extension)

    def act(self, request, deal, data):
        services.deal_extension_request(
            deal=deal, actor=request.user, days=data["days"], reason=data["reason"]
        )
        return "Extension requested: your channel manager will decide."


class DealDeleteView(PartnerMemberRequiredMixin, View):
    def post(self, request, pk):
        deal = selectors.deal_get_for_user(user=request.user, pk=pk)
        if not permissions.can_edit(request.user, deal):
            messages.error(request, _("Only drafts can be deleted."))
            return redirect("deals:detail", deal.pk)
        try:
            services.deal_delete_draft(deal=deal, actor=request.user)
        except services.DealError as exc:
            messages.error(request, str(exc))
            return redirect("deals:detail", deal.pk)
        messages.success(
            request,
            _("The draft for %(customer_name)s was deleted.")
            % {"customer_name": deal.customer_name},
        )
        return redirect("deals:list")


# --- manager: review ---------------------------------------------------------------------------


def _manager_detail(request, deal, status=200, **forms):
    conflicts = selectors.deal_conflicts(deal=deal)
    context = {
        "deal": deal,
        "conflicts": conflicts,
        # "first in wins" needs an unambiguous order: the earliest submission of the customer
        "first_submitted": bool(conflicts)
        and deal.submitted_at is not None
        and all(
            c.deal.submitted_at is None or deal.submitted_at <= c.deal.submitted_at
            for c in conflicts
        ),
        "timeline": selectors.deal_timeline(deal=deal),
        "extensions": selectors.deal_extension_requests(deal=deal),
        "can_review": permissions.can_review(request.user, deal),
        "approve_form": forms.get("approve_form") or ApproveForm(),
        "reject_form": forms.get("reject_form") or RejectForm(),
        "decision_form": ExtensionDecisionForm(),
        "protection": selectors.protection_for_partner(partner=deal.partner),
        **_help_context(request, deal, forms, manager=True),
    }
    return render(request, "deals/manager_deal_detail.html", context, status=status)


class ManagerDealDetailView(VendorStaffRequiredMixin, View):
    def get(self, request, pk):
        return _manager_detail(request, selectors.deal_get_for_user(user=request.user, pk=pk))


class _ReviewView(VendorStaffRequiredMixin, View):
    form_class = ApproveForm
    form_name = ""

    def act(self, request, deal, data) -> str:
        raise NotImplementedError

    def post(self, request, pk):
        deal = selectors.deal_get_for_user(user=request.user, pk=pk)
        form = self.form_class(request.POST)
        if not form.is_valid():
            return _manager_detail(request, deal, status=400, **{self.form_name: form})
        try:
            message = self.act(request, deal, form.cleaned_data)
        except services.DealError as exc:
            form.add_error(None, str(exc))
            messages.error(request, str(exc))
            return _manager_detail(request, deal, status=409, **{self.form_name: form})
        messages.success(request, message)
        return redirect("deals:manager_detail", deal.pk)


class DealApproveView(_ReviewView):
    form_class, form_name = ApproveForm, "approve_form"

    def act(self, request, deal, data):
        deal = services.deal_approve(
            deal=deal,
            actor=request.user,
            note=data["note"],
            acknowledge_conflicts=data["acknowledge_conflicts"],
        )
        return f"Approved: {deal.customer_name} is protected until {deal.protected_until:%d %b %Y}."


class DealRejectView(_ReviewView):
    form_class, form_name = RejectForm, "reject_form"

    def act(self, request, deal, data):
        services.deal_reject(deal=deal, actor=request.user, reason=data["reason"])
        return "Rejected: the partner was told why."


class ExtensionDecideView(VendorStaffRequiredMixin, View):
    def post(self, request, pk, extension_pk):
        deal = selectors.deal_get_for_user(user=request.user, pk=pk)
        extension = DealExtensionRequest.objects.filter(pk=extension_pk, deal=deal).first()
        form = ExtensionDecisionForm(request.POST)
        if extension is None:
            raise Http404("No such extension request.")
        if not form.is_valid():
            messages.error(request, _("Choose to grant or decline the extension."))
            return redirect("deals:manager_detail", deal.pk)
        grant = form.cleaned_data["decision"] == "grant"
        try:
            services.deal_extension_decide(
                extension=extension, actor=request.user, grant=grant, note=form.cleaned_data["note"]
            )
        except services.DealError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Extension granted." if grant else "Extension declined.")
        return redirect("deals:manager_detail", deal.pk)


# --- Co-selling: vendor help on a deal (issue 20) -------------------------------------------------
class DealHelpRequestView(_PartnerActionView):
    form_class, form_name = HelpRequestForm, "help_form"
    allowed = staticmethod(permissions.can_request_help)

    def act(self, request, deal, data):
        services.deal_help_request(
            deal=deal, actor=request.user, kind=data["kind"], message=data["message"]
        )
        return _("Help requested: your channel manager will assign someone from the vendor.")


class _HelpNoteView(View):
    manager = False

    def post(self, request, pk, help_pk):
        deal = selectors.deal_get_for_user(user=request.user, pk=pk)
        help_request = selectors.deal_help_request_get(deal=deal, pk=help_pk)
        detail, target = (
            (_manager_detail, "deals:manager_detail")
            if self.manager
            else (_partner_detail, "deals:detail")
        )
        form = HelpNoteForm(request.POST)
        if not form.is_valid():
            return detail(
                request, deal, status=400, help_note_form=form, help_note_for=help_request.pk
            )
        if not permissions.can_note_help(request.user, deal):
            raise Http404("No such deal.")
        try:
            services.deal_help_note(
                help_request=help_request, actor=request.user, body=form.cleaned_data["body"]
            )
        except services.DealError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Note added."))
        return redirect(target, deal.pk)


class DealHelpNoteView(PartnerMemberRequiredMixin, _HelpNoteView):
    manager = False


class ManagerHelpNoteView(VendorStaffRequiredMixin, _HelpNoteView):
    manager = True


class ManagerHelpAssignView(VendorStaffRequiredMixin, View):
    def post(self, request, pk, help_pk):
        deal = selectors.deal_get_for_user(user=request.user, pk=pk)
        help_request = selectors.deal_help_request_get(deal=deal, pk=help_pk)
        form = HelpAssignForm(request.POST)
        if not form.is_valid():
            return _manager_detail(
                request, deal, status=400, help_assign_form=form, help_note_for=help_request.pk
            )
        if not permissions.can_assign_help(request.user):
            raise Http404("No such deal.")
        try:
            services.deal_help_assign(
                help_request=help_request,
                actor=request.user,
                assignee=form.cleaned_data["assignee"],
            )
        except services.DealError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("%(name)s will help on this deal.")
                % {"name": form.cleaned_data["assignee"].display_name},
            )
        return redirect("deals:manager_detail", deal.pk)
