"""Which language a page is in (partners.middleware), the switcher (accounts.views.LanguageView)
and the program's default language on its setup page."""

import pytest
from django.conf import settings
from django.urls import reverse

from partners.models import Program

pytestmark = pytest.mark.django_db

HOME = "/portal/"


def _lang(response) -> str:
    return response.content.decode().split('<html lang="', 1)[1].split('"', 1)[0]


def test_profile_language_comes_first(client_as, world):
    user = world.users["partner_a_user"]
    user.language = "de"
    user.save(update_fields=["language"])
    response = client_as("partner_a_user").get(HOME, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert _lang(response) == "de"
    assert response["Content-Language"] == "de"


def test_browser_language_when_the_profile_names_none(client_as, world):
    Program.objects.filter(pk=world.partner_a.program_id).update(default_language="ja")
    response = client_as("partner_a_user").get(HOME, HTTP_ACCEPT_LANGUAGE="fr-CH, fr;q=0.9")
    assert _lang(response) == "fr"


def test_program_default_when_the_browser_asks_for_nothing_we_speak(client_as, world):
    Program.objects.filter(pk=world.partner_a.program_id).update(default_language="ja")
    response = client_as("partner_a_user").get(HOME, HTTP_ACCEPT_LANGUAGE="ru, zh;q=0.5")
    assert _lang(response) == "ja"


def test_vendor_staff_without_a_choice_get_the_site_language(client_as, world):
    Program.objects.filter(pk=world.partner_a.program_id).update(default_language="ja")
    response = client_as("manager_owner").get(reverse("console:setup"), HTTP_ACCEPT_LANGUAGE="ru")
    assert _lang(response) == settings.LANGUAGE_CODE


def test_brazilian_portuguese_is_matched_from_the_browser(client):
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="pt-BR,pt;q=0.8")
    assert _lang(response) == "pt-br"


def test_switcher_saves_the_profile_and_takes_effect_at_once(client_as, world):
    client = client_as("partner_a_user")
    page = client.get(HOME).content.decode()
    assert 'action="/settings/language/"' in page and "日本語" in page  # in the user menu
    response = client.post(reverse("set_language"), {"language": "ja", "next": HOME})
    assert response.status_code == 302 and response["Location"] == HOME
    world.users["partner_a_user"].refresh_from_db()
    assert world.users["partner_a_user"].language == "ja"
    assert _lang(client.get(HOME)) == "ja"


def test_switcher_refuses_a_foreign_next_and_an_unknown_language(client_as, world):
    client = client_as("partner_a_user")
    response = client.post(
        reverse("set_language"), {"language": "de", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")
    assert client.post(reverse("set_language"), {"language": "xx"}).status_code == 400
    world.users["partner_a_user"].refresh_from_db()
    assert world.users["partner_a_user"].language == "de"
    assert client.get(reverse("set_language")).status_code == 405


def test_anonymous_switcher_keeps_the_choice_in_the_cookie(client):
    login = reverse("account_login")
    page = client.get(login).content.decode()
    assert 'id="language-select"' in page
    response = client.post(reverse("set_language"), {"language": "es", "next": login})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert _lang(client.get(login)) == "es"


def test_switcher_checks_csrf(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse("set_language"), {"language": "de"}).status_code == 403


def test_program_setup_page_edits_the_default_language(client_as, world):
    program = world.partner_a.program
    url = reverse("partners:setup_program_edit", args=[program.pk])
    client = client_as("vendor_admin")
    assert 'name="default_language"' in client.get(url).content.decode()
    data = {"name": program.name, "slug": program.slug, "description": "", "is_active": "on"}
    response = client.post(url, {**data, "default_language": "pt-br"})
    assert response.status_code == 302, response.content.decode()[:2000]
    program.refresh_from_db()
    assert program.default_language == "pt-br"
    response = client.post(url, {**data, "default_language": "xx"})
    assert response.status_code == 400
    program.refresh_from_db()
    assert program.default_language == "pt-br"
