from django import forms

from partners.choices import MemberRole


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Colleague's work email", max_length=254)
    role = forms.ChoiceField(
        choices=MemberRole.choices,
        initial=MemberRole.USER,
        help_text="Partner admins manage the team; partner users work in the portal.",
    )


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=MemberRole.choices)
