"""What customers tells other apps through ``partners.readers``, registered from
``CustomersConfig.ready()``: how an ingested product-usage event names a customer account
(``usage_accounts``), so the event ingestion resolves accounts without importing customers."""

from customers.choices import ACCOUNT_PROPERTY, SUBJECT_TYPE, USER_PROPERTY
from customers.selectors import account_ids_by_external_id
from partners.readers import UsageAccounts, usage_accounts

USAGE_ACCOUNTS = UsageAccounts(
    subject_type=SUBJECT_TYPE,
    account_property=ACCOUNT_PROPERTY,
    user_property=USER_PROPERTY,
    ids_by_external_id=account_ids_by_external_id,
)


def register() -> None:
    usage_accounts.register("customers", USAGE_ACCOUNTS)
