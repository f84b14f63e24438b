# ruff: noqa
"""Benchmark (issue 24, p24-spans), not a test. Usage:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<kept bench db> .venv/bin/python \
        bench/spans_step.py <partners> [<share of partners cut 20 days back>]
A/B of the spans step alone on a kept benchmark DB: refresh(partner_ids=P) (the whole-history
path, = integ24's algorithm) vs refresh(cuts={p: today}) (this branch), same partners, each in a
rolled-back transaction, alternately, 3 rounds; prints wall and backend CPU medians."""

import os, sys, time, statistics

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings.dev")
if "bench" not in os.environ.get("DATABASE_URL", ""):
    sys.exit("a benchmark database (name containing bench) only")
import django

django.setup()
from datetime import date, timedelta
from django.db import connection, transaction
from metrics import summaries
from metrics.models import PartnerDayOffering

n = int(sys.argv[1])
late = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
ids = sorted(set(PartnerDayOffering.objects.values_list("partner_id", flat=True).distinct()))[:n]
top = PartnerDayOffering.objects.order_by("-day").values_list("day", flat=True).first()
cuts = {p: top - timedelta(days=(20 if i < late * len(ids) else 0)) for i, p in enumerate(ids)}
rows = PartnerDayOffering.objects.filter(partner_id__in=ids).count()
print(
    f"{len(ids)} partners, {rows} PartnerDayOffering rows, cut {top} ({late:.0%} 20 days earlier)"
)


def backend_cpu():
    with connection.cursor() as c:
        c.execute("SELECT pg_backend_pid()")
        pid = c.fetchone()[0]
    with open(f"/proc/{pid}/stat") as f:
        parts = f.read().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


res = {"whole": [], "cuts": []}
for _ in range(3):
    for name, kw in (("whole", {"partner_ids": ids}), ("cuts", {"cuts": cuts})):
        try:
            with transaction.atomic():
                from partners.models import Offering

                for slug in sorted(
                    set(PartnerDayOffering.objects.values_list("offering", flat=True).distinct())
                ):
                    Offering.objects.create(name=slug, slug=slug, launched_on=date(2020, 1, 1))
                summaries.refresh()  # the bench DB has no Offering rows: spans + fingerprints
                c0, t0 = backend_cpu(), time.perf_counter()
                summaries.refresh(**kw)
                res[name].append((time.perf_counter() - t0, backend_cpu() - c0))
                raise RuntimeError
        except RuntimeError:
            pass
for name, v in res.items():
    print(
        f"{name}: wall {statistics.median(w for w, _ in v):.3f} s (of {', '.join(f'{w:.3f}' for w, _ in v)}), backend CPU {statistics.median(c for _, c in v):.2f} s"
    )
print("load", open("/proc/loadavg").read().strip())
