"""Emails in the recipient's language (kernel.outbox.recipient_languages, registered by partners;
allauth's emails through accounts.adapters). The assertions read strings Django and allauth ship
translated (month names, allauth's subjects), so they hold before our own catalogues are."""

import copy
from datetime import date

import pytest
from django.core import mail
from django.utils.formats import date_format

from kernel.models import OutboundEmail
from kernel.outbox import Email, email_queue, emails_queue
from partners.models import Program

pytestmark = pytest.mark.django_db

PROBE = '{% load i18n %}{% get_current_language as l %}{{ l }} {{ day|date:"F" }}'


@pytest.fixture
def probe_template(settings, tmp_path):
    (tmp_path / "emails").mkdir()
    (tmp_path / "emails" / "i18n_probe.txt").write_text(PROBE)
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [tmp_path, *templates[0]["DIRS"]]
    settings.TEMPLATES = templates
    return "i18n_probe"


def _subject():
    return date_format(date(2026, 12, 6), "F")


def test_a_german_recipient_gets_subject_and_body_in_german(world, probe_template):
    user = world.users["partner_a_user"]
    user.language = "de"
    user.save(update_fields=["language"])
    row = email_queue(
        key="test.i18n:1",
        to=[user.email],
        subject=_subject,
        template=probe_template,
        context={"day": date(2026, 12, 6)},
    )
    assert row.subject.endswith("Dezember")
    assert row.body == "de Dezember"


def test_recipients_of_one_email_each_get_their_language(world, probe_template):
    Program.objects.filter(pk=world.partner_a.program_id).update(default_language="ja")
    german = world.users["partner_b_admin"]
    german.language = "de"
    german.save(update_fields=["language"])
    staff = world.users["manager_owner"]  # no language, no program: the site's
    plain = world.users["partner_a_user"]  # no language: partner A's program says Japanese
    emails_queue(
        [
            Email(
                key="test.i18n:2",
                to=[german.email, staff.email, plain.email],
                subject=_subject,
                template=probe_template,
                context={"day": date(2026, 12, 6)},
            )
        ]
    )
    rows = {r.key: r for r in OutboundEmail.objects.filter(key__startswith="test.i18n:2")}
    assert rows["test.i18n:2|de"].to == [german.email]
    assert rows["test.i18n:2|de"].body == "de Dezember"
    assert rows["test.i18n:2|ja"].to == [plain.email]
    assert rows["test.i18n:2|ja"].body == "ja 12月"
    assert rows["test.i18n:2|en"].to == [staff.email]
    assert rows["test.i18n:2|en"].body == "en December"


def test_allauth_password_reset_email_is_in_the_recipients_language(world, client):
    user = world.users["partner_a_user"]
    user.language = "de"
    user.save(update_fields=["language"])
    response = client.post("/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "Passwort" in mail.outbox[0].subject + mail.outbox[0].body
