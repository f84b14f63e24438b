"""No periodic work yet: audit rows are kept (retention is a deployment decision, docs/reliability.md)."""
