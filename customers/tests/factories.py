from customers import services


def account(partner, external_id="ACME-1", name=None, seats=None, offering=None):
    """A customer account made through the service (so its event is recorded), with seats."""
    created = services.customer_account_create(
        partner=partner, external_id=external_id, name=name or f"Customer {external_id}"
    )
    if seats is not None:
        services.seat_license_set(account=created, seats=seats, offering=offering)
    return created


def usage_items(partner, account_external_id, users, *, day="2026-03-01", prefix="u"):
    """Ingestion items: one usage event per customer user on ``day``."""
    return [
        {
            "id": f"{prefix}-{account_external_id}-{user}-{day}",
            "kind": "product.used",
            "partner": partner.pk,
            "customer_account": account_external_id,
            "customer_user": user,
            "occurred_at": f"{day}T10:00:00Z",
        }
        for user in users
    ]
