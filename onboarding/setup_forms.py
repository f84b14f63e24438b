"""Forms of onboarding's setup pages. They parse input; the services (onboarding.services.setup)
decide what is allowed and say why not, by field."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onboarding import setup_selectors
from partners.choices import Region

MAX_BODY = 100_000


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class AgreementSetupForm(forms.Form):
    DRAFT, NOW, LATER = "draft", "now", "later"
    markdown_fields = ("body",)

    program = forms.ModelChoiceField(
        label=_("Program"),
        queryset=None,
        required=False,
        empty_label=_("Every program (when a program has no agreement of its own)"),
    )
    version = forms.CharField(
        label=_("Version"), max_length=20, help_text=_("Unique within the program, e.g. 2027.1.")
    )
    title = forms.CharField(label=_("Title"), max_length=200, initial=_("Partner agreement"))
    body = forms.CharField(
        label=_("Text"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("Markdown: headings (#), lists (-), **bold**, links. HTML is removed."),
    )
    publish = forms.ChoiceField(
        label=_("Publish"),
        choices=[
            (DRAFT, _("Keep as a draft")),
            (NOW, _("Now")),
            (LATER, _("On a date")),
        ],
        initial=DRAFT,
        widget=forms.RadioSelect,
        help_text=_(
            "Once published, partners of the program accept this version and it can no longer "
            "change."
        ),
    )
    publish_at = forms.DateTimeField(
        label=_("Publish on"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )

    def __init__(self, *args, instance=None, **kwargs):
        if instance is not None:
            initial = kwargs.setdefault("initial", {})
            initial.update(
                program=instance.program_id,
                version=instance.version,
                title=instance.title,
                body=instance.body,
                publish=self.LATER if instance.published_at else self.DRAFT,
                publish_at=(
                    timezone.localtime(instance.published_at) if instance.published_at else None
                ),
            )
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = setup_selectors.program_choices()
        self.fields["publish_at"].help_text = _(
            "In your time zone (%(zone)s); at most a year ahead."
        ) % {"zone": timezone.get_current_timezone_name()}

    def clean(self):
        data = super().clean()
        if data.get("publish") == self.LATER and not data.get("publish_at"):
            self.add_error("publish_at", _("Give the date and time to publish on."))
        return data

    def published_at(self):
        """The publish time the choice means (None: a draft)."""
        choice = self.cleaned_data["publish"]
        if choice == self.NOW:
            return timezone.now()
        if choice == self.LATER:
            return self.cleaned_data["publish_at"]
        return None


class PreviewForm(forms.Form):
    text = forms.CharField(required=False, max_length=MAX_BODY, strip=False)


class OwnerRuleForm(forms.Form):
    region = forms.ChoiceField(label=_("Region"), choices=Region.choices)
    manager = PersonChoiceField(
        label=_("Channel manager"),
        queryset=None,
        empty_label=None,
        help_text=_("Active channel managers; new partners of the region go to them in turn."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = setup_selectors.owner_rule_manager_choices()
