"""The REST API under /api/v1/: shared authentication, permissions, the scoped base viewset, and
the one router every app's ``<app>/api`` package registers on (``prm/api/urls.py``)."""
