"""Signals accounts sends for the floors above it, which it may not import: the event log and the
audit log listen (``events.receivers``, ``audit.signals``), as they listen to Django's
``user_logged_in``."""

from django.dispatch import Signal

# A vendor admin invited a staff member, or sent the invitation again. Sent inside the invitation's
# transaction (the receivers write in it: a rollback undoes them too), with ``sender`` the User
# model and the keyword arguments:
#   actor: the inviting vendor admin; user: the invited person (no password yet);
#   role: the vendor role they get (``VendorRole`` value); resent: False for the first invitation;
#   key: the invitation's idempotency key (unique per sending).
staff_invited = Signal()
