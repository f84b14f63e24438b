"""Onboarding panels for other apps' pages, so their views need not know about onboarding:

- ``{% onboarding_panel %}`` on the partner home: progress, the next step, due and overdue steps.
- ``{% stalled_partners_panel %}`` on the channel manager home.
- ``{% onboarding_manager_panel partner %}`` on the manager's partner page.
"""

from django import template
from django.urls import reverse

from onboarding import selectors
from onboarding.choices import StepKind
from onboarding.forms import manager_choices
from onboarding.permissions import can_reassign_owner
from partners.permissions import can_open
from partners.readers import step_subjects
from partners.selectors import owns_partners

register = template.Library()

# Steps whose page lives in onboarding (or in partners) link there when no link was set.
_KIND_ROUTES = {
    StepKind.AGREEMENT: "onboarding:agreement",
    StepKind.PROFILE: "onboarding:profile",
    StepKind.INVITE: "partners:team",
}


@register.simple_tag(takes_context=True)
def step_link(context, step) -> str:
    """Where the partner does this step: the admin-set link, else the page for its kind, or of the
    course or certification it names; empty when the user viewing it may not open that page
    (only partner admins manage the team)."""
    if step.link_url:
        link = step.link_url
    elif step.kind in _KIND_ROUTES:
        link = reverse(_KIND_ROUTES[step.kind])
    elif step.kind == StepKind.DOCUMENT:
        link = reverse("onboarding:checklist") + f"#step-{step.pk}"
    elif step.subject_id and step.kind in step_subjects:
        # a course or certification step: the page of what it names (the app that owns it says
        # where), one query
        subject = step_subjects.get(step.kind)(step.subject_id)
        link = subject.url if subject is not None else ""
        if not link:
            return ""
    else:
        return ""
    request = context.get("request")
    if request is not None and not can_open(request.user, link):
        return ""
    return link


@register.inclusion_tag("onboarding/_partner_panel.html", takes_context=True)
def onboarding_panel(context):
    user = context["request"].user
    summary = selectors.summary_for_member(user=user)
    return {
        "summary": summary,
        "survey": selectors.survey_open_for_member(user=user),
        "request": context["request"],
    }


@register.inclusion_tag("onboarding/_stalled_panel.html", takes_context=True)
def stalled_partners_panel(context):
    request = context["request"]
    user = request.user
    owns = owns_partners(user, request=request)  # asked once per request (the list asks too)
    return {
        "stalled": selectors.stalled_checklists_for_user(user=user, owns_partners=owns),
        "pending_applications": selectors.application_counts(user=user).get("pending", 0),
    }


@register.inclusion_tag("onboarding/_manager_panel.html", takes_context=True)
def onboarding_manager_panel(context, partner):
    # The page already fetched ``partner`` through the scoped selector: two queries here.
    user = context["request"].user
    checklist = selectors.checklist_for_staff(user=user, partner=partner)
    return {
        "partner": partner,
        "summary": selectors.checklist_summary(checklist),
        "managers": list(manager_choices()) if can_reassign_owner(user, partner) else [],
        "csrf_token": context.get("csrf_token"),
        "request": context["request"],
    }
