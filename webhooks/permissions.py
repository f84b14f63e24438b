"""Webhooks are configured by vendor admins only (channel managers and partners get 404)."""


def can_manage_webhooks(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_vendor_admin)
