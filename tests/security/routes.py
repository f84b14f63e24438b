"""THE access registry: how every route answers every persona (RELIABILITY.md A1/A2).

``tests/security/test_access_sweep.py`` walks the URL resolver, so a new route fails the sweep until
it is declared here. Each entry says, per HTTP method the view accepts, what each persona gets when
the URL names **partner A's** objects (``kwargs`` picks them by name from
``tests/security/world.py::build_sweep_objects``). Columns of ``row(...)``:

    anonymous, partner A admin, partner A user, partner B admin, partner B user,
    channel manager owning A, channel manager not owning A, vendor admin

Values: a status code, a tuple of acceptable codes, ``LOGIN`` (302 to the login page),
``ADMIN_LOGIN`` (302 to the admin login) or a callable ``(response) -> bool``. Unsafe methods send
``data`` (default: an empty form / JSON body). Policy in one screen: another partner's object is a
404; anonymous gets the login page (HTML) or 401 (API); channel managers are vendor staff and see
every partner (``mine`` is a filter, not a permission); partner pages are 404 for vendor staff.
Review a change here as a policy change.
"""

from tests.security.sweep import (
    ADMIN_LOGIN,
    LOGIN,
    SWEEP_PERSONAS,
    Literal,
    Route,
    RouteInfo,
    row,
)


def _admin_ok(response) -> bool:
    """Vendor admins reach the admin: a page, a redirect after a form, 404 for a missing id, or
    403 where a model admin is read-only (events, rollup state, records made by services)."""
    location = response.get("Location", "")
    return response.status_code in (200, 302, 403, 404) and "/admin/login/" not in location


