from django import template

from enablement import selectors
from enablement.rendering import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    """Render Markdown safely (sanitised HTML)."""
    return render_markdown(text)


@register.inclusion_tag("enablement/_courses_in_progress.html", takes_context=True)
def courses_in_progress(context, limit=5):
    """The partner home's "courses in progress" panel."""
    user = context["request"].user
    # The partner home already loaded the partner (with its tier): reuse it, save a query.
    selectors.viewer_prime(user=user, partner=context.get("partner"))
    return {"items": selectors.courses_in_progress_for_user(user=user, limit=limit)}


@register.inclusion_tag("enablement/_partner_enablement_summary.html")
def partner_enablement_summary(partner):
    """Certifications and completed courses of one partner (manager partner page)."""
    return selectors.partner_enablement_summary(partner_id=partner.pk)
