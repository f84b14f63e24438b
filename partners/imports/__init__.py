"""Partner import: a CSV or XLSX file of partners and their users, checked first (the dry run)
and then applied, in a Celery task that reports its progress (docs/partner-import.md).

- ``columns``: the columns, their aliases, and the template file (CSV and XLSX);
- ``parse``: streams the rows of a stored file (no whole-file load), header checked first;
- ``plan``: validates rows against the reference data and the database, chunk by chunk, and
  says per partner what would be created, updated or left unchanged (the dry run);
- ``apply``: writes one planned chunk in batches (bulk inserts, ``record_events``);
- ``services``: the job's life (upload, check, apply) and its counters.

Idempotent by domain: a partner is found by its normalized domain, a user by partner and
address; a second run of the same file finds everything unchanged and writes nothing.
"""
