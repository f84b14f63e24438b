"""Tasks enqueued by name (kernel/enqueue.py): an app's services name their tasks instead of
importing them, so the name must find the registered task, in a process that never imported the
task's module too, and a wrong name must fail loudly."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kernel import enqueue
from kernel.tasks import send_emails

ROOT = Path(__file__).resolve().parents[2]


def test_a_name_finds_the_registered_task():
    assert enqueue.task_named("kernel.tasks.send_emails") is send_emails._get_current_object()


@pytest.mark.parametrize("name", ["kernel.tasks.no_such_task", "no_such_app.tasks.send"])
def test_an_unknown_name_raises_instead_of_queueing_nothing(name):
    with pytest.raises(LookupError, match=name):
        enqueue.task_named(name)
    with pytest.raises(LookupError):
        enqueue.send_on_commit(name, [1])


@pytest.mark.django_db
def test_a_task_named_is_sent_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        enqueue.send_on_commit("kernel.tasks.send_emails", [0])
    assert len(callbacks) == 1  # it waited for the commit; eager here, so it ran then
    assert enqueue.send("kernel.tasks.send_emails", [0]) is True  # row 0 is missing: skipped


def test_a_web_process_that_never_imported_the_tasks_module_finds_the_task():
    probe = (
        "import json, sys, django; django.setup();"
        "from kernel import enqueue;"
        "before = 'webhooks.tasks' in sys.modules;"
        "task = enqueue.task_named('webhooks.tasks.deliver_webhook');"
        "print(json.dumps([before, task.name]))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "prm.settings.test"}
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True,
        check=True, timeout=120,
    )  # fmt: skip
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [
        False,
        "webhooks.tasks.deliver_webhook",
    ]
