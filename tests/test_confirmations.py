"""Destructive actions ask for confirmation (issue 16, item 26). One mechanism: a POST form (or
its submit button) carries ``data-confirm="<question>"`` and static/js/prm.js asks before it is
sent. No inline script, so a strict CSP keeps working."""

import re
from pathlib import Path

from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"

# Actions that destroy, end or give up something and cannot simply be undone.
DESTRUCTIVE = {
    "partners:member_remove",
    "partners:invitation_revoke",
    "deals:delete",
    "deals:won",
    "deals:lost",
    "deals:reject",
    "incentives:mdf_withdraw",
    "incentives:mdf_reject",
    "incentives:mdf_claim_reject",
    "api_token_revoke",
    "enablement:course_restart",
    "onboarding:application_reject",
    "onboarding:checklist_migrate",
    "webhooks:action 'delete'",
    "webhooks:action 'disable'",
    "leads:decline",
    "leads:status",  # "lost" ends the lead
    # not destructive, but it creates partners and emails every invited person at once
    "partners:import_apply",
}

FORM = re.compile(r"<form\b[^>]*>", re.S)
URL = re.compile(r"\{% url '([^']+)'([^%]*)%\}")


def _forms():
    for path in sorted(TEMPLATES.rglob("*.html")):
        for tag in FORM.findall(path.read_text()):
            match = URL.search(tag)
            if match is None:
                continue
            name = match.group(1)
            extra = re.findall(r"'([^']+)'", match.group(2))
            key = f"{name} '{extra[0]}'" if name == "webhooks:action" and extra else name
            yield path.relative_to(TEMPLATES), key, tag


def test_every_destructive_form_asks_for_confirmation():
    found = {key for _, key, _ in _forms()}
    assert found >= DESTRUCTIVE, f"no form found for {sorted(DESTRUCTIVE - found)}"
    missing = [
        f"{path}: {key}"
        for path, key, tag in _forms()
        if key in DESTRUCTIVE and "data-confirm=" not in tag
    ]
    assert missing == []


def test_the_confirmation_handler_is_a_static_file_loaded_on_every_page():
    script = (Path(settings.BASE_DIR) / "static" / "js" / "prm.js").read_text()
    assert "data-confirm" in script and "window.confirm" in script
    assert "js/prm.js" in (TEMPLATES / "base.html").read_text()
