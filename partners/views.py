"""Portal pages: thin views over partners.selectors (reads) and partners.services (writes). The
partner home and the channel manager's partner page compose several apps: they are console pages
(console/views.py)."""

from urllib.parse import urlencode

from allauth.core.internal import ratelimit
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.adapters import INVITATION_SESSION_KEY
from partners import selectors, services
from partners.choices import MemberRole, PartnerStatus
from partners.forms import InvitationForm, MemberRoleForm
from partners.list_query import FIGURE_PARAMS, SORTS, list_query_for
from partners.list_rows import list_rows, options_html
from partners.permissions import PartnerAdminRequiredMixin, VendorStaffRequiredMixin


class TeamView(PartnerAdminRequiredMixin, View):
    template_name = "partners/team_list.html"

    def _render(self, request, form, status=200):
        membership = selectors.membership_for_user(request.user)
        partner = membership.partner
        return render(
            request,
            self.template_name,
            {
                "partner": partner,
                "membership": membership,
                "team": selectors.team_list_for_partner(partner=partner),
                "invitations": selectors.invitation_list_open_for_partner(partner=partner),
                "form": form,
                "roles": MemberRole.choices,
            },
            status=status,
        )

    def get(self, request):
        return self._render(request, InvitationForm())

    def post(self, request):
        form = InvitationForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        membership = selectors.membership_for_user(request.user)
        if _invitations_rate_limited(request, partner_id=membership.partner_id):
            form.add_error(None, _("Too many invitations in the last hour. Try again later."))
            return self._render(request, form, status=429)
        try:
            services.invitation_create(
                partner=membership.partner,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except services.PartnerError as exc:
            form.add_error("email", str(exc))
            return self._render(request, form, status=400)
        # The same answer whether or not the address has an account (services.invitation_create).
        messages.success(
            request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]}
        )
        return redirect("partners:team")


def _invitations_rate_limited(request, *, partner_id: int) -> bool:
    """allauth's cache-based limiter (as for login and the application form), per inviting user
    and per partner (``PRM_INVITATION_RATE_LIMIT``, e.g. ``20/1h/user,50/1h/key``). Every valid
    attempt counts, whatever its answer."""
    rates = {"invite": settings.PRM_INVITATION_RATE_LIMIT}
    return not ratelimit.consume(
        request, app="partners", action="invite", config=rates, key=f"partner:{partner_id}"
    )


class MemberRoleView(PartnerAdminRequiredMixin, View):
    def post(self, request, pk):
        membership = selectors.membership_get_for_admin(user=request.user, pk=pk)
        form = MemberRoleForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a valid role."))
            return redirect("partners:team")
        try:
            # The service re-reads the row under a lock: the message describes what it returns,
            # not the stale object fetched before the change.
            membership = services.membership_set_role(
                membership=membership, role=form.cleaned_data["role"], actor=request.user
            )
        except services.PartnerError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("%(name)s is now %(role)s.")
                % {"name": membership.user.display_name, "role": membership.get_role_display()},
            )
        return redirect("partners:team")


class MemberRemoveView(PartnerAdminRequiredMixin, View):
    def post(self, request, pk):
        membership = selectors.membership_get_for_admin(user=request.user, pk=pk)
        name = membership.user.display_name
        try:
            services.membership_remove(membership=membership, actor=request.user)
        except services.PartnerError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("%(name)s was removed from the team.") % {"name": name})
        return redirect("partners:team")


class InvitationRevokeView(PartnerAdminRequiredMixin, View):
    def post(self, request, pk):
        invitation = selectors.invitation_get_for_admin(user=request.user, pk=pk)
        try:
            services.invitation_revoke(invitation=invitation, actor=request.user)
        except services.PartnerError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email},
            )
        return redirect("partners:team")


