"""The in-app notifications: a person's own list, mark read (one, all) and their preferences.
Every signed-in person has them (partner users and vendor staff); another person's notice is 404."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from notifications import selectors, services
from notifications.choices import Channel, kind_label

PAGE_SIZE = 25


class NotificationListView(LoginRequiredMixin, View):
    template_name = "notifications/list.html"

    def get(self, request):
        unread_only = request.GET.get("show") == "unread"
        qs = selectors.notification_list_for_user(user=request.user, unread_only=unread_only)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            self.template_name,
            {"page": page, "notices": page.object_list, "unread_only": unread_only},
        )


class NotificationReadView(LoginRequiredMixin, View):
    """Mark one notice read; with ``open`` in the form, go on to what it links to."""

    def post(self, request, pk: int):
        notice = selectors.notification_get_for_user(user=request.user, pk=pk)
        services.notification_mark_read(notification=notice)
        if (
            request.POST.get("open")
            and notice.link.startswith("/")
            and url_has_allowed_host_and_scheme(notice.link, allowed_hosts={request.get_host()})
        ):
            return redirect(notice.link)
        return redirect("notifications:list")


class NotificationReadAllView(LoginRequiredMixin, View):
    def post(self, request):
        count = services.notifications_mark_all_read(user=request.user)
        if count:
            messages.success(request, _("All notifications are marked read."))
        return redirect("notifications:list")


class PreferencesForm(forms.Form):
    def __init__(self, *args, kinds: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind, channel in kinds.items():
            self.fields[kind] = forms.ChoiceField(
                label=kind_label(kind), choices=Channel.choices, initial=channel
            )


class PreferencesView(LoginRequiredMixin, View):
    template_name = "notifications/preferences.html"

    def _render(self, request, form, status=200):
        return render(request, self.template_name, {"form": form}, status=status)

    def get(self, request):
        kinds = selectors.preferences_for_user(user=request.user)
        return self._render(request, PreferencesForm(kinds=kinds))

    def post(self, request):
        kinds = selectors.preferences_for_user(user=request.user)
        form = PreferencesForm(request.POST, kinds=kinds)
        if not form.is_valid():
            return self._render(request, form, status=400)
        try:
            services.preferences_set(user=request.user, channels=form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self._render(request, form, status=400)
        messages.success(request, _("Your notification choices were saved."))
        return redirect("notifications:preferences")
