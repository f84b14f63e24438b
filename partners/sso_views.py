"""Setup pages of the company identity providers (single sign-on, issue 23): vendor admins only,
every route (channel managers get 403: the page holds client credentials; partner users 404).
Thin: partners.sso validates, writes the allauth SocialApp and audits."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from partners import sso
from partners.forms import IdentityProviderForm
from partners.models import IdentityProvider
from partners.permissions import SetupEditMixin, can_edit_setup
from partners.setup_views import SetupDeleteView, SetupFormPage


class AdminsOnly:
    """Vendor admins only, also for reading (``can_open``, so the hub shows the card to them
    alone); a channel manager still gets 403 from ``SetupEditMixin``, a partner user 404."""

    def has_role(self, user) -> bool:
        return can_edit_setup(user)


class IdentityProviderListView(AdminsOnly, SetupEditMixin, TemplateView):
    template_name = "partners/setup/identity_provider_list.html"

    def get_context_data(self, **kwargs):
        providers = list(sso.identity_provider_list())
        site = settings.SITE_URL.rstrip("/")
        for idp in providers:
            idp.sp_info = sso.service_provider_info(idp)
        return super().get_context_data(
            providers=providers, section="sso", site_url=site, can_edit=True, **kwargs
        )


class IdentityProviderCreateView(AdminsOnly, SetupFormPage):
    form_class = IdentityProviderForm
    title = gettext_lazy("New identity provider")
    section = "sso"

    def get(self, request, **kwargs):
        form = self.form_class(initial={"partner": request.GET.get("partner", "")[:20]})
        return self.render_form(form)

    def cancel_url(self):
        return reverse("partners:setup_sso")

    def save(self, data):
        return sso.identity_provider_create(actor=self.request.user, data=data)


class IdentityProviderEditView(AdminsOnly, SetupFormPage):
    form_class = IdentityProviderForm
    title = gettext_lazy("Edit identity provider")
    section = "sso"

    def load(self):
        self.idp = get_object_or_404(
            IdentityProvider.objects.select_related("social_app", "partner"), pk=self.kwargs["pk"]
        )

    def get_instance(self):
        return self.idp

    def cancel_url(self):
        return reverse("partners:setup_sso")

    def extra_context(self):
        info = sso.service_provider_info(self.idp)
        return {
            "delete_url": reverse("partners:setup_sso_delete", args=[self.idp.pk]),
            "redirect_uri": info.get("redirect_uri"),
            "sp_info": info if "acs_url" in info else None,
        }

    def save(self, data):
        return sso.identity_provider_update(actor=self.request.user, idp=self.idp, data=data)


class IdentityProviderDeleteView(AdminsOnly, SetupDeleteView):
    model = IdentityProvider
    list_url = "partners:setup_sso"
    noun = gettext_lazy("identity provider")

    def destroy(self, obj):
        sso.identity_provider_delete(actor=self.request.user, idp=obj)
