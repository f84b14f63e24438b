"""Who may do what with customer accounts: vendor staff write; a partner's members read their
own (the selectors scope reads). The role functions are partners.permissions'."""

from partners.permissions import is_partner_member, is_vendor_staff


def can_manage_customers(user) -> bool:
    return is_vendor_staff(user)


def can_view_customers(user) -> bool:
    return is_vendor_staff(user) or is_partner_member(user)
