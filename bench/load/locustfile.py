"""Load journeys for PRM (issue 10 item 5, RELIABILITY.md K1): partner users and channel
managers clicking through their daily pages against gunicorn + Postgres + Redis, loopback only.

Run (bounded, headless; docs/scaling.md has the full recipe and the measured figures)::

    PRM_RATE_LIMIT_LOGIN=10000/m/ip  # on the server: 50 simulated users log in from one IP
    uv run locust -f bench/load/locustfile.py --host http://127.0.0.1:8010 --headless \\
        -u 50 -r 10 -t 5m --csv var/load/run --exit-code-on-error 1

Every response is checked: a 4xx/5xx or a login page where a page was expected counts as a
failure. (K1's canary check in sampled responses is not implemented yet.)
"""

import os
import random
import re

from locust import HttpUser, between, task

PARTNER = (
    os.environ.get("PRM_LOAD_PARTNER_EMAIL", "partner@acme.example"),
    os.environ.get("PRM_LOAD_PARTNER_PASSWORD", "prm-demo-partner"),
)
MANAGER = (
    os.environ.get("PRM_LOAD_MANAGER_EMAIL", "manager@prm.example"),
    os.environ.get("PRM_LOAD_MANAGER_PASSWORD", "prm-demo-manager"),
)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DEAL_LINK = re.compile(r'href="(/portal/deals/\d+/)"')
PARTNER_LINK = re.compile(r'href="(/manage/partners/\d+/)"')


class Journey(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    credentials = ("", "")

    def on_start(self):
        page = self.client.get("/accounts/login/", name="login page")
        token = CSRF.search(page.text)
        with self.client.post(
            "/accounts/login/",
            {
                "login": self.credentials[0],
                "password": self.credentials[1],
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="login",
            catch_response=True,
        ) as response:
            if "/accounts/login/" in response.url:
                response.failure("login refused (rate limit or wrong demo password)")

    def page(self, url, name=None):
        with self.client.get(url, name=name or url, catch_response=True) as response:
            if response.status_code >= 400:
                response.failure(f"{response.status_code}")
            elif "/accounts/login/" in response.url:
                response.failure("sent to the login page")
            return response


class PartnerUser(Journey):
    weight = 3
    credentials = PARTNER

    @task(3)
    def home(self):
        self.page("/portal/")

    @task(3)
    def deals(self):
        listing = self.page("/portal/deals/")
        links = DEAL_LINK.findall(listing.text or "")
        if links:
            self.page(random.choice(links), name="/portal/deals/[id]/")  # noqa: S311

    @task(2)
    def learning(self):
        self.page("/learn/")
        self.page("/library/")

    @task(1)
    def onboarding_and_adoption(self):
        self.page("/portal/onboarding/")
        self.page("/portal/adoption/")


class ChannelManager(Journey):
    weight = 1
    credentials = MANAGER

    @task(3)
    def home(self):
        listing = self.page("/manage/")
        links = PARTNER_LINK.findall(listing.text or "")
        if links:
            self.page(random.choice(links), name="/manage/partners/[id]/")  # noqa: S311

    @task(2)
    def deal_queue(self):
        self.page("/manage/deals/")

    @task(1)
    def applications(self):
        self.page("/manage/applications/")
