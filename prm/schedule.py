"""Every periodic task of every app, in one place (Celery beat reads it from settings).

Crontab-based; each entry expires before its next run, so a backlog after an outage does not run
the same job many times over. Tasks must be idempotent: beat may fire again after a restart.
"""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "kernel-send-due-emails": {
        # Every 5 minutes: outbox emails whose task was lost (broker down at commit time, worker
        # killed) or whose retry is overdue; the row lock sends each once (kernel/outbox.py).
        "task": "kernel.tasks.send_due_emails",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 4 * 60},
    },
    "console-start-waiting-bulk-actions": {
        # Every 5 minutes: large bulk actions of the partner list whose task was lost (broker
        # down when queued); the run claims the action, so none runs twice (console/bulk.py).
        "task": "console.tasks.start_waiting_bulk_actions",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 4 * 60},
    },
    "console-weekly-digests": {
        # Hourly: the weekly digest reaches each channel manager on Monday 07:00-10:59 in their
        # own time zone (every zone, half-hour ones too, sees four runs in that window); the
        # unique WeeklyDigest record sends it once per ISO week (console/digest.py).
        "task": "console.tasks.send_weekly_digests",
        "schedule": crontab(minute=20),
        "options": {"expires": 50 * 60},
    },
    "accounts-clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": crontab(minute=17, hour=3),
        "options": {"expires": 60 * 60},
    },
    "partners-expire-invitations": {
        "task": "partners.tasks.expire_invitations",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 10 * 60},
    },
    "onboarding-send-reminders": {
        "task": "onboarding.tasks.send_onboarding_reminders",
        "schedule": crontab(minute=5),
        "options": {"expires": 50 * 60},
    },
    "plans-off-pace-notices": {
        # Mondays: approved business plans with a measured goal behind its pace email both
        # sides; the email key names the ISO week, so a rerun sends nothing twice (plans/notices.py).
        "task": "plans.tasks.send_off_pace_notices",
        "schedule": crontab(minute=40, hour=8, day_of_week=1),
        "options": {"expires": 60 * 60},
    },
    "metrics-train-churn-model": {
        # Sundays: a new churn forecast version, trained and backtested against the at-risk
        # rules (metrics/churn_model.py); the daily forecasts follow the rollup (after_rollup).
        "task": "metrics.tasks.train_churn_model",
        "schedule": crontab(minute=30, hour=2, day_of_week=0),
        "options": {"expires": 6 * 60 * 60},
    },
    "followup-task-reminders": {
        # Hourly: email the assignee of a staff task that fell due, once (the task's sent-reminder
        # marker is claimed by a conditional UPDATE; the outbox key is unique per task and date).
        "task": "followup.tasks.send_task_reminders",
        "schedule": crontab(minute=25),
        "options": {"expires": 50 * 60},
    },
    "leads-expire-offers": {
        # Every 10 minutes: lead offers not answered by their deadline expire and the lead goes
        # to the next partner; each offer is claimed by a conditional UPDATE, so a rerun or a
        # second worker reassigns a lead once per deadline (leads/services.py).
        "task": "leads.tasks.expire_lead_offers",
        "schedule": crontab(minute="*/10"),
        "options": {"expires": 8 * 60},
    },
    "leads-remind-offers": {
        # Every 10 minutes: a partner's admins are reminded of an offer with a quarter of its
        # answer time left, once (claimed by a conditional UPDATE of its reminded_at).
        "task": "leads.tasks.remind_lead_offers",
        "schedule": crontab(minute="5-59/10"),
        "options": {"expires": 8 * 60},
    },
    "onboarding-flag-stalled-partners": {
        "task": "onboarding.tasks.flag_stalled_partners",
        "schedule": crontab(minute=35, hour="*/6"),
        "options": {"expires": 5 * 60 * 60},
    },
    "notifications-send-digests": {
        # Hourly: each person's daily digest once it is past 17:00 in their time zone; one per
        # person per local day (the DigestRun row), so a rerun sends nothing twice.
        "task": "notifications.tasks.send_digests",
        "schedule": crontab(minute=10),
        "options": {"expires": 50 * 60},
    },
    "metrics-rollup": {
        # Every minute; expires before the next so a backlog never stacks up rollups.
        "task": "metrics.tasks.rollup_metrics",
        "schedule": crontab(),
        "options": {"expires": 50},
    },
    "events-partitions": {
        # Daily: monthly partitions of the event table for the coming months (Postgres; no-op on
        # SQLite). Idempotent; three months ahead leaves weeks of slack if it fails for a while.
        "task": "events.tasks.create_event_partitions",
        "schedule": crontab(minute=23, hour=2),
        "options": {"expires": 6 * 60 * 60},
    },
    "enablement-certificate-reminders": {
        # Daily: renewal reminders and expiries; a rerun sends nothing twice (reminder records).
        "task": "enablement.tasks.send_certificate_reminders",
        "schedule": crontab(minute=40, hour=6),
        "options": {"expires": 6 * 60 * 60},
    },
    "deals-expiry-warnings": {
        # Hourly: warn partners before protection ends; one email per deal and end date.
        "task": "deals.tasks.send_expiry_warnings",
        "schedule": crontab(minute=5),
        "options": {"expires": 50 * 60},
    },
    "deals-expire": {
        # Hourly: approved registrations past their protection become expired (row-locked, once).
        "task": "deals.tasks.expire_deals",
        "schedule": crontab(minute=10),
        "options": {"expires": 50 * 60},
    },
    "events-consumers-catch-up": {
        # Events an event consumer (onboarding, webhooks, audit, incentives) failed on inside the
        # writer's transaction: handed over again until it succeeds (events.consumers).
        "task": "events.tasks.catch_up_event_consumers",
        "schedule": crontab(minute="*/2"),
        "options": {"expires": 100},
    },
    "events-dispatch-pending": {
        # Ingested events' consumers run after the request's commit (events.consumers
        # .dispatch_later wakes this task per batch); the sweep covers a lost wake-up.
        "task": "events.tasks.dispatch_pending_events",
        "schedule": crontab(minute="*"),
        "options": {"expires": 50},
    },
    "incentives-award-catch-up": {
        # Points and badges the live path (the incentives.awards event consumer) missed;
        # idempotent (unique rule, event).
        "task": "incentives.tasks.award_catch_up",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 4 * 60},
    },
    "tiers-evaluate-tiers": {
        # Nightly, after the metrics rollup has caught up: promotions, demotion warnings and
        # demotions after the grace period. A rerun changes nothing (tiers.evaluation).
        "task": "tiers.tasks.evaluate_tiers",
        "schedule": crontab(minute=30, hour=2),
        "options": {"expires": 4 * 60 * 60},
    },
    "customers-user-adoption-rollup": {
        # Every minute: fold ingested usage events into the user-adoption summary (idempotent).
        "task": "customers.tasks.rollup_user_adoption",
        "schedule": crontab(),
        "options": {"expires": 50},
    },
    "webhooks-send-due": {
        # Every minute: re-enqueue webhook deliveries whose task was lost (claimed once each).
        "task": "webhooks.tasks.send_due_deliveries",
        "schedule": crontab(),
        "options": {"expires": 50},
    },
}
