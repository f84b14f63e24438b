"""Load journeys for PRM (issue 10 item 5, RELIABILITY.md K1): partner users, channel managers and
an API client against gunicorn + Postgres + Redis, loopback only.

Run it through ``bench/load/run.py`` (``make load``): that script builds the data set and the
accounts file (``PRM_LOAD_ACCOUNTS``), starts gunicorn and a Celery worker with the production
settings, runs locust headless for a bounded time and prints the figures.

The server runs behind a pretend TLS proxy: the production settings mark cookies ``Secure`` and
trust ``X-Forwarded-Proto``, so every request carries ``X-Forwarded-Proto: https``, an https
``Referer`` and the person's own address in ``X-Forwarded-For`` (what nginx in front of gunicorn
would send; the server runs with ``TRUSTED_PROXY_COUNT=1``, so the login rate limits count per
person as in production), and the cookie jar sends Secure cookies over the loopback.

Every response is checked: a status other than the one expected, a redirect to the login page,
or a page without its expected content counts as a failure (locust's error rate).
"""

import http.cookiejar
import itertools
import json
import os
import random
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from locust import HttpUser, between, events, task
from locust.stats import StatsEntry

ACCOUNTS = json.loads(Path(os.environ["PRM_LOAD_ACCOUNTS"]).read_text())
PARTNER_ACCOUNTS = itertools.cycle(ACCOUNTS["partners"])
MANAGER_ACCOUNTS = itertools.cycle(ACCOUNTS["managers"])
TOKENS = itertools.cycle(ACCOUNTS["tokens"])
CLIENTS = itertools.count(1)  # each simulated person has an address of their own (see on_start)
EVENT_PARTNERS = ACCOUNTS["event_partners"]

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DEAL_LINK = re.compile(r'href="(/portal/deals/\d+/)"')
MANAGER_DEAL_LINK = re.compile(r'href="(/manage/deals/(\d+)/)"')
PARTNER_LINK = re.compile(r'href="(/manage/partners/\d+/)"')
COURSE_LINK = re.compile(r'href="(/learn/courses/[\w-]+/)"')
RESOURCE_LINK = re.compile(r'href="(/library/\d+/)"')
ALERT = re.compile(r'class="(?:alert|errorlist)[^"]*"[^>]*>(.*?)</', re.S)
OFFERING = re.compile(r'name="lines-0-offering"[^>]*>.*?<option value="(\d+)"', re.S)
rng = random.Random()  # noqa: S311 -- picks links, not secrets
# The issue-24 target counts every request but the login POST (PBKDF2 by design): locust's CSV
# has per-page percentiles only, which cannot be merged afterwards, so the merged histogram is
# computed here at the end of the run and written for run.py (``PRM_LOAD_SUMMARY``).
EXCLUDED_FROM_TARGET = {("POST", "login")}


# The TLS proxy is pretended: send the Secure (``__Host-``) cookies over http://127.0.0.1. requests
# builds a fresh jar with the default policy for every request, so the policy class itself is
# changed, in this load generator's process only.
http.cookiejar.DefaultCookiePolicy.return_ok_secure = lambda self, cookie, request: True


@events.test_stop.add_listener
def write_summary(environment, **_kwargs):
    """All requests but the login POST, merged into one histogram (locust's own rounding)."""
    path = os.environ.get("PRM_LOAD_SUMMARY")
    if not path:
        return
    merged = StatsEntry(environment.stats, "all but login", "", use_response_times_cache=False)
    for (name, method), entry in environment.stats.entries.items():
        if (method, name) not in EXCLUDED_FROM_TARGET:
            merged.extend(entry)
    Path(path).write_text(
        json.dumps(
            {
                "excluded": [f"{method} {name}" for method, name in sorted(EXCLUDED_FROM_TARGET)],
                "requests": merged.num_requests,
                "failures": merged.num_failures,
                "p50": merged.get_response_time_percentile(0.5),
                "p95": merged.get_response_time_percentile(0.95),
                "p99": merged.get_response_time_percentile(0.99),
            }
        )
    )


