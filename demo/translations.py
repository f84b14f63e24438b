"""German and Japanese versions of a few demo courses, lessons, checklist steps, tiers and
benefits (issue 23, docs/translations.md "Content in several languages"), so a newcomer who
switches to Deutsch or 日本語 sees translated content next to the English fallback, and the
missing-translations page has something to show. Idempotent: a version already there (an
admin's edit) is kept."""

from enablement.models import Course, Lesson
from onboarding.models import TemplateStep
from partners.models import Tier, TierBenefit

# course slug: {language: {field: text}}
COURSES = {
    "platform-fundamentals": {
        "de": {"title": "Plattform-Grundlagen",
               "summary": "Was die Plattform leistet, für wen, und wie Partner damit Geld "
                          "verdienen."},
        "ja": {"title": "プラットフォームの基礎",
               "summary": "プラットフォームの機能、対象顧客、パートナーの収益化の方法。"},
    },
    "deal-registration-basics": {
        "de": {"title": "Grundlagen der Deal-Registrierung",
               "summary": "Registrieren Sie Verkaufschancen früh und halten Sie sie geschützt."},
        "ja": {"title": "案件登録の基本", "summary": "商談を早めに登録し、保護を維持しましょう。"},
    },
}  # fmt: skip
# (course slug, lesson title): {language: {field: text}}; the other lessons stay English
LESSONS = {
    ("platform-fundamentals", "The platform in ten minutes"): {
        "de": {"title": "Die Plattform in zehn Minuten"},
        "ja": {"title": "10分でわかるプラットフォーム"},
    },
    ("platform-fundamentals", "Who buys it and why"): {
        "de": {"title": "Wer kauft sie und warum"},
    },
    ("deal-registration-basics", "Why register deals"): {
        "de": {"title": "Warum Deals registrieren"},
        "ja": {"title": "案件を登録する理由"},
    },
}
# checklist step key: {language: {field: text}} (every template's step of that key)
STEPS = {
    "agreement": {
        "de": {"title": "Partnervertrag akzeptieren",
               "why": "Er schaltet Deal-Registrierung, Rabatte und Ihre Stufenvorteile frei."},
        "ja": {"title": "パートナー契約に同意する",
               "why": "案件登録、割引、ティア特典が利用可能になります。"},
    },
    "profile": {
        "de": {"title": "Firmenprofil vervollständigen"},
        "ja": {"title": "会社プロフィールを完成させる"},
    },
    "kickoff": {
        "de": {"title": "Kick-off-Gespräch mit Ihrem Channel Manager"},
    },
}  # fmt: skip
TIERS = {
    "Registered": {"de": {"name": "Registriert"}, "ja": {"name": "登録パートナー"}},
    "Silver": {"de": {"name": "Silber"}, "ja": {"name": "シルバー"}},
    "Gold": {"de": {"name": "Gold"}, "ja": {"name": "ゴールド"}},
}
BENEFITS = {
    "Deal protection": {"de": {"name": "Deal-Schutz"}, "ja": {"name": "案件保護"}},
    "Discount": {"de": {"name": "Rabatt"}, "ja": {"name": "割引"}},
}


def _merge(obj, versions: dict) -> bool:
    """Add the versions ``obj`` lacks; True when it changed."""
    current = dict(obj.translations or {})
    changed = False
    for language, fields in versions.items():
        mine = dict(current.get(language) or {})
        for field, text in fields.items():
            if not (mine.get(field) or "").strip():
                mine[field] = text
                changed = True
        current[language] = mine
    if changed:
        obj.translations = current
    return changed


def _apply(rows, versions_for) -> int:
    changed = []
    for obj in rows:
        versions = versions_for(obj)
        if versions and _merge(obj, versions):
            changed.append(obj)
    if changed:
        type(changed[0]).objects.bulk_update(changed, ["translations"])
    return len(changed)


def seed_content_translations(*, program=None) -> int:
    """Add the demo's German and Japanese versions (tiers and benefits of ``program``, when
    given); returns how many objects changed."""
    tiers = Tier.objects.filter(program=program) if program is not None else Tier.objects.all()
    n = _apply(Course.objects.filter(slug__in=COURSES), lambda c: COURSES.get(c.slug))
    n += _apply(
        Lesson.objects.filter(course__slug__in={slug for slug, _t in LESSONS}).select_related(
            "course"
        ),
        lambda lesson: LESSONS.get((lesson.course.slug, lesson.title)),
    )
    n += _apply(TemplateStep.objects.filter(key__in=STEPS), lambda s: STEPS.get(s.key))
    n += _apply(tiers.filter(name__in=TIERS), lambda t: TIERS.get(t.name))
    n += _apply(
        TierBenefit.objects.filter(tier__in=tiers, name__in=BENEFITS),
        lambda b: BENEFITS.get(b.name),
    )
    return n
