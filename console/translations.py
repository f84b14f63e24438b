"""The missing-translations page of the setup area (issue 23, docs/translations.md "Content in
several languages"): every piece of translatable content by every content language, which
versions are missing, with counts per language and a link to each object's edit page.

Content lives in enablement, onboarding and partners; the page reads each kind by model label
(``apps.get_model``, as the setup hub counts) in one ``values()`` query per kind, so its query
count does not grow with the content. What counts as missing: ``kernel.translations``.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from kernel.translations import content_languages
from partners.permissions import SetupViewMixin, can_edit_setup

PAGE_SIZE = 50


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    model: str  # "app_label.Model"
    name_field: str
    extra: tuple[str, ...]  # more values the name or the link needs
    link: Callable[[dict], str]
    context: Callable[[dict], str] = lambda row: ""
    active_only: dict | None = None  # a filter: only content partners can get


KINDS = [
    Kind("course", gettext_lazy("Course"), "enablement.Course", "title", (),
         lambda r: reverse("enablement:setup_course_edit", args=[r["pk"]])),
    Kind("lesson", gettext_lazy("Lesson"), "enablement.Lesson", "title", ("course__title",),
         lambda r: reverse("enablement:setup_lesson_edit", args=[r["pk"]]),
         lambda r: r["course__title"]),
    Kind("quiz", gettext_lazy("Quiz"), "enablement.Quiz", "title",
         ("course_id", "course__title"),
         lambda r: reverse("enablement:setup_quiz", args=[r["course_id"]]),
         lambda r: r["course__title"]),
    Kind("question", gettext_lazy("Quiz question"), "enablement.Question", "text",
         ("quiz__course__title",),
         lambda r: reverse("enablement:setup_question_edit", args=[r["pk"]]),
         lambda r: r["quiz__course__title"]),
    Kind("choice", gettext_lazy("Quiz answer"), "enablement.Choice", "text",
         ("question_id", "question__quiz__course__title"),
         lambda r: reverse("enablement:setup_question_edit", args=[r["question_id"]]),
         lambda r: r["question__quiz__course__title"]),
    Kind("step", gettext_lazy("Checklist step"), "onboarding.TemplateStep", "title",
         ("key", "template_id", "template__name"),
         lambda r: reverse(
             "onboarding:setup_checklist_step_edit", args=[r["template_id"], r["key"]]
         ),
         lambda r: r["template__name"], {"template__is_active": True}),
    Kind("tier", gettext_lazy("Tier"), "partners.Tier", "name", ("program__name",),
         lambda r: reverse("tiers:setup_tier_edit", args=[r["pk"]]),
         lambda r: r["program__name"]),
    Kind("benefit", gettext_lazy("Tier benefit"), "partners.TierBenefit", "name",
         ("tier__name", "tier__program__name"),
         lambda r: reverse("tiers:setup_benefit_edit", args=[r["pk"]]),
         lambda r: f'{r["tier__program__name"]} · {r["tier__name"]}'),
]  # fmt: skip
KIND_BY_KEY = {k.key: k for k in KINDS}


def _missing(row: dict, fields: tuple[str, ...], codes: list[str]) -> list[str]:
    """The languages of ``codes`` in which a field with default text has no version."""
    versions = row["translations"] or {}
    needed = [f for f in fields if (row[f] or "").strip()]
    return [
        code
        for code in codes
        if any(not ((versions.get(code) or {}).get(f) or "").strip() for f in needed)
    ]


def missing_translations(*, kind: str = "", language: str = "") -> dict:
    """Rows of content with at least one missing version (of ``language`` when given), of one
    ``kind`` or all; the missing count per language; the total checked. One query per kind."""
    languages = content_languages()
    codes = [language] if language else [code for code, _name in languages]
    per_language = {code: 0 for code, _name in languages}
    rows, checked = [], 0
    for k in KINDS if not kind else [KIND_BY_KEY[kind]]:
        model = apps.get_model(k.model)
        fields = model.TRANSLATED_FIELDS
        query = model._default_manager.order_by(*model._meta.ordering or ["pk"])
        if k.active_only:
            query = query.filter(**k.active_only)
        for row in query.values("pk", "translations", *fields, *k.extra):
            checked += 1
            missing_all = _missing(row, fields, [code for code, _name in languages])
            for code in missing_all:
                per_language[code] += 1
            missing = [code for code in missing_all if code in codes]
            if missing:
                rows.append(
                    {
                        "kind": k,
                        "name": (row[k.name_field] or "")[:120],
                        "context": k.context(row),
                        "url": k.link(row),
                        "missing": set(missing_all),
                    }
                )
    return {"rows": rows, "per_language": per_language, "checked": checked}


class MissingTranslationsView(SetupViewMixin, TemplateView):
    """``/manage/setup/translations/``: vendor staff read it like every setup list; the links to
    the edit pages are for vendor admins (who can fill the versions in)."""

    template_name = "console/setup_translations.html"

    def get_context_data(self, **kwargs):
        languages = content_languages()
        kind = self.request.GET.get("kind", "")
        kind = kind if kind in KIND_BY_KEY else ""
        language = self.request.GET.get("language", "")
        language = language if language in dict(languages) else ""
        found = missing_translations(kind=kind, language=language)
        page = Paginator(found["rows"], PAGE_SIZE).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            page=page,
            languages=languages,
            counts=[(code, name, found["per_language"][code]) for code, name in languages],
            checked=found["checked"],
            kinds=KINDS,
            kind=kind,
            language=language,
            querystring=query.urlencode(),
            can_edit=can_edit_setup(self.request.user),
            **kwargs,
        )
