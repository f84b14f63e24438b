"""The REST API under /api/v1/: the one router every app's ``<app>/api`` package registers on
(``prm/api/urls.py``). The scoped bases, permissions and errors are the kernel's (``kernel.api``);
token authentication and throttling are accounts' (``accounts.api``)."""
