"""``manage.py seed_demo``: a demo partner program with logins, partners and a year of activity.

The data building lives in ``demo.seed``; this command parses options and prints.
"""

from datetime import UTC, datetime, time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from demo.seed import DEMO_LOGINS, seed_demo


def _anchor(value: str) -> datetime:
    """``2025-06-30`` (midnight UTC) or an ISO datetime; a naive one is taken as UTC."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--now must be an ISO date or datetime, not {value!r}.") from exc
    if len(value) == 10:
        moment = datetime.combine(moment.date(), time.min)
    return moment.replace(tzinfo=UTC) if timezone.is_naive(moment) else moment


class Command(BaseCommand):
    help = (
        "Create deterministic demo data: the Global Partner Program, demo logins, partners who "
        "joined over the last 12 months and their activity events. Does nothing if demo partners "
        "already exist, unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--partners", type=int, default=200, help="Partners to create.")
        parser.add_argument(
            "--events", type=int, default=60_000, help="Activity events to record: logins, "
            "product usage, library views (partner lifecycle, deals, courses and checklist steps "
            "come on top, with their objects)."
        )  # fmt: skip
        parser.add_argument("--seed", type=int, default=42, help="Random seed.")
        parser.add_argument(
            "--now", type=_anchor, default=None,
            help="Anchor the data at this moment (ISO date or datetime) instead of now.",
        )  # fmt: skip
        parser.add_argument(
            "--force", action="store_true", help="Add partners even if demo data is present."
        )
        parser.add_argument(
            "--batch-size", type=int, default=5_000, help="Events per write transaction."
        )

    def handle(self, *args, **options):
        if options["partners"] < 0 or options["events"] < 0 or options["batch_size"] < 1:
            raise CommandError("--partners and --events must be >= 0, --batch-size >= 1.")
        if options["now"] is not None and options["now"] > timezone.now():
            raise CommandError("--now cannot be in the future: events never are.")
        verbose = options["verbosity"] >= 1
        result = seed_demo(
            partners=options["partners"],
            events=options["events"],
            seed=options["seed"],
            now=options["now"],
            force=options["force"],
            batch_size=options["batch_size"],
            progress=self.stdout.write if verbose else (lambda message: None),
        )
        from demo.incentives import seed_incentives  # MDF and points (issue 9)

        incentives = seed_incentives(now=options["now"] or timezone.now(), seed=options["seed"])
        if incentives:
            self.stdout.write(
                f"Incentives: {incentives['awards']:,} awards from the event history, "
                f"{incentives['mdf_requests']:,} marketing fund requests."
            )
        if result.created:
            self._churn_forecast(verbose)
        if not result.created:
            self.stdout.write("Demo data already present; nothing changed (--force adds more).")
        else:
            statuses = ", ".join(f"{n:,} {status}" for status, n in result.by_status.items())
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created {result.partners:,} partners ({statuses}), {result.users:,} partner "
                    f"users, {result.events:,} activity events, {result.history_events:,} "
                    f"events of deals, courses and checklists, and {result.lifecycle_events:,} "
                    f"lifecycle events in {result.seconds:.1f} s."
                )
            )
            if result.customers is not None:
                c = result.customers
                self.stdout.write(
                    f"Customers: {c.accounts:,} accounts of won deals with {c.seats:,} licensed "
                    f"seats; {c.users:,} of their users sent {c.events:,} product-usage events."
                )
        self._print_logins()

    def _churn_forecast(self, verbose: bool) -> None:
        """Roll the history up and train the churn forecast (issue 22) as the weekly task does,
        so a newcomer sees real forecasts and their backtest against the at-risk rules."""
        from django.core.management import call_command

        from metrics.tasks import train_churn_model

        if verbose:
            self.stdout.write("Rolling up the history and training the churn forecast…")
        call_command("rollup_metrics", verbosity=0)
        done = train_churn_model()
        if verbose:
            self.stdout.write(
                f"Churn model version {done['version']} ({done['status']}), "
                f"{done['forecasts']:,} forecasts."
            )

    def _print_logins(self) -> None:
        width = max(len(login["email"]) for login in DEMO_LOGINS)
        self.stdout.write("\nDemo logins:")
        self.stdout.write(f"  {'Role':<16} {'Email':<{width}}  Password")
        for login in DEMO_LOGINS:
            self.stdout.write(
                f"  {login['role']:<16} {login['email']:<{width}}  {login['password']}"
            )
        self.stdout.write(f"\nOpen {settings.SITE_URL.rstrip('/')}/ and sign in.")
