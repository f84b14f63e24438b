"""Forms of the setup (authoring) pages. They parse and show input; the rules live in
enablement.services.setup, whose ValidationErrors the views put back on these forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from enablement.choices import QuestionKind
from enablement.models import Certification, Course, Lesson, Quiz, Resource
from kernel.translations import TranslationsFormMixin
from partners.models import Tier

AUDIENCE_FIELDS = ["programs", "partner_types", "min_tier"]
AUDIENCE_LABELS = {
    "programs": _("Programs"),
    "partner_types": _("Partner types"),
    "min_tier": _("Minimum tier"),
}
AUDIENCE_HELP = {
    "programs": _("None ticked: every program."),
    "partner_types": _("None ticked: every partner type."),
    "min_tier": _("Only partners at this tier or higher (of the tier's program)."),
}
AUDIENCE_WIDGETS = {
    "programs": forms.CheckboxSelectMultiple,
    "partner_types": forms.CheckboxSelectMultiple,
}


def _markdown(rows: int = 8) -> forms.Textarea:
    """A Markdown textarea; static/js/enablement_setup.js previews it (rendered by the server)."""
    return forms.Textarea(attrs={"rows": rows, "data-markdown": ""})


class _AudienceMixin:
    def _tiers(self):
        if "min_tier" in self.fields:
            self.fields["min_tier"].queryset = Tier.objects.select_related("program").order_by(
                "program__name", "rank"
            )


class CourseForm(TranslationsFormMixin, _AudienceMixin, forms.ModelForm):
    translated_fields = Course.TRANSLATED_FIELDS
    markdown_fields = ("description",)

    class Meta:
        model = Course
        fields = [
            "title",
            "slug",
            "summary",
            "description",
            "offerings",
            "estimated_minutes",
            "required_for_onboarding",
            *AUDIENCE_FIELDS,
        ]
        labels = {
            "title": _("Title"),
            "slug": _("Web address name"),
            "summary": _("Summary"),
            "description": _("Description"),
            "offerings": _("Offerings it teaches"),
            "estimated_minutes": _("Estimated minutes"),
            "required_for_onboarding": _("Required for onboarding"),
            **AUDIENCE_LABELS,
        }
        help_texts = {
            "slug": _("Lower-case letters, digits and hyphens; used in the course's address."),
            "description": _("Markdown. Raw HTML is removed when shown."),
            **AUDIENCE_HELP,
        }
        widgets = {
            "description": _markdown(),
            "offerings": forms.CheckboxSelectMultiple,
            **AUDIENCE_WIDGETS,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._tiers()


class LessonForm(TranslationsFormMixin, forms.ModelForm):
    translated_fields = Lesson.TRANSLATED_FIELDS
    markdown_fields = ("body",)
    remove_attachment = forms.BooleanField(label=_("Remove the attached file"), required=False)
    video_url = forms.URLField(
        label=_("Video link"),
        required=False,
        assume_scheme="https",
        help_text=_("A link to the lesson's video; it must start with https://."),
    )

    class Meta:
        model = Lesson
        fields = ["title", "body", "video_url", "attachment"]
        labels = {
            "title": _("Title"),
            "body": _("Lesson text"),
            "video_url": _("Video link"),
            "attachment": _("File"),
        }
        help_texts = {
            "body": _("Markdown. Raw HTML is removed when shown."),
            "video_url": _("A link to the lesson's video; it must start with https://."),
            "attachment": _("PDF, images, MP4, Office documents, ZIP, text or CSV."),
        }
        widgets = {"body": _markdown(14), "attachment": forms.ClearableFileInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachment"].widget = forms.FileInput()
        if not (self.instance.pk and self.instance.attachment):
            del self.fields["remove_attachment"]


class QuizForm(TranslationsFormMixin, forms.ModelForm):
    translated_fields = Quiz.TRANSLATED_FIELDS

    class Meta:
        model = Quiz
        fields = ["title", "instructions", "pass_mark", "max_attempts"]
        labels = {
            "title": _("Title"),
            "instructions": _("Instructions"),
            "pass_mark": _("Pass mark (%)"),
            "max_attempts": _("Attempts allowed"),
        }
        help_texts = {
            "pass_mark": _("Percentage of questions answered correctly to pass (1 to 100)."),
            "max_attempts": _("Per person and course cycle (at least 1)."),
        }
        widgets = {"instructions": forms.Textarea(attrs={"rows": 3})}


class QuestionForm(TranslationsFormMixin, forms.Form):
    translated_fields = ("text", "explanation")

    text = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(label=_("Answers"), choices=QuestionKind.choices)
    explanation = forms.CharField(
        label=_("Explanation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown after the quiz is passed."),
    )


class ChoiceForm(TranslationsFormMixin, forms.Form):
    translated_fields = ("text",)

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    text = forms.CharField(label=_("Choice"), max_length=300, required=False)
    is_correct = forms.BooleanField(label=_("Correct"), required=False)


def choice_formset(*, data=None, initial=None, extra: int = 2):
    factory = forms.formset_factory(ChoiceForm, extra=extra, can_delete=True, max_num=20)
    return factory(data=data, initial=initial, prefix="choices")


class CertificationForm(_AudienceMixin, forms.ModelForm):
    markdown_fields = ("description",)

    class Meta:
        model = Certification
        fields = [
            "name",
            "slug",
            "description",
            "courses",
            "validity_days",
            "renewal_window_days",
            "is_published",
            *AUDIENCE_FIELDS,
        ]
        labels = {
            "name": _("Name"),
            "slug": _("Web address name"),
            "description": _("Description"),
            "courses": _("Courses required"),
            "validity_days": _("Valid for (days)"),
            "renewal_window_days": _("Renewal window (days)"),
            "is_published": _("Published"),
            **AUDIENCE_LABELS,
        }
        help_texts = {
            "courses": _("A person earns the certification by completing all of them."),
            "validity_days": _("How long a certificate is valid."),
            "renewal_window_days": _(
                "How many days before expiry holders may renew (and are reminded)."
            ),
            **AUDIENCE_HELP,
        }
        widgets = {
            "description": _markdown(),
            "courses": forms.CheckboxSelectMultiple,
            **AUDIENCE_WIDGETS,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["courses"].queryset = Course.objects.order_by("title")
        self._tiers()


class ResourceForm(_AudienceMixin, forms.ModelForm):
    markdown_fields = ("body",)
    url = forms.URLField(
        label=_("Link"),
        required=False,
        assume_scheme="https",
        help_text=_("For links: where the resource lives (https://)."),
    )

    class Meta:
        model = Resource
        fields = [
            "title",
            "summary",
            "body",
            "kind",
            "category",
            "tags",
            "language",
            "variant_of",
            "file",
            "url",
            "marketing_asset",
            "offerings",
            "is_published",
            *AUDIENCE_FIELDS,
        ]
        labels = {
            "title": _("Title"),
            "summary": _("Summary"),
            "body": _("Description"),
            "kind": _("Kind"),
            "category": _("Category"),
            "tags": _("Tags"),
            "language": _("Language"),
            "variant_of": _("Translation of"),
            "file": _("File"),
            "url": _("Link"),
            "marketing_asset": _("Marketing asset partners may co-brand"),
            "offerings": _("Offerings"),
            "is_published": _("Published"),
            **AUDIENCE_LABELS,
        }
        help_texts = {
            "body": _("Markdown. Raw HTML is removed when shown."),
            "variant_of": _("Empty for an original; for a translation, its original."),
            "file": _("For documents, images and videos (checked on upload)."),
            "url": _("For links: where the resource lives (https://)."),
            **AUDIENCE_HELP,
        }
        widgets = {
            "body": _markdown(),
            "tags": forms.CheckboxSelectMultiple,
            "offerings": forms.CheckboxSelectMultiple,
            **AUDIENCE_WIDGETS,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget = forms.FileInput()
        originals = Resource.objects.filter(variant_of__isnull=True).order_by("title")
        if self.instance.pk:
            originals = originals.exclude(pk=self.instance.pk)
        self.fields["variant_of"].queryset = originals
        self._tiers()


class PreviewForm(forms.Form):
    text = forms.CharField(required=False, max_length=100_000, strip=False)
