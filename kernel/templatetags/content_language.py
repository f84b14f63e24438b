"""``{{ course|tr:"title" }}``: a content field in the active language, else the default
(``kernel.translations``)."""

from django import template

from kernel.translations import translated

register = template.Library()


@register.filter(name="tr")
def tr(obj, field: str):
    if obj is None:
        return ""
    return translated(obj, field)
