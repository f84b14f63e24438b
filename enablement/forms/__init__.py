from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from enablement.choices import Language, QuestionKind


class QuizForm(forms.Form):
    """Built from ``selectors.quiz_questions_public``: the form never knows the right answers."""

    def __init__(self, *args, questions: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for number, question in enumerate(questions, start=1):
            choices = [(str(c["id"]), c["text"]) for c in question["choices"]]
            label = f"{number}. {question['text']}"
            if question["kind"] == QuestionKind.MULTIPLE:
                field = forms.MultipleChoiceField(
                    label=label,
                    choices=choices,
                    widget=forms.CheckboxSelectMultiple,
                    help_text=_("Select every correct answer."),
                    error_messages={"required": "Choose at least one answer."},
                )
            else:
                field = forms.ChoiceField(
                    label=label,
                    choices=choices,
                    widget=forms.RadioSelect,
                    error_messages={"required": "Choose an answer."},
                )
            self.fields[f"q_{question['id']}"] = field

    def answers(self) -> dict[int, list[int]]:
        result = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q_{question['id']}")
            values = value if isinstance(value, list) else [value]
            result[question["id"]] = [int(v) for v in values if v]
        return result


class LibrarySearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    category = forms.SlugField(required=False)
    language = forms.ChoiceField(required=False, choices=[("", "Any language"), *Language.choices])
    tag = forms.SlugField(required=False)


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=20,
        help_text=_("The code printed on the certificate, e.g. ABCD-EFGH-JKLM."),
        validators=[
            RegexValidator(
                r"^\s*[A-Za-z0-9-]+\s*$",
                _("A code has only letters, digits and hyphens, e.g. ABCD-EFGH-JKLM."),
            )
        ],
    )
