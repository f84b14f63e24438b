"""The REST API's plumbing every app's ``<app>/api`` package builds on: the scoped base viewset,
the write-scope permission, JSON errors, the bounded JSON parser, pagination and the schema's
error responses. Token authentication and throttling by token live with the tokens
(``accounts.api``); the roof wires the one router (``prm/api/urls.py``)."""
