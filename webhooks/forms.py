from django import forms
from django.utils.translation import gettext_lazy

from webhooks.choices import WebhookEventType


class EndpointForm(forms.Form):
    url = forms.URLField(
        max_length=500,
        label="URL",
        assume_scheme="https",
        help_text=gettext_lazy("https:// recommended."),
    )
    description = forms.CharField(max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        choices=WebhookEventType.choices,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Events"),
    )
