"""Sign-up by invitation, without accounts knowing whose invitations they are (issue 17, HOOKS).

Accounts lets a person sign up only with an open invitation (``accounts.adapters``), but the
invitations belong to a higher floor: partners invites colleagues into a partner. That floor
registers how to find and accept its invitations here, from its ``AppConfig.ready()``; accounts
calls what is registered and imports no partner code. With nothing registered, sign-up is closed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kernel.registry import Registry


@dataclass(frozen=True)
class InvitationHandler:
    """An app's invitations at sign-up.

    ``get_open(token=...)``: the open invitation the token names (an object with ``email``, and
    optionally ``full_name``: the name the inviter gave, offered in the sign-up form), else
    None. ``accept(invitation=..., user=...)``: the new user takes it up; runs inside the sign-up's
    transaction, so an error there leaves no user behind."""

    get_open: Callable[..., Any]
    accept: Callable[..., Any]


invitation_handlers: Registry[InvitationHandler] = Registry("sign-up invitation handler")


@dataclass(frozen=True)
class OpenInvitation:
    """An open invitation found for a token: the address it was sent to, and how to accept it."""

    email: str
    accept: Callable[[Any], Any]  # accept(user)
    full_name: str = ""  # the name the inviter gave (an import), prefilled at sign-up


def invitation_for_signup(*, token: str) -> OpenInvitation | None:
    """The open invitation ``token`` names, asking each registered handler in turn."""
    for _key, handler in invitation_handlers.items():
        invitation = handler.get_open(token=token)
        if invitation is not None:
            return OpenInvitation(
                email=invitation.email,
                full_name=getattr(invitation, "full_name", "") or "",
                accept=lambda user, handler=handler, invitation=invitation: handler.accept(
                    invitation=invitation, user=user
                ),
            )
    return None
