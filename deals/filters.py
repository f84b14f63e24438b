"""List filters (django-filter). Bad values are reported on the form and ignored, never a 500."""

import django_filters
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils.translation import gettext_lazy

from deals.choices import Currency, DealStatus
from deals.models import Deal
from kernel.bounds import validate_filter_date
from partners.models import Program, Tier


class _DateInput(forms.DateInput):
    input_type = "date"


class DealFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=gettext_lazy("Customer"))
    status = django_filters.ChoiceFilter(
        choices=DealStatus.choices, empty_label=gettext_lazy("Any status")
    )
    currency = django_filters.ChoiceFilter(
        choices=Currency.choices, empty_label=gettext_lazy("Any currency")
    )
    close_from = django_filters.DateFilter(
        field_name="expected_close_date",
        lookup_expr="gte",
        label=gettext_lazy("Closing from"),
        widget=_DateInput,
        validators=[validate_filter_date],
    )
    close_to = django_filters.DateFilter(
        field_name="expected_close_date",
        lookup_expr="lte",
        label=gettext_lazy("Closing by"),
        widget=_DateInput,
        validators=[validate_filter_date],
    )
    amount_min = django_filters.NumberFilter(
        field_name="amount", lookup_expr="gte", label=gettext_lazy("Amount at least"), min_value=0
    )
    amount_max = django_filters.NumberFilter(
        field_name="amount", lookup_expr="lte", label=gettext_lazy("Amount at most"), min_value=0
    )

    class Meta:
        model = Deal
        fields: list[str] = []

    def search(self, queryset, name, value):
        value = value.strip()[:100]
        if not value:
            return queryset
        return queryset.filter(
            Q(customer_name__icontains=value) | Q(customer_domain_normalized__icontains=value)
        )


def _partners(request):
    from partners.selectors import partner_list_for_user

    if request is None:  # django-filter builds the form without a request: offer nothing
        return partner_list_for_user(user=AnonymousUser())
    return partner_list_for_user(user=request.user).select_related(None).order_by("name")


class ManagerDealFilter(DealFilter):
    # Vendor staff may see 10,000 partners: a <select> of them all made every deal-queue page
    # ~1 MB and 0.5 s slower (found by the load test, bench/load/). The partner is picked by typing
    # part of its name; ``?partner=<id>`` (the partner page's link) stays a hidden, scoped filter.
    partner_name = django_filters.CharFilter(
        field_name="partner__name",
        lookup_expr="icontains",
        label=gettext_lazy("Partner"),
        max_length=100,
    )
    partner = django_filters.ModelChoiceFilter(queryset=_partners, widget=forms.HiddenInput)
    tier = django_filters.ModelChoiceFilter(
        field_name="partner__tier",
        queryset=Tier.objects.select_related("program").order_by("program__name", "rank"),
        empty_label=gettext_lazy("Any tier"),
    )
    program = django_filters.ModelChoiceFilter(
        field_name="partner__program",
        queryset=Program.objects.order_by("name"),
        empty_label=gettext_lazy("Any program"),
    )
    # When a deal was closed (won, lost): the program ROI page links its revenue to the deals won
    # in its range (whole UTC days, both included).
    closed_from = django_filters.DateFilter(
        field_name="closed_at",
        lookup_expr="date__gte",
        label=gettext_lazy("Closed from"),
        widget=_DateInput,
        validators=[validate_filter_date],
    )
    closed_to = django_filters.DateFilter(
        field_name="closed_at",
        lookup_expr="date__lte",
        label=gettext_lazy("Closed by"),
        widget=_DateInput,
        validators=[validate_filter_date],
    )
