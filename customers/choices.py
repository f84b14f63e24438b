"""The customers app has no choice lists of its own yet; usage events are ingested with any
``area.verb`` kind (see docs/metrics.md, "User adoption at partners' customers")."""

#: ``Event.subject_type`` of ingested events that name a customer account.
SUBJECT_TYPE = "customers.customeraccount"
#: ``Event.properties`` key holding the customer's user (the vendor's external id).
USER_PROPERTY = "customer_user"
#: ``Event.properties`` key holding the customer account's external id (kept for readers).
ACCOUNT_PROPERTY = "customer_account"