def _to_admin_index(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


# Every route of the Django admin (model pages appear with each registered model): superusers
# only (the sweep's vendor admin is one; a vendor admin who is not is refused, see
# tests/security/test_auth_hardening.py); everyone else is sent to the admin login (allauth).
ADMIN = Route(
    kwargs={
        "object_id": Literal("1"),
        "id": "a_admin_user",
        "content_type_id": Literal("1"),
        "app_label": Literal("partners"),
        "url": Literal("no-such-page/"),
    },
    get=row(*[ADMIN_LOGIN] * 7, _admin_ok),
    post=row(*[ADMIN_LOGIN] * 7, _admin_ok),
    # only the admin's ``<model>/<id>/`` redirects (to ``<id>/change/``) accept these
    put=row(*[ADMIN_LOGIN] * 7, _admin_ok),
    patch=row(*[ADMIN_LOGIN] * 7, _admin_ok),
    delete=row(*[ADMIN_LOGIN] * 7, _admin_ok),
)


ROUTES: dict[str, Route] = {
    # The admin login goes through allauth (secure_admin_login): rate limits and MFA apply.
    "admin:login": Route(
        get=row(LOGIN, *[403] * 6, 302),
        post=row(LOGIN, *[403] * 6, 302),
    ),
    "admin:logout": Route(
        get=row(*[_to_admin_index] * 7, 405),
        post=row(*[_to_admin_index] * 7, 200),
    ),
    "home": Route(get=row(LOGIN, 302, 302, 302, 302, 302, 302, 302)),
    "healthz": Route(get=row(200, 200, 200, 200, 200, 200, 200, 200)),
    "account_login": Route(
        get=row(200, 302, 302, 302, 302, 302, 302, 302),
        post=row(200, 302, 302, 302, 302, 302, 302, 302),
    ),
    "account_logout": Route(
        get=row(LOGIN, 200, 200, 200, 200, 200, 200, 200),
        post=row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    ),
    "account_inactive": Route(get=row(200, 200, 200, 200, 200, 200, 200, 200)),
    "account_signup": Route(
        get=row(200, 302, 302, 302, 302, 302, 302, 302),
        post=row(200, 302, 302, 302, 302, 302, 302, 302),
    ),
    "account_reauthenticate": Route(
        get=row(LOGIN, 200, 200, 200, 200, 200, 200, 200),
        post=row(LOGIN, 200, 200, 200, 200, 200, 200, 200),
    ),
    "account_email": Route(
        get=row(LOGIN, 200, 200, 200, 200, 200, 200, 200),
        post=row(LOGIN, 302, 302, 302, 302, 302, 302, 302),
    ),
    "account_email_verification_sent": Route(get=row(200, 200, 200, 200, 200, 200, 200, 200)),
    "account_change_password": Route(
        get=row(LOGIN, 200, 200, 200, 200, 200, 200, 200),
        post=row(LOGIN, 200, 200, 200, 200, 200, 200, 200),
    ),
    "account_set_password": Route(
        get=row(LOGIN, 302, 302, 302, 302, 302, 302, 302),
        post=row(LOGIN, 302, 302, 302, 302, 302, 302, 302),
    ),
    "account_reset_password": Route(
        get=row(200, 200, 200, 200, 200, 200, 200, 200),
        post=row(200, 200, 200, 200, 200, 200, 200, 200),
    ),
    "account_confirm_login_code": Route(
        get=row(302, 302, 302, 302, 302, 302, 302, 302),
        post=row(302, 302, 302, 302, 302, 302, 302, 302),
    ),
    "account_confirm_email": Route(
        kwargs={"key": Literal("not-a-real-key")},
        get=row(200, 200, 200, 200, 200, 200, 200, 200),
        post=row(404, 404, 404, 404, 404, 404, 404, 404),
    ),
    "account_reset_password_from_key_done": Route(get=row(200, 200, 200, 200, 200, 200, 200, 200)),
    "account_reset_password_from_key": Route(
        kwargs={"uidb36": Literal("0"), "key": Literal("not-a-real-key")},
        get=row(200, 200, 200, 200, 200, 200, 200, 200),
        post=row(200, 200, 200, 200, 200, 200, 200, 200),
    ),
    "account_reset_password_done": Route(get=row(200, 200, 200, 200, 200, 200, 200, 200)),
    "mfa_index": Route(get=row(LOGIN, 200, 200, 200, 200, 200, 200, 200)),
    "mfa_authenticate": Route(
        get=row(LOGIN, 302, 302, 302, 302, 302, 302, 302),
        post=row(LOGIN, 302, 302, 302, 302, 302, 302, 302),
    ),
    "mfa_reauthenticate": Route(
        get=row(LOGIN, 302, 302, 302, 302, 302, 302, 302),
        post=row(LOGIN, 302, 302, 302, 302, 302, 302, 302),
    ),
    "mfa_activate_totp": Route(
        get=row(LOGIN, 302, 302, 302, 302, 302, 302, 302),
        post=row(LOGIN, 302, 302, 302, 302, 302, 302, 302),
    ),
    "mfa_deactivate_totp": Route(
        get=row(LOGIN, 404, 404, 404, 404, 404, 404, 404),
        post=row(LOGIN, 404, 404, 404, 404, 404, 404, 404),
    ),
    "mfa_view_recovery_codes": Route(get=row(LOGIN, 404, 404, 404, 404, 404, 404, 404)),
    "mfa_generate_recovery_codes": Route(
        get=row(LOGIN, 302, 302, 302, 302, 302, 302, 302),
        post=row(LOGIN, 302, 302, 302, 302, 302, 302, 302),
    ),
    "mfa_download_recovery_codes": Route(get=row(LOGIN, 404, 404, 404, 404, 404, 404, 404)),
    "usersessions_list": Route(
        get=row(LOGIN, 200, 200, 200, 200, 200, 200, 200),
        post=row(LOGIN, 302, 302, 302, 302, 302, 302, 302),
    ),
    "partners:home": Route(get=row(LOGIN, 200, 200, 200, 200, 404, 404, 404)),
    "partners:team": Route(
        get=row(LOGIN, 200, 404, 200, 404, 404, 404, 404),
        post=row(LOGIN, 400, 404, 400, 404, 404, 404, 404),
    ),
    "partners:member_role": Route(
        kwargs={"pk": "membership"},
        post=row(LOGIN, 302, 404, 404, 404, 404, 404, 404),
    ),
    "partners:member_remove": Route(
        kwargs={"pk": "membership"},
        post=row(LOGIN, 302, 404, 404, 404, 404, 404, 404),
    ),
    "partners:invitation_revoke": Route(
        kwargs={"pk": "invitation"},
        post=row(LOGIN, 302, 404, 404, 404, 404, 404, 404),
    ),
    "partners:invitation_accept": Route(
        shows_a_by_design="the link is a one-time secret mailed to the invitee; whoever holds it "
        "sees which partner invites them",
        kwargs={"token": "invitation_token"},
        get=row(200, 200, 200, 200, 200, 200, 200, 200),
        post=row(302, 400, 400, 400, 400, 400, 400, 400),
    ),
    "partners:manager_home": Route(get=row(LOGIN, 404, 404, 404, 404, 200, 200, 200)),
    # The partner list's export of the current view (audited as a data export) and its saved
    # views: vendor staff only. The sweep's view is the owning manager's, shared: every vendor
    # staff member may open it (a redirect to the list); deleting needs its owner or a vendor
    # admin (another manager 403) and a confirmation (an empty form is a 400). Saving an empty
    # form (no name) is a 400 with the list and the message.
    "partners:manager_export_csv": Route(get=row(LOGIN, 404, 404, 404, 404, 200, 200, 200)),
    "partners:manager_export_xlsx": Route(get=row(LOGIN, 404, 404, 404, 404, 200, 200, 200)),
    "partners:saved_view_save": Route(post=row(LOGIN, 404, 404, 404, 404, 400, 400, 400)),
    "partners:saved_view": Route(
        kwargs={"pk": "saved_view"}, get=row(LOGIN, 404, 404, 404, 404, 302, 302, 302)
    ),
    "partners:saved_view_delete": Route(
        kwargs={"pk": "saved_view"}, post=row(LOGIN, 404, 404, 404, 404, 400, 403, 400)
    ),
    # Partner import: vendor admins only. Channel managers are vendor staff, so they get 403 (the
    # page exists for them, the action does not); partner users 404. The sweep's import was
    # checked and its file is gone: applying it is refused (409). The progress JSON answers
    # errors as JSON (401 signed out).
    "partners:import": Route(
        get=row(LOGIN, *[404] * 4, 403, 403, 200),
        post=row(LOGIN, *[404] * 4, 403, 403, 400),
    ),
    "partners:import_template": Route(
        kwargs={"fmt": Literal("csv")}, get=row(LOGIN, *[404] * 4, 403, 403, 200)
    ),
    "partners:import_job": Route(
        kwargs={"pk": "partner_import"}, get=row(LOGIN, *[404] * 4, 403, 403, 200)
    ),
    "partners:import_apply": Route(
        kwargs={"pk": "partner_import"}, post=row(LOGIN, *[404] * 4, 403, 403, 409)
    ),
    "partners:import_progress": Route(
        kwargs={"pk": "partner_import"}, get=row(401, *[404] * 4, 403, 403, 200)
    ),
    "partners:manager_partner": Route(
        kwargs={"pk": "partner"},
        get=row(LOGIN, 404, 404, 404, 404, 200, 200, 200),
    ),
    # Vendor staff's notes and tasks on a partner (followup): every channel manager may note and
    # set tasks on any partner (as they see every partner); a note is changed by its author or a
    # vendor admin, a task by its creator, assignee or a vendor admin (403 for another manager).
    # Partners get 404 on every route. A's note and task are the owning manager's.
    "followup:my_tasks": Route(get=row(LOGIN, *[404] * 4, 200, 200, 200)),
    "followup:note_create": Route(
        kwargs={"pk": "partner"},
        get=row(LOGIN, *[404] * 4, 200, 200, 200),
        post=row(LOGIN, *[404] * 4, 400, 400, 400),
    ),
    "followup:note_edit": Route(
        kwargs={"pk": "note"},
        get=row(LOGIN, *[404] * 4, 200, 403, 200),
        post=row(LOGIN, *[404] * 4, 400, 403, 400),
    ),
    "followup:note_delete": Route(
        kwargs={"pk": "note"},
        get=row(LOGIN, *[404] * 4, 200, 403, 200),
        post=row(LOGIN, *[404] * 4, 302, 403, 302),
    ),
    "followup:task_create": Route(
        kwargs={"pk": "partner"},
        get=row(LOGIN, *[404] * 4, 200, 200, 200),
        post=row(LOGIN, *[404] * 4, 400, 400, 400),
    ),
    "followup:task_edit": Route(
        kwargs={"pk": "task"},
        get=row(LOGIN, *[404] * 4, 200, 403, 200),
        post=row(LOGIN, *[404] * 4, 400, 403, 400),
    ),
    "followup:task_delete": Route(
        kwargs={"pk": "task"},
        get=row(LOGIN, *[404] * 4, 200, 403, 200),
        post=row(LOGIN, *[404] * 4, 302, 403, 302),
    ),
    **{
        f"followup:task_{action}": Route(
            kwargs={"pk": "task"}, post=row(LOGIN, *[404] * 4, 302, 403, 302)
        )
        for action in ("complete", "reopen")
    },
    # Vendor leads (issue 20). Vendor staff enter, list and route leads (partners: 404); partner
    # A's members see the lead offered to A (B and vendor staff: 404, even by id); only A's admin
    # answers (A's user: 403). The sweep lead waits for A's answer: routing it again is refused
    # (flash, 302) and converting it before accepting redirects back to it.
    "leads:manage_list": Route(get=row(LOGIN, *[404] * 4, 200, 200, 200)),
    "leads:manage_create": Route(
        get=row(LOGIN, *[404] * 4, 200, 200, 200),
        post=row(LOGIN, *[404] * 4, 400, 400, 400),
    ),
    "leads:manage_import": Route(
        get=row(LOGIN, *[404] * 4, 200, 200, 200),
        post=row(LOGIN, *[404] * 4, 400, 400, 400),
    ),
    "leads:manage_detail": Route(kwargs={"pk": "lead"}, get=row(LOGIN, *[404] * 4, 200, 200, 200)),
    "leads:manage_route": Route(kwargs={"pk": "lead"}, post=row(LOGIN, *[404] * 4, 302, 302, 302)),
    "leads:inbox": Route(get=row(LOGIN, 200, 200, 200, 200, 404, 404, 404)),
    "leads:inbox_detail": Route(kwargs={"pk": "lead"}, get=row(LOGIN, 200, 200, *[404] * 5)),
    "leads:accept": Route(kwargs={"pk": "lead"}, post=row(LOGIN, 302, 403, *[404] * 5)),
    "leads:decline": Route(kwargs={"pk": "lead"}, post=row(LOGIN, 400, 403, *[404] * 5)),
    "leads:status": Route(kwargs={"pk": "lead"}, post=row(LOGIN, 400, 400, *[404] * 5)),
    "leads:convert": Route(kwargs={"pk": "lead"}, get=row(LOGIN, 302, 302, *[404] * 5)),
    # Business plans (issue 21): partner pages under /portal/plans/ (members read, admins draft;
    # vendor staff get 404 there), the vendor's under /manage/plans/ (partners get 404). Actions
    # are shared: drafters of either side act (403 for A's plain user, 404 for partner B); the
    # vendor's commitments are vendor staff's (403 for A's admin); a plan A's admin submitted is
    # approved by vendor staff (403 for A's admin). An empty form is a 400.
    "plans:list": Route(get=row(LOGIN, 200, 200, 200, 200, 404, 404, 404)),
    "plans:create": Route(
        get=row(LOGIN, 200, 404, 200, 404, 404, 404, 404),
        post=row(LOGIN, 400, 404, 400, 404, 404, 404, 404),
    ),
    "plans:scorecard": Route(get=row(LOGIN, 200, 200, 200, 200, 404, 404, 404)),
    "plans:manage_scorecard": Route(
        kwargs={"pk": "partner"}, get=row(LOGIN, *[404] * 4, 200, 200, 200)
    ),
    # the scorecard PDF answers as the scorecard page does (partner B gets its own, never A's)
    "plans:scorecard_pdf": Route(get=row(LOGIN, 200, 200, 200, 200, 404, 404, 404)),
    "plans:manage_scorecard_pdf": Route(
        kwargs={"pk": "partner"}, get=row(LOGIN, *[404] * 4, 200, 200, 200)
    ),
    "plans:detail": Route(kwargs={"pk": "plan"}, get=row(LOGIN, 200, 200, *[404] * 5)),
    "plans:manage_list": Route(get=row(LOGIN, *[404] * 4, 200, 200, 200)),
    "plans:manage_detail": Route(kwargs={"pk": "plan"}, get=row(LOGIN, *[404] * 4, 200, 200, 200)),
    "plans:manage_create": Route(
        kwargs={"pk": "partner"},
        get=row(LOGIN, *[404] * 4, 200, 200, 200),
        post=row(LOGIN, *[404] * 4, 400, 400, 400),
    ),
    **{
        f"plans:{name}": Route(
            kwargs={"pk": "plan"}, post=row(LOGIN, 400, 403, 404, 404, 400, 400, 400)
        )
        for name in ("goal_add", "initiative_add", "comment_add")
    },
    "plans:submit": Route(
        kwargs={"pk": "plan"}, post=row(LOGIN, 302, 403, 404, 404, 302, 302, 302)
    ),
    "plans:commitment_add": Route(
        kwargs={"pk": "plan"}, post=row(LOGIN, 403, 403, 404, 404, 400, 400, 400)
    ),
    "plans:goal_remove": Route(
        kwargs={"pk": "plan_goal"}, post=row(LOGIN, 302, 403, 404, 404, 302, 302, 302)
    ),
    "plans:goal_done": Route(
        kwargs={"pk": "plan_goal"}, post=row(LOGIN, 302, 403, 404, 404, 302, 302, 302)
    ),
    "plans:initiative_status": Route(
        kwargs={"pk": "plan_initiative"}, post=row(LOGIN, 400, 403, 404, 404, 400, 400, 400)
    ),
    "plans:summary": Route(
        kwargs={"pk": "plan"}, post=row(LOGIN, 302, 403, 404, 404, 302, 302, 302)
    ),
    "plans:initiative_remove": Route(
        kwargs={"pk": "plan_initiative"}, post=row(LOGIN, 302, 403, 404, 404, 302, 302, 302)
    ),
    "plans:commitment_remove": Route(
        kwargs={"pk": "plan_commitment"}, post=row(LOGIN, 403, 403, 404, 404, 302, 302, 302)
    ),
    "plans:approve": Route(
        kwargs={"pk": "submitted_plan"}, post=row(LOGIN, 403, 403, 404, 404, 302, 302, 302)
    ),
    "plans:send_back": Route(
        kwargs={"pk": "submitted_plan"}, post=row(LOGIN, 302, 403, 404, 404, 302, 302, 302)
    ),
    "plans:revise": Route(
        kwargs={"pk": "approved_plan"}, post=row(LOGIN, 302, 403, 404, 404, 302, 302, 302)
    ),
    # Quarterly business reviews (issue 21): partner pages under /portal/reviews/ (members read),
    # the vendor's under /manage/reviews/. Managing (schedule, change, hold, cancel, notes,
    # convert) is the owning manager's and vendor admins' (403 for the other manager and the
    # partner); A's admin comments and adds action items for its side (403 for A's plain user).
    "plans:portal_reviews": Route(get=row(LOGIN, 200, 200, 200, 200, 404, 404, 404)),
    "plans:portal_review": Route(kwargs={"pk": "review"}, get=row(LOGIN, 200, 200, *[404] * 5)),
    "plans:manage_reviews": Route(get=row(LOGIN, *[404] * 4, 200, 200, 200)),
    "plans:manage_review": Route(
        kwargs={"pk": "review"}, get=row(LOGIN, *[404] * 4, 200, 200, 200)
    ),
    "plans:review_schedule": Route(
        kwargs={"pk": "partner"},
        get=row(LOGIN, *[404] * 4, 200, 403, 200),
        post=row(LOGIN, *[404] * 4, 400, 403, 400),
    ),
    "plans:review_edit": Route(
        kwargs={"pk": "review"},
        get=row(LOGIN, *[404] * 4, 200, 403, 200),
        post=row(LOGIN, *[404] * 4, 400, 403, 400),
    ),
    "plans:review_ics": Route(
        kwargs={"pk": "review"}, get=row(LOGIN, 200, 200, 404, 404, 200, 200, 200)
    ),
    **{
        f"plans:{name}": Route(
            kwargs={"pk": "review"}, post=row(LOGIN, 403, 403, 404, 404, 302, 403, 302)
        )
        for name in ("review_hold", "review_cancel", "review_notes")
    },
    "plans:review_comment": Route(
        kwargs={"pk": "review"}, post=row(LOGIN, 400, 403, 404, 404, 400, 400, 400)
    ),
    "plans:review_action_add": Route(
        kwargs={"pk": "review"}, post=row(LOGIN, 400, 403, 404, 404, 400, 403, 400)
    ),
    "plans:review_action_initiative": Route(
        kwargs={"pk": "review_action"}, post=row(LOGIN, 403, 403, 404, 404, 302, 403, 302)
    ),
    "console:review_action_task": Route(
        kwargs={"pk": "review_action"}, post=row(LOGIN, *[404] * 4, 302, 403, 302)
    ),
    "onboarding:apply": Route(
        get=row(200, 200, 200, 200, 200, 200, 200, 200),
        post=row(400, 400, 400, 400, 400, 400, 400, 400),
    ),
    "onboarding:apply_thanks": Route(get=row(200, 200, 200, 200, 200, 200, 200, 200)),
    "onboarding:checklist": Route(get=row(LOGIN, 200, 200, 200, 200, 404, 404, 404)),
    "onboarding:agreement": Route(
        get=row(LOGIN, 200, 200, 200, 200, 404, 404, 404),
        post=row(LOGIN, 400, 403, 400, 403, 404, 404, 404),
    ),
    "onboarding:profile": Route(
        get=row(LOGIN, 200, 404, 200, 404, 404, 404, 404),
        post=row(LOGIN, 400, 404, 400, 404, 404, 404, 404),
    ),
    "onboarding:document_upload": Route(
        kwargs={"pk": "doc_step"},
        post=row(LOGIN, 302, 302, 404, 404, 404, 404, 404),
    ),
    "onboarding:document_download": Route(
        kwargs={"pk": "document"},
        get=row(LOGIN, 200, 200, 404, 404, 200, 200, 200),
    ),
    "onboarding:survey": Route(
        get=row(LOGIN, 200, 404, 200, 404, 404, 404, 404),
        post=row(LOGIN, 400, 404, 302, 404, 404, 404, 404),
    ),
    "onboarding:applications": Route(get=row(LOGIN, 404, 404, 404, 404, 200, 200, 200)),
    "onboarding:application": Route(
        kwargs={"pk": "application"},
        get=row(LOGIN, 404, 404, 404, 404, 200, 200, 200),
    ),
    "onboarding:application_approve": Route(
        kwargs={"pk": "application"},
        get=row(LOGIN, 404, 404, 404, 404, 200, 200, 200),
        post=row(LOGIN, 404, 404, 404, 404, 400, 400, 400),
    ),
    "onboarding:application_reject": Route(
        kwargs={"pk": "application"},
        get=row(LOGIN, 404, 404, 404, 404, 200, 200, 200),
        post=row(LOGIN, 404, 404, 404, 404, 400, 400, 400),
    ),
    "onboarding:step_verify": Route(
        kwargs={"pk": "step"},
        post=row(LOGIN, 404, 404, 404, 404, 302, 302, 302),
    ),
    "onboarding:checklist_migrate": Route(
        kwargs={"pk": "partner"},
        post=row(LOGIN, 404, 404, 404, 404, 302, 302, 302),
    ),
    "onboarding:owner_reassign": Route(
        kwargs={"pk": "partner"},
        # the current owner hands over, a vendor admin reassigns; another manager gets 404
        post=row(LOGIN, 404, 404, 404, 404, 302, 404, 302),
    ),
    "onboarding:survey_results": Route(get=row(LOGIN, 404, 404, 404, 404, 200, 200, 200)),
    "enablement:catalog": Route(get=row(LOGIN, 200, 200, 200, 200, 200, 200, 200)),
    "enablement:course_detail": Route(
        kwargs={"slug": "course"},
        get=row(LOGIN, 200, 200, 200, 200, 200, 200, 200),
    ),
    "enablement:course_start": Route(
        kwargs={"slug": "course"},
        post=row(LOGIN, 302, 302, 302, 302, 404, 404, 404),
    ),
    "enablement:course_restart": Route(
        kwargs={"slug": "course"},
        post=row(LOGIN, 302, 302, 302, 302, 404, 404, 404),
    ),
    "enablement:lesson": Route(
        kwargs={"slug": "course", "pk": "lesson"},
        get=row(LOGIN, 200, 200, 200, 200, 200, 200, 200),
        post=row(LOGIN, 302, 302, 302, 302, 404, 404, 404),
    ),
    "enablement:quiz": Route(
        kwargs={"slug": "course"},
        get=row(LOGIN, 200, 200, 200, 200, 200, 200, 200),
        post=row(LOGIN, 400, 400, 400, 400, 404, 404, 404),
    ),
    "enablement:attempt": Route(
        kwargs={"pk": "attempt"},
        get=row(LOGIN, 404, 200, 404, 404, 404, 404, 404),
    ),
    "enablement:lesson_file": Route(
        kwargs={"pk": "lesson"},
        get=row(LOGIN, 200, 200, 200, 200, 200, 200, 200),
    ),
    "enablement:certificate_detail": Route(
        kwargs={"code": "certificate"},
        get=row(LOGIN, 200, 200, 404, 404, 200, 200, 200),
    ),
    "enablement:verify": Route(get=row(200, 200, 200, 200, 200, 200, 200, 200)),
    "enablement:verify_code": Route(
        shows_a_by_design="public certificate verification: the holder shares the code",
        kwargs={"code": "certificate"},
        get=row(200, 200, 200, 200, 200, 200, 200, 200),
    ),
    "enablement:library": Route(get=row(LOGIN, 200, 200, 200, 200, 200, 200, 200)),
    "enablement:resource_detail": Route(
        kwargs={"pk": "resource"},
        get=row(LOGIN, 200, 200, 200, 200, 200, 200, 200),
    ),
    "enablement:resource_download": Route(
        kwargs={"pk": "resource"},
        get=row(LOGIN, 200, 200, 200, 200, 200, 200, 200),
    ),
    # Enablement setup (authoring): vendor staff read the lists and the course page; the forms
    # and actions are for vendor admins (channel managers get 403: the content is no secret to
    # them); partner users get 404. Actions on A's sweep objects are refused (the course is in a
    # certification, the certification was issued, the first lesson cannot move up) or roll back.
    "enablement:setup_courses": Route(get=row(LOGIN, *[404] * 4, 200, 200, 200)),
    "enablement:setup_course_create": Route(
        get=row(LOGIN, *[404] * 4, 403, 403, 200),
        post=row(LOGIN, *[404] * 4, 403, 403, 400),
    ),
    "enablement:setup_course": Route(
        kwargs={"pk": "course_pk"}, get=row(LOGIN, *[404] * 4, 200, 200, 200)
    ),
    "enablement:setup_course_edit": Route(
        kwargs={"pk": "course_pk"},
        get=row(LOGIN, *[404] * 4, 403, 403, 200),
        post=row(LOGIN, *[404] * 4, 403, 403, 400),
    ),
    **{
        f"enablement:setup_course_{action}": Route(
            kwargs={"pk": "course_pk"}, post=row(LOGIN, *[404] * 4, 403, 403, 302)
        )
        for action in ("publish", "archive", "delete")
    },
    "enablement:setup_lesson_create": Route(
        kwargs={"pk": "course_pk"},
        get=row(LOGIN, *[404] * 4, 403, 403, 200),
        post=row(LOGIN, *[404] * 4, 403, 403, 400),
    ),
    "enablement:setup_lesson_edit": Route(
        kwargs={"pk": "lesson"},
        get=row(LOGIN, *[404] * 4, 403, 403, 200),
        post=row(LOGIN, *[404] * 4, 403, 403, 400),
    ),
    **{
        f"enablement:setup_lesson_{action}": Route(
            kwargs={"pk": "lesson"}, post=row(LOGIN, *[404] * 4, 403, 403, 302)
        )
        for action in ("up", "down", "delete")
    },
    "enablement:setup_quiz": Route(
        kwargs={"pk": "course_pk"},
        get=row(LOGIN, *[404] * 4, 403, 403, 200),
        post=row(LOGIN, *[404] * 4, 403, 403, 400),
    ),
    # The confirmation page to remove a course's quiz: A's quiz was taken, so the POST is refused
    # (409, the attempts counted) and the quiz stays.
    "enablement:setup_quiz_delete": Route(
        kwargs={"pk": "course_pk"},
        get=row(LOGIN, *[404] * 4, 403, 403, 200),
        post=row(LOGIN, *[404] * 4, 403, 403, 409),
    ),
    "enablement:setup_question_create": Route(
        kwargs={"pk": "course_pk"},
        get=row(LOGIN, *[404] * 4, 403, 403, 200),
        post=row(LOGIN, *[404] * 4, 403, 403, 400),
    ),
    "enablement:setup_question_edit": Route(
        kwargs={"pk": "question"},
        get=row(LOGIN, *[404] * 4, 403, 403, 200),
        post=row(LOGIN, *[404] * 4, 403, 403, 400),
    ),
    "enablement:setup_question_delete": Route(
        kwargs={"pk": "question"}, post=row(LOGIN, *[404] * 4, 403, 403, 302)
    ),
    "enablement:setup_certifications": Route(get=row(LOGIN, *[404] * 4, 200, 200, 200)),
    "enablement:setup_certification_create": Route(
        get=row(LOGIN, *[404] * 4, 403, 403, 200),
        post=row(LOGIN, *[404] * 4, 403, 403, 400),
    ),
    "enablement:setup_certification_edit": Route(
        kwargs={"pk": "certification"},
        get=row(LOGIN, *[404] * 4, 403, 403, 200),
        post=row(LOGIN, *[404] * 4, 403, 403, 400),
    ),
    "enablement:setup_certification_delete": Route(
        kwargs={"pk": "certification"}, post=row(LOGIN, *[404] * 4, 403, 403, 302)
    ),
    "enablement:setup_resources": Route(get=row(LOGIN, *[404] * 4, 200, 200, 200)),
    "enablement:setup_resource_create": Route(
        get=row(LOGIN, *[404] * 4, 403, 403, 200),
        post=row(LOGIN, *[404] * 4, 403, 403, 400),
    ),
    "enablement:setup_resource_edit": Route(
        kwargs={"pk": "resource"},
        get=row(LOGIN, *[404] * 4, 403, 403, 200),
        post=row(LOGIN, *[404] * 4, 403, 403, 400),
    ),
    "enablement:setup_resource_delete": Route(
        kwargs={"pk": "resource"}, post=row(LOGIN, *[404] * 4, 403, 403, 302)
    ),
    "enablement:setup_preview": Route(post=row(LOGIN, *[404] * 4, 403, 403, 200)),
    # Checklist builder (program setup): vendor staff read the list, a template and the partner
    # preview; edits are for vendor admins (channel managers 403); partner users 404. Empty posts
    # are refused (400) or, for the draft actions, shown as a message (302) and rolled back.
    "onboarding:setup_checklists": Route(get=row(LOGIN, *[404] * 4, 200, 200, 200)),
    "onboarding:setup_checklist_preview": Route(get=row(LOGIN, *[404] * 4, 200, 200, 200)),
    "onboarding:setup_checklist_create": Route(
        get=row(LOGIN, *[404] * 4, 403, 403, 200),
        post=row(LOGIN, *[404] * 4, 403, 403, 400),
    ),
    "onboarding:setup_checklist": Route(
        kwargs={"pk": "checklist_template"}, get=row(LOGIN, *[404] * 4, 200, 200, 200)
    ),
    **{
        f"onboarding:setup_checklist_{name}": Route(
            kwargs={"pk": "checklist_template"},
            get=row(LOGIN, *[404] * 4, 403, 403, 200),
            post=row(LOGIN, *[404] * 4, 403, 403, 400),
        )
        for name in ("edit", "step_add", "migrate")
    },
    "onboarding:setup_checklist_step_edit": Route(
        kwargs={"pk": "checklist_template", "key": "template_step_key"},
        get=row(LOGIN, *[404] * 4, 403, 403, 200),
        post=row(LOGIN, *[404] * 4, 403, 403, 400),
    ),
    **{
        f"onboarding:setup_checklist_step_{action}": Route(
            kwargs={"pk": "checklist_template", "key": "template_step_key"},
            post=row(LOGIN, *[404] * 4, 403, 403, 302),
        )
        for action in ("remove", "up", "down")
    },
    "onboarding:setup_checklist_reorder": Route(
        kwargs={"pk": "checklist_template"}, post=row(LOGIN, *[404] * 4, 403, 403, 400)
    ),
    "onboarding:setup_checklist_discard": Route(
        kwargs={"pk": "checklist_template"}, post=row(LOGIN, *[404] * 4, 403, 403, 302)
    ),
    "onboarding:setup_checklist_publish": Route(
        kwargs={"pk": "checklist_template"},
        get=row(LOGIN, *[404] * 4, 403, 403, 302),
        post=row(LOGIN, *[404] * 4, 403, 403, 302),
    ),
    # Activation experiments (issue 22): vendor staff read the setup pages and the results;
    # creating, starting, stopping and rolling out are for vendor admins (channel managers 403);
    # partner users 404. An empty create or stop post is refused (400); starting the running
    # experiment or rolling out one without a winner is refused as a message (302).
    "onboarding:setup_experiments": Route(get=row(LOGIN, *[404] * 4, 200, 200, 200)),
    "onboarding:setup_experiment_create": Route(
        get=row(LOGIN, *[404] * 4, 403, 403, 200),
        post=row(LOGIN, *[404] * 4, 403, 403, 400),
    ),
    "onboarding:setup_experiment": Route(
        kwargs={"pk": "experiment"}, get=row(LOGIN, *[404] * 4, 200, 200, 200)
    ),
    "onboarding:experiment_results": Route(
        kwargs={"pk": "experiment"}, get=row(LOGIN, *[404] * 4, 200, 200, 200)
    ),
    "onboarding:setup_experiment_start": Route(
        kwargs={"pk": "experiment"},
        get=row(LOGIN, *[404] * 4, 403, 403, 200),
        post=row(LOGIN, *[404] * 4, 403, 403, 302),
    ),
    "onboarding:setup_experiment_stop": Route(
        kwargs={"pk": "experiment"},
        get=row(LOGIN, *[404] * 4, 403, 403, 200),
        post=row(LOGIN, *[404] * 4, 403, 403, 400),
    ),
    "onboarding:setup_experiment_roll_out": Route(
        kwargs={"pk": "experiment"},
        get=row(LOGIN, *[404] * 4, 403, 403, 200),
        post=row(LOGIN, *[404] * 4, 403, 403, 302),
    ),
    "onboarding:setup_experiment_roll_out_end": Route(
        kwargs={"pk": "experiment"},
        get=row(LOGIN, *[404] * 4, 403, 403, 200),
        post=row(LOGIN, *[404] * 4, 403, 403, 302),
    ),
    # Program setup (issue 18): the hub and the program, partner type and offering pages read
    # like enablement's setup (vendor staff read, vendor admins write, channel managers 403 on
    # the forms and actions, partner users 404). Deleting A's program or type is refused while
    # partners use them (409); archiving A's program, the only active one, is refused (302 with
    # a message); everything else rolls back with the sweep's savepoint.
    "console:setup": Route(get=row(LOGIN, *[404] * 4, 200, 200, 200)),
    # Missing translations (issue 23): vendor staff read it; only admins get the edit links.
    "console:setup_translations": Route(get=row(LOGIN, *[404] * 4, 200, 200, 200)),
    **{
        f"partners:setup_{name}": Route(get=row(LOGIN, *[404] * 4, 200, 200, 200))
        for name in ("programs", "types", "offerings")
    },
    **{
        f"partners:setup_{name}_create": Route(
            get=row(LOGIN, *[404] * 4, 403, 403, 200),
            post=row(LOGIN, *[404] * 4, 403, 403, 400),
        )
        for name in ("program", "type", "offering")
    },
    **{
        f"partners:setup_{name}_edit": Route(
            kwargs={"pk": key},
            get=row(LOGIN, *[404] * 4, 403, 403, 200),
            post=row(LOGIN, *[404] * 4, 403, 403, 400),
        )
        for name, key in (
            ("program", "program"),
            ("type", "partner_type"),
            ("offering", "offering"),
        )
    },
    **{
        f"partners:setup_{name}_delete": Route(
            kwargs={"pk": key},
            get=row(LOGIN, *[404] * 4, 403, 403, 200),
            post=row(LOGIN, *[404] * 4, 403, 403, 409),
        )
        for name, key in (("program", "program"), ("type", "partner_type"))
    },
    **{
        f"partners:setup_{name}_archive": Route(
            kwargs={"pk": name}, post=row(LOGIN, *[404] * 4, 403, 403, 302)
        )
        for name in ("program", "offering")
    },
    "partners:setup_offering_rule_create": Route(
        kwargs={"pk": "offering"},
        get=row(LOGIN, *[404] * 4, 403, 403, 200),
        post=row(LOGIN, *[404] * 4, 403, 403, 400),
    ),
    "partners:setup_offering_rule_edit": Route(
        kwargs={"pk": "adoption_rule"},
        get=row(LOGIN, *[404] * 4, 403, 403, 200),
        post=row(LOGIN, *[404] * 4, 403, 403, 400),
    ),
    "partners:setup_offering_rule_delete": Route(
        kwargs={"pk": "adoption_rule"}, post=row(LOGIN, *[404] * 4, 403, 403, 302)
    ),
    "deals:list": Route(get=row(LOGIN, 200, 200, 200, 200, 404, 404, 404)),
    "deals:export": Route(get=row(LOGIN, 200, 200, 200, 200, 404, 404, 404)),
    "deals:create": Route(
        get=row(LOGIN, 200, 200, 200, 200, 404, 404, 404),
        post=row(LOGIN, 400, 400, 400, 400, 404, 404, 404),
    ),
    "deals:detail": Route(
        kwargs={"pk": "deal"},
        get=row(LOGIN, 200, 200, 404, 404, 404, 404, 404),
    ),
    "deals:edit": Route(
        kwargs={"pk": "draft_deal"},
        get=row(LOGIN, 200, 200, 404, 404, 404, 404, 404),
        post=row(LOGIN, 400, 400, 404, 404, 404, 404, 404),
    ),
    "deals:submit": Route(
        kwargs={"pk": "draft_deal"},
        post=row(LOGIN, 302, 302, 404, 404, 404, 404, 404),
    ),
    "deals:delete": Route(
        kwargs={"pk": "draft_deal"},
        post=row(LOGIN, 302, 302, 404, 404, 404, 404, 404),
    ),
    "deals:won": Route(kwargs={"pk": "deal"}, post=row(LOGIN, 400, 400, 404, 404, 404, 404, 404)),
    "deals:lost": Route(kwargs={"pk": "deal"}, post=row(LOGIN, 400, 400, 404, 404, 404, 404, 404)),
    "deals:extension": Route(
        kwargs={"pk": "deal"},
        post=row(LOGIN, 400, 400, 404, 404, 404, 404, 404),
    ),
    # co-selling: the partner's own people ask for help and add notes (an empty form: 400)
    "deals:help_request": Route(
        kwargs={"pk": "deal"},
        post=row(LOGIN, 400, 400, 404, 404, 404, 404, 404),
    ),
    "deals:help_note": Route(
        kwargs={"pk": "deal", "help_pk": "help_request"},
        post=row(LOGIN, 400, 400, 404, 404, 404, 404, 404),
    ),
    "deals:manager_list": Route(get=row(LOGIN, 404, 404, 404, 404, 200, 200, 200)),
    "deals:manager_export": Route(get=row(LOGIN, 404, 404, 404, 404, 200, 200, 200)),
    "deals:manager_detail": Route(
        kwargs={"pk": "deal"},
        get=row(LOGIN, 404, 404, 404, 404, 200, 200, 200),
    ),
    "deals:approve": Route(
        kwargs={"pk": "deal"},
        post=row(LOGIN, 404, 404, 404, 404, 409, 409, 409),
    ),
    "deals:reject": Route(
        kwargs={"pk": "deal"},
        post=row(LOGIN, 404, 404, 404, 404, 400, 400, 400),
    ),
    "deals:extension_decide": Route(
        kwargs={"pk": "deal", "extension_pk": "extension"},
        post=row(LOGIN, 404, 404, 404, 404, 302, 302, 302),
    ),
    # co-selling: vendor staff assign a vendor person and add notes (an empty form: 400)
    "deals:manager_help_assign": Route(
        kwargs={"pk": "deal", "help_pk": "help_request"},
        post=row(LOGIN, 404, 404, 404, 404, 400, 400, 400),
    ),
    "deals:manager_help_note": Route(
        kwargs={"pk": "deal", "help_pk": "help_request"},
        post=row(LOGIN, 404, 404, 404, 404, 400, 400, 400),
    ),
    "metrics:partner_adoption": Route(get=row(LOGIN, 200, 200, 200, 200, 404, 404, 404)),
    "metrics:dashboard": Route(get=row(LOGIN, 404, 404, 404, 404, 200, 200, 200)),
    "metrics:dashboard_export": Route(
        kwargs={"table": Literal("at-risk")},
        get=row(LOGIN, 404, 404, 404, 404, 200, 200, 200),
    ),
    "metrics:roi": Route(get=row(LOGIN, 404, 404, 404, 404, 200, 200, 200)),
    "metrics:roi_export": Route(
        kwargs={"table": Literal("partners")},
        get=row(LOGIN, 404, 404, 404, 404, 200, 200, 200),
    ),
    "metrics:manager_partner_adoption": Route(
        kwargs={"pk": "partner"},
        get=row(LOGIN, 404, 404, 404, 404, 200, 200, 200),
    ),
    "profile": Route(
        get=row(LOGIN, 200, 200, 200, 200, 200, 200, 200),
        post=row(LOGIN, 400, 400, 400, 400, 400, 400, 400),
    ),
    # the language switcher: anyone may choose (anonymous: the cookie); no language is a 400
    "set_language": Route(post=row(400, 400, 400, 400, 400, 400, 400, 400)),
    "api_tokens": Route(
        get=row(LOGIN, 200, 200, 200, 200, 200, 200, 200),
        post=row(LOGIN, 400, 400, 400, 400, 400, 400, 400),
    ),
    "api_token_revoke": Route(
        kwargs={"pk": "api_token"},
        post=row(LOGIN, 302, 404, 404, 404, 404, 404, 404),
    ),
    # vendor staff: channel managers read the list, vendor admins act; partner users see nothing
    "staff": Route(
        get=row(LOGIN, 404, 404, 404, 404, 200, 200, 200),
        post=row(LOGIN, 404, 404, 404, 404, 403, 403, 400),
    ),
    "staff_role": Route(
        kwargs={"pk": "staff_member"},
        post=row(LOGIN, 404, 404, 404, 404, 403, 403, 400),
    ),
    "staff_deactivate": Route(
        kwargs={"pk": "staff_member"},
        post=row(LOGIN, 404, 404, 404, 404, 403, 403, 302),
    ),
    "staff_reactivate": Route(
        kwargs={"pk": "staff_member"},
        post=row(LOGIN, 404, 404, 404, 404, 403, 403, 302),
    ),
    # the sweep's staff member has a password: refused (a message on the page, 302)
    "staff_resend_invitation": Route(
        kwargs={"pk": "staff_member"},
        post=row(LOGIN, 404, 404, 404, 404, 403, 403, 302),
    ),
    "api-schema": Route(get=row(200, 200, 200, 200, 200, 200, 200, 200)),
    "api-docs": Route(get=row(200, 200, 200, 200, 200, 200, 200, 200)),
    "api-metrics-activation": Route(get=row(401, 404, 404, 404, 404, 200, 200, 200)),
    "api-metrics-adoption": Route(get=row(401, 404, 404, 404, 404, 200, 200, 200)),
    "api-metrics-at-risk": Route(get=row(401, 404, 404, 404, 404, 200, 200, 200)),
    # partner admins may ingest for their own partner only if PRM_INGEST_PARTNER_EVENTS (off: 403;
    # an empty batch is a 400)
    "api-events": Route(post=row(401, 403, 404, 403, 404, 400, 400, 400)),
    # webhooks: vendor admins only (channel managers too get 404)
    "webhooks:list": Route(
        get=row(LOGIN, *[404] * 6, 200),
        post=row(LOGIN, *[404] * 6, 400),
    ),
    "webhooks:detail": Route(kwargs={"pk": "webhook_endpoint"}, get=row(LOGIN, *[404] * 6, 200)),
    "webhooks:action": Route(
        kwargs={"pk": "webhook_endpoint", "action": Literal("test")},
        post=row(LOGIN, *[404] * 6, 302),
    ),
    "webhook-endpoint-list": Route(
        get=row(401, *[404] * 6, 200),
        post=row(401, *[404] * 6, 400),
    ),
    "webhook-endpoint-detail": Route(
        kwargs={"pk": "webhook_endpoint"},
        get=row(401, *[404] * 6, 200),
        patch=row(401, *[404] * 6, 200),
        delete=row(401, *[404] * 6, 204),
    ),
    "webhook-endpoint-test": Route(
        kwargs={"pk": "webhook_endpoint"}, post=row(401, *[404] * 6, 202)
    ),
    "webhook-delivery-list": Route(get=row(401, *[404] * 6, 200)),
    "webhook-delivery-detail": Route(
        kwargs={"pk": "webhook_delivery"}, get=row(401, *[404] * 6, 200)
    ),
    # customers: vendor staff write; a partner's members read their own; others' ids are 404
    "customers:partner_list": Route(get=row(LOGIN, 200, 200, 200, 200, 404, 404, 404)),
    "customers:manager_list": Route(get=row(LOGIN, 404, 404, 404, 404, 200, 200, 200)),
    "api-metrics-user-adoption": Route(get=row(401, 200, 200, 200, 200, 200, 200, 200)),
    # leads: vendor staff tokens list, read and create; partners see none (404 by id, 403 create)
    "lead-list": Route(
        get=row(401, 200, 200, 200, 200, 200, 200, 200),
        post=row(401, 403, 403, 403, 403, 400, 400, 400),
    ),
    "lead-detail": Route(kwargs={"pk": "lead"}, get=row(401, *[404] * 4, 200, 200, 200)),
    # business plans and reviews (issue 21): each partner its own (another's ids are 404);
    # reviews are scheduled and changed by the owning manager and vendor admins (empty body: 400)
    "plan-list": Route(get=row(401, 200, 200, 200, 200, 200, 200, 200)),
    "plan-detail": Route(kwargs={"pk": "plan"}, get=row(401, 200, 200, 404, 404, 200, 200, 200)),
    "plan-goal-list": Route(get=row(401, 200, 200, 200, 200, 200, 200, 200)),
    "plan-goal-detail": Route(
        kwargs={"pk": "plan_goal"}, get=row(401, 200, 200, 404, 404, 200, 200, 200)
    ),
    "business-review-list": Route(
        get=row(401, 200, 200, 200, 200, 200, 200, 200),
        post=row(401, 403, 403, 403, 403, 400, 400, 400),
    ),
    "business-review-detail": Route(
        kwargs={"pk": "review"},
        get=row(401, 200, 200, 404, 404, 200, 200, 200),
        put=row(401, 403, 403, 404, 404, 400, 403, 400),
    ),
    "customer-account-list": Route(
        get=row(401, 200, 200, 200, 200, 200, 200, 200),
        post=row(401, 403, 403, 403, 403, 400, 400, 400),
    ),
    "customer-account-detail": Route(
        kwargs={"pk": "customer_account"},
        get=row(401, 200, 200, 404, 404, 200, 200, 200),
        patch=row(401, 403, 403, 404, 404, 200, 200, 200),
    ),
    "seat-license-list": Route(
        get=row(401, 200, 200, 200, 200, 200, 200, 200),
        post=row(401, 403, 403, 403, 403, 400, 400, 400),
    ),
    "seat-license-detail": Route(
        kwargs={"pk": "seat_license"},
        get=row(401, 200, 200, 404, 404, 200, 200, 200),
        patch=row(401, 403, 403, 404, 404, 400, 400, 400),
        delete=row(401, 403, 403, 404, 404, 204, 204, 204),
    ),
    "program-list": Route(get=row(401, 200, 200, 200, 200, 200, 200, 200)),
    "program-detail": Route(
        kwargs={"pk": "program"},
        get=row(401, 200, 200, 200, 200, 200, 200, 200),
    ),
    "tier-list": Route(get=row(401, 200, 200, 200, 200, 200, 200, 200)),
    "tier-detail": Route(kwargs={"pk": "tier"}, get=row(401, 200, 200, 200, 200, 200, 200, 200)),
    "partner-list": Route(get=row(401, 200, 200, 200, 200, 200, 200, 200)),
    "partner-detail": Route(
        kwargs={"pk": "partner"},
        get=row(401, 200, 200, 404, 404, 200, 200, 200),
    ),
    "partner-user-list": Route(get=row(401, 200, 200, 200, 200, 200, 200, 200)),
    "partner-user-detail": Route(
        kwargs={"pk": "membership"},
        get=row(401, 200, 404, 404, 404, 200, 200, 200),
    ),
    "application-list": Route(get=row(401, 404, 404, 404, 404, 200, 200, 200)),
    "application-detail": Route(
        kwargs={"pk": "application"},
        get=row(401, 404, 404, 404, 404, 200, 200, 200),
    ),
    "checklist-list": Route(get=row(401, 200, 200, 200, 200, 200, 200, 200)),
    "checklist-detail": Route(
        kwargs={"pk": "checklist"},
        get=row(401, 200, 200, 404, 404, 200, 200, 200),
    ),
    "deal-list": Route(
        get=row(401, 200, 200, 200, 200, 200, 200, 200),
        post=row(401, 400, 400, 400, 400, 403, 403, 403),
    ),
    "deal-detail": Route(
        kwargs={"pk": "deal"},
        get=row(401, 200, 200, 404, 404, 200, 200, 200),
        put=row(401, 409, 409, 404, 404, 403, 403, 403),
        patch=row(401, 409, 409, 404, 404, 403, 403, 403),
        delete=row(401, 409, 409, 404, 404, 403, 403, 403),
    ),
    "deal-approve": Route(kwargs={"pk": "deal"}, post=row(401, 403, 403, 404, 404, 409, 409, 409)),
    "deal-lost": Route(kwargs={"pk": "deal"}, post=row(401, 400, 400, 404, 404, 403, 403, 403)),
    "deal-reject": Route(kwargs={"pk": "deal"}, post=row(401, 403, 403, 404, 404, 409, 409, 409)),
    "deal-submit": Route(
        kwargs={"pk": "draft_deal"},
        post=row(401, 200, 200, 404, 404, 404, 404, 404),
    ),
    "deal-won": Route(kwargs={"pk": "deal"}, post=row(401, 400, 400, 404, 404, 403, 403, 403)),
    "course-list": Route(get=row(401, 200, 200, 200, 200, 200, 200, 200)),
    "course-detail": Route(
        kwargs={"pk": "course_pk"},
        get=row(401, 200, 200, 200, 200, 200, 200, 200),
    ),
    "certification-list": Route(get=row(401, 200, 200, 200, 200, 200, 200, 200)),
    "certification-detail": Route(
        kwargs={"pk": "certification"},
        get=row(401, 200, 200, 200, 200, 200, 200, 200),
    ),
    "certificate-list": Route(get=row(401, 200, 200, 200, 200, 200, 200, 200)),
    "certificate-detail": Route(
        kwargs={"pk": "certificate_pk"},
        get=row(401, 404, 200, 404, 404, 404, 404, 404),
    ),
    "resource-list": Route(get=row(401, 200, 200, 200, 200, 200, 200, 200)),
    "resource-detail": Route(
        kwargs={"pk": "resource"},
        get=row(401, 200, 200, 200, 200, 200, 200, 200),
    ),
    "api-root": Route(get=row(401, 200, 200, 200, 200, 200, 200, 200)),
    # incentives (MDF, points): MDF is for partner admins; approvals for the owning manager
    "incentives:mdf_list": Route(get=row(LOGIN, 200, 404, 200, 404, 404, 404, 404)),
    "incentives:mdf_create": Route(
        get=row(LOGIN, 200, 404, 200, 404, 404, 404, 404),
        post=row(LOGIN, 400, 404, 400, 404, 404, 404, 404),
    ),
    "incentives:mdf_detail": Route(
        kwargs={"pk": "mdf_request"},
        get=row(LOGIN, 200, 404, 404, 404, 404, 404, 404),
    ),
    "incentives:mdf_claim": Route(
        kwargs={"pk": "mdf_request"},
        # opened directly: back to the request's page, which holds the form
        get=row(LOGIN, 302, 404, 404, 404, 404, 404, 404),
        post=row(LOGIN, 400, 404, 404, 404, 404, 404, 404),
    ),
    "incentives:mdf_edit": Route(
        kwargs={"pk": "mdf_request"},
        get=row(LOGIN, 200, 404, 404, 404, 404, 404, 404),
        post=row(LOGIN, 400, 404, 404, 404, 404, 404, 404),
    ),
    "incentives:mdf_withdraw": Route(
        kwargs={"pk": "mdf_request"},
        get=row(LOGIN, 302, 404, 404, 404, 404, 404, 404),
        post=row(LOGIN, 302, 404, 404, 404, 404, 404, 404),
    ),
    "incentives:mdf_proof": Route(
        kwargs={"pk": "mdf_claimed"},
        get=row(LOGIN, 200, 404, 404, 404, 200, 200, 200),
    ),
    "incentives:points": Route(get=row(LOGIN, 200, 200, 200, 200, 404, 404, 404)),
    "incentives:leaderboard_opt_out": Route(post=row(LOGIN, 302, 404, 302, 404, 404, 404, 404)),
    "incentives:manager_mdf": Route(get=row(LOGIN, 404, 404, 404, 404, 200, 200, 200)),
    "incentives:allocation_create": Route(
        get=row(LOGIN, 404, 404, 404, 404, 200, 200, 200),
        post=row(LOGIN, 404, 404, 404, 404, 400, 400, 400),
    ),
    "incentives:manager_mdf_detail": Route(
        kwargs={"pk": "mdf_request"},
        get=row(LOGIN, 404, 404, 404, 404, 200, 200, 200),
    ),
    "incentives:mdf_approve": Route(
        kwargs={"pk": "mdf_request"},
        post=row(LOGIN, 404, 404, 404, 404, 302, 403, 302),
    ),
    "incentives:mdf_reject": Route(
        kwargs={"pk": "mdf_request"},
        post=row(LOGIN, 404, 404, 404, 404, 302, 403, 302),
    ),
    "incentives:mdf_claim_approve": Route(
        kwargs={"pk": "mdf_claimed"},
        post=row(LOGIN, 404, 404, 404, 404, 302, 403, 302),
    ),
    "incentives:mdf_claim_reject": Route(
        kwargs={"pk": "mdf_claimed"},
        post=row(LOGIN, 404, 404, 404, 404, 302, 403, 302),
    ),
    "incentives:manager_leaderboard": Route(get=row(LOGIN, 404, 404, 404, 404, 200, 200, 200)),
    "incentives:rules": Route(get=row(LOGIN, 404, 404, 404, 404, 200, 200, 200)),
    # incentives API: funds for partner admins and vendor staff; decisions for the owner or an
    # admin (the other manager 403; a decided request 409); awards for the partner and staff
    "mdf-allocation-list": Route(get=row(401, 200, 200, 200, 200, 200, 200, 200)),
    "mdf-allocation-detail": Route(
        kwargs={"pk": "mdf_allocation"},
        get=row(401, 200, 404, 404, 404, 200, 200, 200),
    ),
    "mdf-request-list": Route(
        get=row(401, 200, 200, 200, 200, 200, 200, 200),
        post=row(401, 400, 403, 400, 403, 403, 403, 403),
    ),
    "mdf-request-detail": Route(
        kwargs={"pk": "mdf_request"},
        get=row(401, 200, 404, 404, 404, 200, 200, 200),
    ),
    "mdf-request-withdraw": Route(
        kwargs={"pk": "mdf_request"},
        post=row(401, (200, 409), 404, 404, 404, 403, 403, 403),
    ),
    "mdf-request-approve": Route(
        kwargs={"pk": "mdf_request"},
        post=row(401, 403, 404, 404, 404, (200, 409), 403, (200, 409)),
    ),
    "mdf-request-reject": Route(
        kwargs={"pk": "mdf_request"},
        post=row(401, 403, 404, 404, 404, (400, 409), 403, (400, 409)),
    ),
    "mdf-request-approve-claim": Route(
        kwargs={"pk": "mdf_claimed"},
        post=row(401, 403, 404, 404, 404, (200, 409), 403, (200, 409)),
    ),
    "mdf-request-reject-claim": Route(
        kwargs={"pk": "mdf_claimed"},
        post=row(401, 403, 404, 404, 404, (400, 409), 403, (400, 409)),
    ),
    "award-list": Route(get=row(401, 200, 200, 200, 200, 200, 200, 200)),
    "award-detail": Route(
        kwargs={"pk": "award"},
        get=row(401, 200, 200, 404, 404, 200, 200, 200),
    ),
    "badge-list": Route(get=row(401, 200, 200, 200, 200, 200, 200, 200)),
    "badge-detail": Route(
        kwargs={"pk": "badge"},
        get=row(401, 200, 200, 200, 200, 200, 200, 200),
    ),
    # tiers: review for vendor staff; overriding a partner's tier is for its owner or an admin
    "tiers:tier_review": Route(get=row(LOGIN, 404, 404, 404, 404, 200, 200, 200)),
    "tiers:tier_override": Route(
        kwargs={"pk": "partner"},
        get=row(LOGIN, 404, 404, 404, 404, 200, 404, 200),
        post=row(LOGIN, 404, 404, 404, 404, 400, 404, 400),
    ),
    # Tier setup: vendor staff read the ladder; every edit route is for vendor admins (channel
    # managers 403, partner users 404). A's tier is held by partners, so deleting it is refused
    # (302 back to the ladder with the references); a bare move has no direction (refused, 302).
    "tiers:setup_tiers": Route(get=row(LOGIN, *[404] * 4, 200, 200, 200)),
    "tiers:setup_tier_create": Route(  # without ?program= an admin is sent to the ladder
        get=row(LOGIN, *[404] * 4, 403, 403, 302),
        post=row(LOGIN, *[404] * 4, 403, 403, 302),
    ),
    **{
        f"tiers:setup_{name}": Route(
            kwargs={"pk": obj},
            get=row(LOGIN, *[404] * 4, 403, 403, 200),
            post=row(LOGIN, *[404] * 4, 403, 403, 400),
        )
        for name, obj in (
            ("tier_edit", "tier"),
            ("requirement_create", "tier"),
            ("requirement_edit", "tier_requirement"),
            ("benefit_create", "tier"),
            ("benefit_edit", "tier_benefit"),
        )
    },
    "tiers:setup_tier_move": Route(
        kwargs={"pk": "tier"}, post=row(LOGIN, *[404] * 4, 403, 403, 302)
    ),
    "tiers:setup_tier_delete": Route(
        kwargs={"pk": "tier"},
        get=row(LOGIN, *[404] * 4, 403, 403, 200),
        post=row(LOGIN, *[404] * 4, 403, 403, 302),
    ),
    "tiers:setup_requirement_delete": Route(
        kwargs={"pk": "tier_requirement"},
        get=row(LOGIN, *[404] * 4, 403, 403, 200),
        post=row(LOGIN, *[404] * 4, 403, 403, 302),
    ),
    "tiers:setup_benefit_delete": Route(
        kwargs={"pk": "tier_benefit"}, post=row(LOGIN, *[404] * 4, 403, 403, 302)
    ),
    # the live count is JSON for every answer: 401 anonymous, 404 partners, 400 without a measure
    "tiers:setup_requirement_count": Route(
        kwargs={"pk": "tier"}, get=row(401, *[404] * 4, 400, 400, 400)
    ),
    # bulk actions of the partner list (console.bulk): vendor staff; each partner is then checked
    # on its own (an empty selection is a 400). A result is its actor's and the vendor admins'.
    "console:bulk": Route(post=row(LOGIN, 404, 404, 404, 404, 400, 400, 400)),
    # the churn model page (issue 22): vendor staff only; partners never see forecasts
    "console:churn_model": Route(get=row(LOGIN, 404, 404, 404, 404, 200, 200, 200)),
    "console:bulk_result": Route(
        kwargs={"pk": "bulk_action"},
        get=row(LOGIN, 404, 404, 404, 404, 200, 404, 200),
    ),
    "console:bulk_progress": Route(
        kwargs={"pk": "bulk_action"},
        get=row(LOGIN, 404, 404, 404, 404, 200, 404, 200),
    ),
    # audit log: vendor admins only (it spans every partner)
    "audit:log": Route(get=row(LOGIN, 404, 404, 404, 404, 404, 404, 200)),
    # notifications: everyone signed in has their own; another person's notice is 404
    "notifications:list": Route(get=row(LOGIN, 200, 200, 200, 200, 200, 200, 200)),
    "notifications:read_all": Route(post=row(LOGIN, 302, 302, 302, 302, 302, 302, 302)),
    "notifications:read": Route(
        kwargs={"pk": "notification"},
        post=row(LOGIN, 302, 404, 404, 404, 404, 404, 404),
    ),
    "notifications:preferences": Route(
        get=row(LOGIN, 200, 200, 200, 200, 200, 200, 200),
        # an empty form: every kind is required, so 400 and nothing saved
        post=row(LOGIN, 400, 400, 400, 400, 400, 400, 400),
    ),
}


# Program setup (issue 18): agreement versions, owner rules, registration policies, award rules,
# MDF allocations. Vendor staff read the lists; the forms and actions are for vendor admins
# (channel managers get 403: the setup is no secret to them); partner users get 404. A's sweep
# agreement is published, so editing it redirects (GET) or is refused (POST); actions roll back.
_STAFF_READ = row(LOGIN, *[404] * 4, 200, 200, 200)
_ADMIN_FORM = {"get": row(LOGIN, *[404] * 4, 403, 403, 200),
               "post": row(LOGIN, *[404] * 4, 403, 403, 400)}  # fmt: skip
_ADMIN_ACTION = row(LOGIN, *[404] * 4, 403, 403, 302)
ROUTES.update(
    {
        "onboarding:setup_agreements": Route(get=_STAFF_READ),
        "onboarding:setup_agreement_create": Route(**_ADMIN_FORM),
        "onboarding:setup_agreement_preview": Route(post=row(LOGIN, *[404] * 4, 403, 403, 200)),
        "onboarding:setup_agreement": Route(kwargs={"pk": "agreement"}, get=_STAFF_READ),
        "onboarding:setup_agreement_edit": Route(
            kwargs={"pk": "agreement"},
            get=row(LOGIN, *[404] * 4, 403, 403, 302),
            post=row(LOGIN, *[404] * 4, 403, 403, 400),
        ),
        "onboarding:setup_agreement_publish": Route(kwargs={"pk": "agreement"}, post=_ADMIN_ACTION),
        "onboarding:setup_agreement_delete": Route(kwargs={"pk": "agreement"}, post=_ADMIN_ACTION),
        "onboarding:setup_owner_rules": Route(get=_STAFF_READ),
        "onboarding:setup_owner_rule_create": Route(post=_ADMIN_FORM["post"]),
        "onboarding:setup_owner_rule_delete": Route(
            kwargs={"pk": "owner_rule"}, post=_ADMIN_ACTION
        ),
        "deals:setup_policies": Route(get=_STAFF_READ),
        "deals:setup_policy_create": Route(**_ADMIN_FORM),
        "deals:setup_policy_edit": Route(kwargs={"pk": "registration_policy"}, **_ADMIN_FORM),
        "deals:setup_policy_delete": Route(
            kwargs={"pk": "registration_policy"}, post=_ADMIN_ACTION
        ),
        "leads:setup_rules": Route(get=_STAFF_READ),
        "leads:setup_rule_create": Route(**_ADMIN_FORM),
        "leads:setup_rule_edit": Route(kwargs={"pk": "lead_rule"}, **_ADMIN_FORM),
        "leads:setup_rule_delete": Route(
            kwargs={"pk": "lead_rule"},
            get=row(LOGIN, *[404] * 4, 403, 403, 200),
            post=_ADMIN_ACTION,
        ),
        "leads:setup_sla": Route(post=_ADMIN_ACTION),
        "incentives:setup_award_rules": Route(get=_STAFF_READ),
        "incentives:setup_award_rule_create": Route(**_ADMIN_FORM),
        "incentives:setup_award_rule_edit": Route(kwargs={"pk": "award_rule"}, **_ADMIN_FORM),
        "incentives:setup_award_rule_deactivate": Route(
            kwargs={"pk": "award_rule"}, post=_ADMIN_ACTION
        ),
        "incentives:setup_award_rule_activate": Route(
            kwargs={"pk": "award_rule"}, post=_ADMIN_ACTION
        ),
        "incentives:setup_allocations": Route(get=_STAFF_READ),
        "incentives:setup_allocation_edit": Route(kwargs={"pk": "mdf_allocation"}, **_ADMIN_FORM),
        "incentives:setup_allocation_delete": Route(
            kwargs={"pk": "mdf_allocation"}, post=_ADMIN_ACTION
        ),
    }
)


def expectation_for(info: RouteInfo) -> Route | None:
    if info.key in ROUTES:
        return ROUTES[info.key]
    if info.key.startswith("admin:") or info.pattern.startswith("admin/"):
        return ADMIN
    return None


def missing_message(info: RouteInfo) -> str:
    """What the developer must add, ready to paste (with the statuses they verified)."""
    columns = ", ".join(SWEEP_PERSONAS)
    kwargs = ", ".join(f'"{k}": "<object name>"' for k in info.kwarg_names)
    lines = [
        f"Route {info.key!r} ({info.pattern}, view {info.view}) has no declared access "
        "expectation.",
        "Add it to ROUTES in tests/security/routes.py (columns: " + columns + "):",
        f'    "{info.key}": Route(',
    ]
    if kwargs:
        lines.append(
            f"        kwargs={{{kwargs}}},  # objects from tests/security/world.py (add yours)"
        )
    for method in info.methods:
        lines.append(f"        {method}=row(LOGIN, 200, 200, 404, 404, 404, 404, 404),  # verify!")
    lines.append("    ),")
    return "\n".join(lines)


# Single sign-on (issue 23). Company sign-in by email is public (a form; empty input 400). The
# OpenID Connect login and callback 404 for an IdP that does not exist. allauth's social-account
# pages: the cancel page is public, the error page answers 401 (as after a refused sign-in),
# sign-up without a pending sign-in goes to the login, connections are the signed-in person's
# own; the legacy /social/ addresses redirect (301). The IdP setup pages are vendor admins' only
# (channel managers 403: they hold client credentials).
_PUBLIC = row(*[200] * 8)
ROUTES.update(
    {
        "sso_login": Route(get=_PUBLIC, post=row(*[400] * 8)),
        "openid_connect_login": Route(
            kwargs={"provider_id": Literal("no-such-idp")},
            get=row(*[404] * 8),
            post=row(*[404] * 8),
        ),
        "openid_connect_callback": Route(
            kwargs={"provider_id": Literal("no-such-idp")},
            get=row(*[404] * 8),
            post=row(*[404] * 8),
        ),
        "socialaccount_login_cancelled": Route(get=_PUBLIC),
        "socialaccount_login_error": Route(get=row(*[401] * 8)),
        "socialaccount_signup": Route(get=row(*[302] * 8), post=row(*[302] * 8)),
        "socialaccount_connections": Route(get=row(LOGIN, *[200] * 7), post=row(LOGIN, *[200] * 7)),
        **{
            f"accounts/social/{path}/": Route(
                **{m: row(*[301] * 8) for m in ("get", "post", "put", "patch", "delete")}
            )
            for path in ("login/cancelled", "login/error", "signup", "connections")
        },
        # SAML 2.0 (allauth's routes): public by design, like the IdP itself reaches them. The SP
        # metadata names only PRM's own URLs; login answers a confirmation page (GET) and sends
        # the browser to the IdP (POST); the ACS keeps the posted response and redirects to its
        # finish, which without one is the error page (401); single logout without a SAML
        # message is a 400.
        "saml_metadata": Route(kwargs={"organization_slug": "saml_idp"}, get=_PUBLIC),
        "saml_login": Route(
            kwargs={"organization_slug": "saml_idp"}, get=_PUBLIC, post=row(*[302] * 8)
        ),
        "saml_acs": Route(
            kwargs={"organization_slug": "saml_idp"},
            **{m: row(*[302] * 8) for m in ("get", "post", "put", "patch", "delete")},
        ),
        "saml_finish_acs": Route(
            kwargs={"organization_slug": "saml_idp"},
            **{m: row(*[401] * 8) for m in ("get", "post", "put", "patch", "delete")},
        ),
        "saml_sls": Route(
            kwargs={"organization_slug": "saml_idp"},
            **{m: row(*[400] * 8) for m in ("get", "post", "put", "patch", "delete")},
        ),
        "partners:setup_sso": Route(get=row(LOGIN, *[404] * 4, 403, 403, 200)),
        "partners:setup_sso_create": Route(
            get=row(LOGIN, *[404] * 4, 403, 403, 200), post=row(LOGIN, *[404] * 4, 403, 403, 400)
        ),
        "partners:setup_sso_edit": Route(
            kwargs={"pk": "identity_provider"},
            get=row(LOGIN, *[404] * 4, 403, 403, 200),
            post=row(LOGIN, *[404] * 4, 403, 403, 400),
        ),
        "partners:setup_sso_delete": Route(
            kwargs={"pk": "identity_provider"},
            get=row(LOGIN, *[404] * 4, 403, 403, 200),
            post=row(LOGIN, *[404] * 4, 403, 403, 302),
        ),
    }
)
