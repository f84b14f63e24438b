"""The Postgres settings the benchmarks assume are written down once per place that applies them:
bench/pgserver.py's scratch cluster (``--cluster DIR``), docker-compose.yml's postgres command and
docs/scaling.md's "Benchmark settings" (issue 24 item 5). They must not drift apart."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bench.pgserver import BENCH_SETTINGS

ROOT = Path(__file__).resolve().parent.parent


def test_compose_postgres_runs_the_benchmark_settings():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    command = compose["services"]["postgres"]["command"]
    assert command[0] == "postgres"
    flags, values = command[1::2], command[2::2]
    assert set(flags) == {"-c"}
    assert dict(value.split("=", 1) for value in values) == BENCH_SETTINGS


def test_scaling_doc_lists_the_benchmark_settings():
    text = (ROOT / "docs" / "scaling.md").read_text()
    section = re.search(r"^## Benchmark settings.*?(?=^## )", text, re.MULTILINE | re.DOTALL)
    assert section, "docs/scaling.md has no '## Benchmark settings' section"
    for key, value in BENCH_SETTINGS.items():
        assert f"{key}={value}" in section.group(0), key