class InvitationAcceptView(View):
    """The link in an invitation email. Anonymous visitors create their account (the signup form
    is open only while a valid invitation sits in their session); a logged-in invitee joins."""

    template_name = "partners/invitation_accept.html"

    def get(self, request, token):
        invitation = selectors.invitation_get_open(token=token)
        if invitation is None:
            return render(request, "partners/invitation_invalid.html", status=404)
        return render(request, self.template_name, {"invitation": invitation})

    def post(self, request, token):
        invitation = selectors.invitation_get_open(token=token)
        if invitation is None:
            return render(request, "partners/invitation_invalid.html", status=404)
        if not request.user.is_authenticated:
            request.session[INVITATION_SESSION_KEY] = token
            from allauth.account.adapter import get_adapter

            get_adapter(request).stash_verified_email(request, invitation.email)
            return HttpResponseRedirect(reverse("account_signup"))
        try:
            services.invitation_accept(invitation=invitation, user=request.user)
        except services.PartnerError as exc:
            messages.error(request, str(exc))
            return render(request, self.template_name, {"invitation": invitation}, status=400)
        messages.success(
            request, _("Welcome to %(partner_name)s!") % {"partner_name": invitation.partner.name}
        )
        return redirect("partners:home")


def dashboard_query(params: dict[str, str]) -> str:
    """The program dashboard's query string with the list's filters it shares (program, type,
    tier, region, owner) and the figure's range: the way back from a drill-down."""
    names = {"program": "program", "type": "partner_type", "tier": "tier", "region": "region"}
    back = [(names[k], params[k]) for k in names if params.get(k)]
    owner = params.get("owner", "")
    if owner == "me":
        back.append(("owner", "mine"))
    elif owner.isdigit():
        back.append(("owner", owner))
    back += [(k, params[k]) for k in ("since", "until") if params.get(k)]
    return urlencode(back)


class ManagerHomeView(VendorStaffRequiredMixin, TemplateView):
    """The vendor staff's partner list: filters, search, sort and pages (the GET parameters of
    ``partners.list_query``, docs/partner-list.md), saved views, CSV/XLSX export and bulk
    actions. A bad parameter is shown as a message and ignored."""

    template_name = "partners/manager_home.html"
    page_size = 25

    def get_context_data(self, **kwargs):
        user = self.request.user
        query = list_query_for(self.request)
        mine = query.mine
        partners = selectors.partner_list_for_manager_home(
            user=user, mine=mine, params=query.params
        )
        page = Paginator(partners, self.page_size).get_page(self.request.GET.get("page"))
        counts = selectors.partner_status_counts(user=user, mine=mine)
        status = query.params.get("status", "")
        sort = query.sort
        columns = []
        for key in SORTS:
            active = sort.lstrip("-") == key
            descending = sort.startswith("-")
            next_sort = f"-{key}" if active and not descending else key
            columns.append(
                {
                    "key": key,
                    "active": active,
                    "descending": active and descending,
                    "aria_sort": "descending" if active and descending else "ascending",
                    "url": "?" + query.querystring(sort=next_sort),
                }
            )
        views = list(selectors.saved_view_list_for_user(user=user))
        current_view = None
        raw_view = self.request.GET.get("view", "")
        if raw_view.isdigit():
            current_view = next((v for v in views if v.pk == int(raw_view)), None)
        filtered = any(k not in ("scope", "sort") for k in query.params)
        selects = {}
        for name, field in query.form.fields.items():
            choices = getattr(field, "choices", None)
            if choices is None or name in ("scope", "sort"):
                continue
            selects[name] = options_html(choices, query.params.get(name, ""))
        return super().get_context_data(
            mine=mine,
            status=status,
            query=query,
            selects=selects,
            form=query.form,
            filtered=filtered,
            qs=query.querystring(),
            qs_without_status=query.querystring(exclude=("status",)),
            query_mine=query.querystring(scope="mine"),
            query_all=query.querystring(scope="all"),
            columns={c["key"]: c for c in columns},
            page=page,
            rows=list_rows(page.object_list),
            status_counts=[(s, label, counts.get(s, 0)) for s, label in PartnerStatus.choices],
            total=sum(counts.values()),
            saved_views=views,
            current_view=current_view,
            figure=query.figure,
            figure_dashboard=dashboard_query(query.params) if query.figure else "",
            qs_without_figure=query.querystring(exclude=FIGURE_PARAMS),
            **kwargs,
        )