class Journey(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    login_lands_on = ""

    def on_start(self):
        n = next(CLIENTS)
        self.client.headers.update(
            {
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": f"10.20.{n // 250}.{n % 250 + 1}",
                "Referer": f"https://{self.host.split('://')[1]}/",
            }
        )
        self.email, password = self.account()
        page = self.page("/accounts/login/", "login page", expect="csrfmiddlewaretoken")
        with self.client.post(
            "/accounts/login/",
            {"login": self.email, "password": password, "csrfmiddlewaretoken": self.csrf(page)},
            name="login",
            catch_response=True,
        ) as response:
            self.check(response, 200, self.login_lands_on)

    def account(self):
        raise NotImplementedError

    @staticmethod
    def csrf(response) -> str:
        token = CSRF.search(response.text or "")
        return token.group(1) if token else ""

    @staticmethod
    def check(response, status: int, expect: str = "", login_page: bool = False) -> None:
        """Mark ``response`` failed unless it ends on the expected status with the content."""
        if response.status_code != status:
            response.failure(
                f"status {response.status_code}, expected {status} {response.error or ''}"[:200]
            )
        elif not login_page and any(
            part in response.url for part in ("/accounts/login/", "/accounts/confirm-email")
        ):
            alert = ALERT.search(response.text or "")
            said = " ".join(alert.group(1).split())[:120] if alert else ""
            response.failure(f"ended on {response.url} {said}")
        elif expect and expect not in (response.text or ""):
            alert = ALERT.search(response.text or "")
            said = " ".join(alert.group(1).split())[:120] if alert else ""
            response.failure(f"no {expect!r} in the page {response.url} {said}")
        else:
            response.success()

    def page(self, url: str, name: str | None = None, expect: str = ""):
        with self.client.get(url, name=name or url, catch_response=True) as response:
            self.check(response, 200, expect, login_page=url == "/accounts/login/")
            return response


class PartnerUser(Journey):
    """A partner's salesperson: home, onboarding checklist, a course, the library, a new deal."""

    weight = 40
    login_lands_on = "/portal/deals/"  # the portal's navigation

    def account(self):
        return next(PARTNER_ACCOUNTS)

    @task(3)
    def home(self):
        self.page("/portal/", expect="/portal/deals/")

    @task(2)
    def checklist(self):
        self.page("/portal/onboarding/", expect="checklist")

    @task(2)
    def courses(self):
        catalog = self.page("/learn/", expect="/learn/courses/")
        links = COURSE_LINK.findall(catalog.text or "")
        if links:
            self.page(rng.choice(links), name="/learn/courses/[slug]/", expect="<h1")

    @task(2)
    def resources(self):
        library = self.page("/library/", expect="/library/")
        links = RESOURCE_LINK.findall(library.text or "")
        if links:
            self.page(rng.choice(links), name="/library/[id]/", expect="<h1")

    @task(3)
    def deals(self):
        listing = self.page("/portal/deals/", expect="/portal/deals/new/")
        links = DEAL_LINK.findall(listing.text or "")
        if links:
            self.page(rng.choice(links), name="/portal/deals/[id]/", expect="<h1")

    @task(1)
    def register_deal(self):
        form = self.page("/portal/deals/new/", expect='name="customer_name"')
        offering = OFFERING.search(form.text or "")
        if not offering:
            form.failure("no offering in the line item form")
            return
        tag = uuid.uuid4().hex[:10]
        data = {
            "csrfmiddlewaretoken": self.csrf(form),
            "customer_name": f"Load Customer {tag}",
            "customer_domain": f"load-{tag}.example",
            "customer_country": "US",
            "contact_name": "Pat Buyer",
            "contact_email": f"pat@load-{tag}.example",
            "currency": "USD",
            "expected_close_date": (date.today() + timedelta(days=60)).isoformat(),
            "stage": "prospecting",
            "notes": "Registered by the load test.",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "50",
            "lines-0-offering": offering.group(1),
            "lines-0-quantity": str(rng.randint(1, 50)),
            "lines-0-unit_amount": f"{rng.randint(100, 5000)}.00",
            "submit": "1",
        }
        with self.client.post(
            "/portal/deals/new/", data, name="register deal (POST)", catch_response=True
        ) as response:
            self.check(response, 200, "your channel manager will review it")


class ChannelManager(Journey):
    """A channel manager: dashboard (plain and filtered), partners, a partner, the queue, approve."""

    fixed_count = int(os.environ.get("PRM_LOAD_MANAGERS", "8"))
    login_lands_on = "/manage/"

    def account(self):
        return next(MANAGER_ACCOUNTS)

    @task(2)
    def dashboard(self):
        self.page("/manage/dashboard/", expect="<h1")

    @task(1)
    def dashboard_filtered(self):
        since = ACCOUNTS["dashboard_since"]
        url = rng.choice(
            [
                f"/manage/dashboard/?owner=mine&since={since}",
                f"/manage/dashboard/?region={rng.choice(ACCOUNTS['regions'])}&since={since}",
                f"/manage/dashboard/?tier={rng.choice(ACCOUNTS['tiers'])}",
            ]
        )
        self.page(url, name="/manage/dashboard/?filters", expect="<h1")

    @task(2)
    def partners(self):
        listing = self.page("/manage/", expect="/manage/partners/")
        links = PARTNER_LINK.findall(listing.text or "")
        if links:
            self.page(rng.choice(links), name="/manage/partners/[id]/", expect="<h1")

    @task(2)
    def approve_a_deal(self):
        queue = self.page("/manage/deals/?scope=mine&status=submitted", name="/manage/deals/")
        links = MANAGER_DEAL_LINK.findall(queue.text or "")
        if not links:
            return
        url, pk = rng.choice(links)
        detail = self.page(url, name="/manage/deals/[id]/", expect="approve")
        with self.client.post(
            f"/manage/deals/{pk}/approve/",
            {
                "csrfmiddlewaretoken": self.csrf(detail),
                "note": "Approved under load.",
                "acknowledge_conflicts": "on",
            },
            name="approve deal (POST)",
            catch_response=True,
        ) as response:
            self.check(response, 200, "Approved:")


class ApiClient(HttpUser):
    """Another system posting batches of product-usage events with a write token."""

    fixed_count = int(os.environ.get("PRM_LOAD_API_CLIENTS", "2"))
    wait_time = between(1, 3)
    batch = int(os.environ.get("PRM_LOAD_BATCH", "100"))

    def on_start(self):
        self.client.headers.update(
            {"Authorization": f"Bearer {next(TOKENS)}", "X-Forwarded-Proto": "https"}
        )

    @task
    def post_events(self):
        now = datetime.now(UTC).isoformat()
        events = [
            {
                "id": f"load-{uuid.uuid4().hex}",
                "kind": rng.choice(["product.session_started", "crm.activity_logged"]),
                "partner": rng.choice(EVENT_PARTNERS),
                "occurred_at": now,
            }
            for _ in range(self.batch)
        ]
        with self.client.post(
            "/api/v1/events/",
            json={"events": events},
            name=f"POST /api/v1/events/ ({self.batch})",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}: {response.text[:200]}")
                return
            body = response.json()
            if body.get("stored", 0) + body.get("duplicates", 0) != self.batch:
                response.failure(f"not all stored: {json.dumps(body)[:300]}")
            else:
                response.success()
