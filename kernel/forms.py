"""Showing a service's refusal on a page. Services refuse bad input with a ``ValidationError``
keyed by field (``None`` for the whole form); every setup page puts it back on its form, or, for
a button without a form, flashes it as a message."""

from django.contrib import messages
from django.core.exceptions import ValidationError


def apply_errors(form, exc: ValidationError) -> None:
    """Put a service's refusal on the form: on its field when the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def flash_refusal(request, exc: ValidationError) -> None:
    """Each message of a refusal as an error message on the next page."""
    for message in exc.messages:
        messages.error(request, message)
