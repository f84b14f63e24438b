"""Incentive pages: thin views over incentives.selectors (reads) and incentives.services (writes).

Partner pages live under /portal/ (funds for partner admins; points for every partner member),
the vendor's under /manage/. Every fund request is fetched through
``selectors.mdf_request_get_for_user``: another partner's request is a 404.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from incentives import permissions, selectors, services
from incentives.forms import (
    AllocationForm,
    ApproveForm,
    ClaimForm,
    MdfRequestForm,
    NoteForm,
    ReasonForm,
)
from kernel.query import query_id
from kernel.uploads import serve_file
from partners.models import Program
from partners.permissions import (
    PartnerAdminRequiredMixin,
    PartnerMemberRequiredMixin,
    RoleRequiredMixin,
    VendorStaffRequiredMixin,
    is_partner_admin,
    is_vendor_staff,
)
from partners.selectors import membership_for_user, partner_list_for_user

PAGE_SIZE = 25


def _first_error(form) -> str:
    for errors in form.errors.values():
        return errors[0]
    return "Check the form."


# --- partner: funds ----------------------------------------------------------------------------


class MdfListView(PartnerAdminRequiredMixin, View):
    def get(self, request):
        partner = membership_for_user(request.user).partner
        requests = selectors.mdf_request_list_for_user(user=request.user).order_by(
            "-requested_at", "-pk"
        )
        return render(
            request,
            "incentives/mdf_list.html",
            {
                "eligibility": selectors.mdf_eligibility(partner=partner),
                "allocations": selectors.mdf_allocation_list_for_user(user=request.user)[:8],
                "page": Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page")),
            },
        )


class MdfRequestCreateView(PartnerAdminRequiredMixin, View):
    def _render(self, request, form, eligibility, status=200):
        context = {"form": form, "eligibility": eligibility}
        return render(request, "incentives/mdf_form.html", context, status=status)

    def get(self, request):
        partner = membership_for_user(request.user).partner
        return self._render(request, MdfRequestForm(), selectors.mdf_eligibility(partner=partner))

    def post(self, request):
        partner = membership_for_user(request.user).partner
        form = MdfRequestForm(request.POST)
        eligibility = selectors.mdf_eligibility(partner=partner)
        if not form.is_valid():
            return self._render(request, form, eligibility, status=400)
        try:
            mdf = services.mdf_request_create(
                partner=partner, actor=request.user, activity=form.activity()
            )
        except services.MdfError as exc:
            form.add_error(None, str(exc))
            return self._render(request, form, eligibility, status=400)
        messages.success(
            request,
            _("Requested: %(title)s. Your channel manager will decide.") % {"title": mdf.title},
        )
        return redirect("incentives:mdf_detail", pk=mdf.pk)


class MdfDetailView(PartnerAdminRequiredMixin, View):
    def get(self, request, pk):
        mdf = selectors.mdf_request_get_for_user(user=request.user, pk=pk)
        claim_form = ClaimForm(initial={"amount": mdf.approved_amount})
        return render(
            request,
            "incentives/mdf_detail.html",
            {
                "r": mdf,
                "can_claim": permissions.can_claim(request.user, mdf),
                "can_change": permissions.can_change_request(request.user, mdf),
                "claim_form": claim_form,
            },
        )


class MdfEditView(PartnerAdminRequiredMixin, View):
    """Edit a request until the vendor decides."""

    def _render(self, request, mdf, form, status=200):
        context = {"form": form, "r": mdf, "editing": True}
        return render(request, "incentives/mdf_form.html", context, status=status)

    def get(self, request, pk):
        mdf = selectors.mdf_request_get_for_user(user=request.user, pk=pk)
        if not permissions.can_change_request(request.user, mdf):
            messages.info(request, _("This request was decided and can no longer be edited."))
            return redirect("incentives:mdf_detail", pk=mdf.pk)
        initial = {
            "title": mdf.title,
            "description": mdf.description,
            "starts_on": mdf.activity_starts_on,
            "ends_on": mdf.activity_ends_on,
            "amount": mdf.requested_amount,
        }
        return self._render(request, mdf, MdfRequestForm(initial=initial))

    def post(self, request, pk):
        mdf = selectors.mdf_request_get_for_user(user=request.user, pk=pk)
        form = MdfRequestForm(request.POST)
        if not form.is_valid():
            return self._render(request, mdf, form, status=400)
        try:
            mdf = services.mdf_request_update(
                request=mdf, actor=request.user, activity=form.activity()
            )
        except services.MdfError as exc:
            form.add_error(None, str(exc))
            return self._render(request, mdf, form, status=400)
        messages.success(request, _("Your changes to %(title)s were saved.") % {"title": mdf.title})
        return redirect("incentives:mdf_detail", pk=mdf.pk)


class MdfWithdrawView(PartnerAdminRequiredMixin, View):
    def get(self, request, pk):
        # The button lives on the request's page (a POST with a confirmation).
        mdf = selectors.mdf_request_get_for_user(user=request.user, pk=pk)
        return redirect("incentives:mdf_detail", pk=mdf.pk)

    def post(self, request, pk):
        mdf = selectors.mdf_request_get_for_user(user=request.user, pk=pk)
        try:
            services.mdf_request_withdraw(request=mdf, actor=request.user)
        except services.MdfError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("You withdrew %(title)s.") % {"title": mdf.title})
        return redirect("incentives:mdf_detail", pk=mdf.pk)


class MdfClaimView(PartnerAdminRequiredMixin, View):
    def get(self, request, pk):
        # Opened directly (a bookmark, a reload): the claim form is on the request's page.
        mdf = selectors.mdf_request_get_for_user(user=request.user, pk=pk)
        return redirect("incentives:mdf_detail", pk=mdf.pk)

    def post(self, request, pk):
        mdf = selectors.mdf_request_get_for_user(user=request.user, pk=pk)
        form = ClaimForm(request.POST, request.FILES)
        if not form.is_valid():
            context = {"r": mdf, "can_claim": True, "claim_form": form}
            return render(request, "incentives/mdf_detail.html", context, status=400)
        try:
            services.mdf_claim_submit(
                request=mdf,
                actor=request.user,
                amount=form.cleaned_data["amount"],
                proof=form.cleaned_data["proof"],
                note=form.cleaned_data["note"],
            )
        except services.MdfError as exc:
            form.add_error(None, str(exc))
            context = {"r": mdf, "can_claim": permissions.can_claim(request.user, mdf)}
            return render(
                request, "incentives/mdf_detail.html", context | {"claim_form": form}, status=400
            )
        messages.success(request, _("Claim sent with your proof of execution."))
        return redirect("incentives:mdf_detail", pk=mdf.pk)


class _ProofRoleMixin(RoleRequiredMixin):
    def has_role(self, user) -> bool:
        return is_partner_admin(user) or is_vendor_staff(user)


class MdfProofView(_ProofRoleMixin, View):
    """The claim's proof, as a download that can never run in the portal (kernel.uploads.
    serve_file: attachment, nosniff, sandbox CSP)."""

    def get(self, request, pk):
        mdf = selectors.mdf_request_get_for_user(user=request.user, pk=pk)
        if not permissions.can_see_proof(request.user, mdf):
            raise Http404("No proof uploaded.")
        return serve_file(mdf.proof, filename=mdf.proof_name, content_type=mdf.proof_content_type)


# --- manager: queue and decisions --------------------------------------------------------------


class ManagerMdfQueueView(VendorStaffRequiredMixin, View):
    def get(self, request):
        default = "mine" if request.user.owned_partners.exists() else "all"
        mine = request.GET.get("scope", default) == "mine"
        queue = selectors.mdf_queue_for_user(user=request.user, mine=mine)
        recent = selectors.mdf_request_list_for_user(user=request.user, mine=mine).order_by(
            "-updated_at", "-pk"
        )
        allocations = selectors.mdf_allocation_list_for_user(user=request.user, mine=mine)
        return render(
            request,
            "incentives/manager_mdf_queue.html",
            {
                "mine": mine,
                "queue": queue[:100],
                "page": Paginator(recent, PAGE_SIZE).get_page(request.GET.get("page")),
                "allocations": allocations[:50],
                "query": f"scope={'mine' if mine else 'all'}",
            },
        )


class ManagerMdfDetailView(VendorStaffRequiredMixin, View):
    def get(self, request, pk):
        mdf = selectors.mdf_request_get_for_user(user=request.user, pk=pk)
        return render(
            request,
            "incentives/manager_mdf_detail.html",
            {
                "r": mdf,
                "can_decide": permissions.can_decide(request.user, mdf),
                "is_decider": permissions.can_manage_partner_funds(request.user, mdf.partner),
                "approve_form": ApproveForm(),
                "reason_form": ReasonForm(),
                "note_form": NoteForm(),
            },
        )


class _DecisionView(VendorStaffRequiredMixin, View):
    """POST only. Not the owner (nor a vendor admin): 403. Refused by the service: the message,
    back to the request."""

    form_class = ReasonForm
    success = ""

    def act(self, mdf, user, data):
        raise NotImplementedError

    def post(self, request, pk):
        mdf = selectors.mdf_request_get_for_user(user=request.user, pk=pk)
        if not permissions.can_manage_partner_funds(request.user, mdf.partner):
            raise PermissionDenied("Only the partner's channel manager or a vendor admin decides.")
        form = self.form_class(request.POST)
        if not form.is_valid():
            messages.error(request, _first_error(form))
            return redirect("incentives:manager_mdf_detail", pk=mdf.pk)
        try:
            self.act(mdf, request.user, form.cleaned_data)
        except services.MdfError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, self.success.format(title=mdf.title))
        return redirect("incentives:manager_mdf_detail", pk=mdf.pk)


class MdfApproveView(_DecisionView):
    form_class = ApproveForm
    success = "Approved: {title}."

    def act(self, mdf, user, data):
        services.mdf_request_approve(
            request=mdf, actor=user, amount=data["amount"], note=data["note"]
        )


class MdfRejectView(_DecisionView):
    success = "Rejected: {title}."

    def act(self, mdf, user, data):
        services.mdf_request_reject(request=mdf, actor=user, reason=data["reason"])


class MdfClaimApproveView(_DecisionView):
    form_class = NoteForm
    success = "Claim approved: {title}."

    def act(self, mdf, user, data):
        services.mdf_claim_approve(request=mdf, actor=user, note=data["note"])


class MdfClaimRejectView(_DecisionView):
    success = "Claim rejected: {title}."

    def act(self, mdf, user, data):
        services.mdf_claim_reject(request=mdf, actor=user, reason=data["reason"])


class AllocationCreateView(VendorStaffRequiredMixin, View):
    def _partners(self, user):
        return partner_list_for_user(user=user, mine=not user.is_vendor_admin).order_by("name")

    def _render(self, request, form, status=200):
        return render(request, "incentives/allocation_form.html", {"form": form}, status=status)

    def get(self, request):
        initial = {}
        partner = query_id(request, "partner")
        if partner is not None:
            initial["partner"] = partner
        form = AllocationForm(partners=self._partners(request.user), initial=initial)
        return self._render(request, form)

    def post(self, request):
        form = AllocationForm(request.POST, partners=self._partners(request.user))
        if not form.is_valid():
            return self._render(request, form, status=400)
        try:
            allocation = services.mdf_allocation_create(actor=request.user, **form.cleaned_data)
        except services.MdfError as exc:
            form.add_error(None, str(exc))
            return self._render(request, form, status=400)
        messages.success(
            request,
            _("Allocated %(amount)s %(currency)s.")
            % {"amount": allocation.amount, "currency": allocation.currency},
        )
        return redirect("incentives:manager_mdf")


# --- points, badges, leaderboard ---------------------------------------------------------------


class PointsView(PartnerMemberRequiredMixin, View):
    def get(self, request):
        membership = membership_for_user(request.user)
        partner = membership.partner
        history = selectors.award_list_for_partner(partner=partner)
        return render(
            request,
            "incentives/points.html",
            {
                "partner": partner,
                "score": selectors.score_for_partner(partner=partner),
                "badges": selectors.badges_for_partner(partner=partner),
                "page": Paginator(history, PAGE_SIZE).get_page(request.GET.get("page")),
                "standings": selectors.leaderboard(program_id=partner.program_id),
                "rank": selectors.leaderboard_rank(partner=partner),
                "is_admin": membership.is_admin,
            },
        )


class LeaderboardOptOutView(PartnerAdminRequiredMixin, View):
    def post(self, request):
        partner = membership_for_user(request.user).partner
        opt_out = request.POST.get("opt_out") == "1"
        services.leaderboard_set_opt_out(partner=partner, actor=request.user, opt_out=opt_out)
        messages.success(
            request,
            "Your company is hidden from the leaderboard."
            if opt_out
            else "Your company is shown on the leaderboard.",
        )
        return redirect("incentives:points")


class ManagerLeaderboardView(VendorStaffRequiredMixin, View):
    def get(self, request):
        programs = list(Program.objects.order_by("name"))
        chosen = query_id(request, "program") or (programs[0].pk if programs else 0)
        program = next((p for p in programs if p.pk == chosen), programs[0] if programs else None)
        standings = selectors.leaderboard(program_id=program.pk, limit=50) if program else []
        return render(
            request,
            "incentives/manager_leaderboard.html",
            {"programs": programs, "program": program, "standings": standings},
        )
