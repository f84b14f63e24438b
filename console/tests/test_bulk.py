"""Bulk actions of the partner list (console.bulk): the count confirmation, each action through
its single-partner service and rule, the skipped partners and why, bad selections."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.choices import AuditAction
from audit.models import AuditEntry
from console import bulk, bulk_run
from console.choices import BulkState
from console.models import BulkAction
from events.models import Event
from kernel.models import OutboundEmail
from partners.choices import MemberRole, PartnerStatus
from partners.models import Partner, Tier
from partners.tests.factories import MembershipFactory, PartnerFactory
from tiers.models import TierHistory

URL = "console:bulk"


def post(client, **data):
    return client.post(reverse(URL), data)


def ids(*partners):
    return ",".join(str(p.pk) for p in partners)


def silver(world):
    return Tier.objects.get(program=world.partner_a.program, name="Silver")


def setup_entry(kind_label):
    """The bulk action's own line in the audit log (kernel.setup_log)."""
    prefix = f"Bulk action on the partner list: {kind_label}"
    entries = [
        e
        for e in AuditEntry.objects.filter(action=AuditAction.SETUP_CHANGE)
        if e.details["summary"].startswith(prefix)
    ]
    assert len(entries) == 1
    return entries[0]


# --- The steps: choose, review with the count, confirm -------------------------------------------


def test_vendor_admin_reassigns_owner_after_confirming_the_count(client_as, world):
    client = client_as("vendor_admin")
    new_owner = world.users["manager_other"]
    new_owner.full_name = "Ann Lee"
    new_owner.save()
    a, b = world.partner_a, world.partner_b
    extra = PartnerFactory(program=a.program, tier=a.tier, owner=world.users["manager_owner"])

    # from the list: the ticked rows, then the action's form
    page = post(client, action="owner", partner=[a.pk, extra.pk, b.pk], scope="all")
    assert page.status_code == 200 and 'name="owner"' in page.content.decode()
    # review: the count question; nothing has changed yet
    review = post(client, action="owner", ids=ids(a, extra, b), step="review", owner=new_owner.pk)
    body = review.content.decode()
    assert review.status_code == 200
    assert "Reassign 2 partners to Ann Lee?" in body  # Bravo is Ann's already
    assert "Already owned by Ann Lee." in body
    a.refresh_from_db()
    assert a.owner == world.users["manager_owner"]

    done = post(client, action="owner", ids=ids(a, extra, b), step="confirm", owner=new_owner.pk)
    action = BulkAction.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse(
        "console:bulk_result", args=[action.pk]
    )
    assert set(Partner.objects.values_list("owner", flat=True)) == {new_owner.pk}
    assert action.state == BulkState.DONE and action.changed_ids == [a.pk, extra.pk]
    assert [s["id"] for s in action.skipped] == [b.pk]
    # one event per partner changed, recorded by the single-partner service (audit follows it)
    changed = Event.objects.filter(kind="partner.owner_changed")
    assert sorted(changed.values_list("partner_id", flat=True)) == sorted([a.pk, extra.pk])
    owner_audit = AuditEntry.objects.filter(action=AuditAction.PARTNER_OWNER_CHANGED)
    assert owner_audit.count() == 2
    assert owner_audit.filter(partner_id=a.pk).get().details["owner_id"] == new_owner.pk
    # and the action itself: who, what, to which partners
    entry = setup_entry("Reassign owner to Ann Lee")
    assert entry.actor == world.users["vendor_admin"]
    assert "3 selected, 2 changed, 1 skipped" in entry.details["summary"]
    # each changed partner's owner before and after, by name
    owner_name = world.users["manager_owner"].display_name
    assert entry.details["before"] == {"Alpha Systems": owner_name, extra.name: owner_name}
    assert entry.details["after"] == {"Alpha Systems": "Ann Lee", extra.name: "Ann Lee"}

    result = client.get(done["Location"]).content.decode()
    assert "2 partners changed." in result and "Bravo Consulting" in result
    log = client.get(reverse("audit:log")).content.decode()
    assert "Bulk action on the partner list: Reassign owner to Ann Lee" in log
    assert f"<del>{owner_name}</del> → <ins>Ann Lee</ins>" in log


def test_channel_manager_overrides_only_the_tiers_of_partners_they_own(client_as, world):
    client = client_as("manager_owner")
    a, b = world.partner_a, world.partner_b
    data = {"action": "tier", "ids": ids(a, b), "tier": silver(world).pk, "reason": "QBR"}
    review = post(client, step="review", **data).content.decode()
    assert "Set 1 partner to Silver?" in review
    assert "only its owner or a vendor admin can override its tier" in review

    response = post(client, step="confirm", **data)
    assert response.status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.tier.name == "Silver" and b.tier.name == "Registered"
    history = TierHistory.objects.get()
    assert history.partner == a and history.reason == "QBR"
    entry = setup_entry("Set tier to Silver")
    assert entry.details["before"]["Alpha Systems"] == "Registered"
    assert entry.details["after"] == {"Alpha Systems": "Silver", "Reason": "QBR"}
    assert Event.objects.filter(kind="tier.overridden", partner_id=b.pk).count() == 0
    result = client.get(response["Location"]).content.decode()
    assert "1 partner changed." in result and "Bravo Consulting" in result
    assert "You do not own this partner" in result


def test_channel_manager_changes_the_status_of_their_partners_and_bad_moves_are_skipped(
    client_as, world
):
    mine = world.users["manager_owner"]
    applicant = PartnerFactory(
        name="Applicant Co", program=world.partner_a.program, tier=world.partner_a.tier, owner=mine,
        status=PartnerStatus.APPLICANT,
    )  # fmt: skip
    a, b = world.partner_a, world.partner_b
    client = client_as("manager_owner")
    data = {"action": "status", "ids": ids(a, applicant, b), "status": PartnerStatus.ACTIVE}
    review = post(client, step="review", **data).content.decode()
    assert "Change 1 partner to Active?" in review
    assert "A partner cannot go from Applicant to Active." in review

    post(client, step="confirm", **data)
    statuses = dict(Partner.objects.values_list("name", "status"))
    assert statuses == {
        "Alpha Systems": PartnerStatus.ACTIVE,
        "Applicant Co": PartnerStatus.APPLICANT,
        "Bravo Consulting": PartnerStatus.ONBOARDING,
    }
    assert Event.objects.filter(kind="partner.status_changed").count() == 1
    assert Event.objects.filter(kind="partner.activated", partner_id=a.pk).count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.PARTNER_STATUS_CHANGED).count() == 1


def test_email_shows_the_recipient_count_then_greets_each_admin_by_name(
    client_as, world, django_capture_on_commit_callbacks
):
    a, b = world.partner_a, world.partner_b
    second = MembershipFactory(partner=a, role=MemberRole.ADMIN, user__full_name="Zoe Park").user
    no_admin = PartnerFactory(name="Quiet Ltd", program=a.program, tier=a.tier)
    client = client_as("vendor_admin")
    data = {
        "action": "email",
        "ids": ids(a, b, no_admin),
        "subject": "Q3 kickoff",
        "body": "See you at the kickoff & bring ideas.",
    }
    review = post(client, step="review", **data).content.decode()
    assert "Email the admins of 2 partners?" in review
    assert "3 partner admins will receive the email." in review
    assert "It has no active partner admin" in review
    assert OutboundEmail.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=False):
        post(client, step="confirm", **data)
    emails = {tuple(e.to): e for e in OutboundEmail.objects.all()}
    assert len(emails) == 3
    to_zoe = emails[(second.email,)]
    assert to_zoe.body.startswith("Hello Zoe Park,")
    assert "See you at the kickoff & bring ideas." in to_zoe.body
    assert "Q3 kickoff" in to_zoe.subject
    assert world.users["vendor_admin"].display_name in to_zoe.body
    emailed = Event.objects.filter(kind="partner.emailed").order_by("partner_id")
    assert [(e.partner_id, e.properties["recipients"]) for e in emailed] == [(a.pk, 2), (b.pk, 1)]
    entry = setup_entry("Email partner admins")
    assert entry.details["after"]["Emails"] == 3
    assert entry.details["after"]["Partners"] == "Alpha Systems, Bravo Consulting"


def test_email_is_rate_bounded_per_sender(client_as, world, settings):
    settings.PRM_BULK_EMAIL_RATE_LIMIT = "1/1h/user"
    client = client_as("vendor_admin")
    data = {"action": "email", "ids": ids(world.partner_a), "subject": "Hi", "body": "Text"}
    assert post(client, step="confirm", **data).status_code == 302
    again = post(client, step="confirm", **data)
    assert again.status_code == 429
    assert BulkAction.objects.count() == 1


def test_channel_manager_emails_only_the_admins_of_partners_they_own(client_as, world):
    client = client_as("manager_owner")
    data = {
        "action": "email",
        "ids": ids(world.partner_a, world.partner_b),
        "subject": "Hi",
        "body": "Text",
    }
    post(client, step="confirm", **data)
    assert [e.to for e in OutboundEmail.objects.all()] == [["admin@alpha.example"]]


def test_export_downloads_the_selected_partners_and_is_audited(client_as, world):
    client = client_as("manager_other")
    PartnerFactory(name="Not Selected", program=world.partner_a.program, tier=world.partner_a.tier)
    review = post(client, action="export", partner=[world.partner_a.pk, world.partner_b.pk])
    assert "Export 2 partners as CSV?" in review.content.decode()
    response = post(client, action="export", ids=ids(world.partner_b, world.partner_a),
                    step="confirm")  # fmt: skip
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r[0] for r in rows] == ["Partner", "Bravo Consulting", "Alpha Systems"]
    assert rows[2][-1] == world.users["manager_owner"].display_name
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT).count() == 1
    entry = setup_entry("Export CSV")
    assert entry.details["after"]["Partners"] == "Alpha Systems, Bravo Consulting"


# --- Selections: all matching, bad input ---------------------------------------------------------


def test_all_matching_resolves_the_list_filter_and_scope_on_the_server(client_as, world):
    mine, at = world.users["manager_owner"], timezone.now()
    for _ in range(3):
        PartnerFactory(
            program=world.partner_a.program,
            tier=world.partner_a.tier,
            owner=mine,
            status=PartnerStatus.ACTIVE,
            joined_at=at,
            activated_at=at,
        )
    PartnerFactory(
        program=world.partner_a.program,
        tier=world.partner_a.tier,
        status=PartnerStatus.ACTIVE,
        joined_at=at,
        activated_at=at,
    )  # not mine
    client = client_as("manager_owner")
    page = post(client, action="export", all_matching="1", scope="mine", status_filter="active")
    assert "Export 3 partners as CSV?" in page.content.decode()
    selected = bulk.selection_all_matching(user=mine, mine=True, status="active")
    assert set(Partner.objects.filter(pk__in=selected).values_list("owner", flat=True)) == {mine.pk}


@pytest.mark.parametrize(
    "data, message",
    [
        ({"action": "status", "status": "active"}, "Select at least one partner."),
        ({"action": "status", "ids": "", "status": "active"}, "Select at least one partner."),
        (
            {"action": "status", "ids": "999999", "status": "active"},
            "1 selected partner does not exist",
        ),
        ({"action": "status", "ids": "12abc", "status": "active"}, "not a partner id"),
        ({"action": "nuke", "ids": "1"}, "Choose an action"),
    ],
)
def test_bad_selections_are_refused_and_change_nothing(client_as, world, data, message):
    if data.get("ids") == "999999":
        data["ids"] = f"{world.partner_a.pk},999999"
    response = post(client_as("vendor_admin"), step="confirm", **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not BulkAction.objects.exists()
    assert set(Partner.objects.values_list("status", flat=True)) == {PartnerStatus.ONBOARDING}


def test_too_many_partners_are_refused(client_as, world):
    too_many = ",".join(str(i) for i in range(1, bulk.MAX_SELECTION + 2))
    response = post(client_as("vendor_admin"), action="export", ids=too_many, step="confirm")
    assert response.status_code == 400
    assert "at most 1000" in response.content.decode()
    assert not BulkAction.objects.exists()


def test_all_matching_beyond_the_bound_is_refused(client_as, world, monkeypatch):
    monkeypatch.setattr(bulk, "MAX_SELECTION", 1)
    response = post(client_as("vendor_admin"), action="export", all_matching="1", scope="all")
    assert response.status_code == 400 and "2 partners are selected" in response.content.decode()


def test_invalid_parameters_are_a_400_and_change_nothing(client_as, world):
    client = client_as("vendor_admin")
    data = {"action": "tier", "ids": ids(world.partner_a), "tier": silver(world).pk, "reason": ""}
    response = post(client, step="confirm", **data)
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    world.partner_a.refresh_from_db()
    assert world.partner_a.tier.name == "Registered" and not BulkAction.objects.exists()


def test_partner_users_get_404_on_every_bulk_route(client_as, world):
    action = bulk_run.bulk_export_record(
        actor=world.users["manager_owner"], partner_ids=[world.partner_a.pk]
    )
    for persona in ("partner_a_admin", "partner_a_user", "partner_b_admin"):
        client = client_as(persona)
        data = {"action": "status", "ids": ids(world.partner_a), "status": "active"}
        assert post(client, step="confirm", **data).status_code == 404
        assert client.get(reverse("console:bulk_result", args=[action.pk])).status_code == 404
        assert client.get(reverse("console:bulk_progress", args=[action.pk])).status_code == 404
    other = client_as("manager_other")
    assert other.get(reverse("console:bulk_result", args=[action.pk])).status_code == 404
    assert set(Partner.objects.values_list("status", flat=True)) == {PartnerStatus.ONBOARDING}


# --- Large selections: a Celery task, progress --------------------------------------------------


def test_a_large_selection_runs_as_a_task_with_progress(client_as, world, monkeypatch):
    monkeypatch.setattr(bulk_run, "INLINE_LIMIT", 1)
    monkeypatch.setattr(bulk, "CHUNK", 1)
    queued = []
    monkeypatch.setattr(
        bulk_run.enqueue, "send_on_commit", lambda name, *a: queued.append((name, a))
    )
    client = client_as("vendor_admin")
    data = {"action": "status", "ids": ids(world.partner_a, world.partner_b), "status": "active"}
    response = post(client, step="confirm", **data)
    action = BulkAction.objects.get()
    assert queued == [("console.tasks.run_bulk_action", (action.pk,))]
    progress = client.get(reverse("console:bulk_progress", args=[action.pk])).json()
    assert progress == {
        "state": "pending", "done": 0, "total": 2, "percent": 0, "finished": False,
        "changed": 0, "skipped": 0,
    }  # fmt: skip
    assert "data-bulk-progress" in client.get(response["Location"]).content.decode()

    from console.tasks import run_bulk_action

    run_bulk_action(action.pk)
    run_bulk_action(action.pk)  # a second delivery does nothing
    progress = client.get(reverse("console:bulk_progress", args=[action.pk])).json()
    assert progress["finished"] and progress["percent"] == 100 and progress["changed"] == 2
    assert Event.objects.filter(kind="partner.status_changed").count() == 2


# --- The list ------------------------------------------------------------------------------------


def test_partner_list_has_checkboxes_an_action_bar_and_bounded_queries(
    client_as, world, django_assert_max_num_queries
):
    client = client_as("vendor_admin")
    client.get(reverse("partners:manager_home"))  # warm the session
    for _ in range(40):
        PartnerFactory(program=world.partner_a.program, tier=world.partner_a.tier)
    # the list's filter choices and saved views: 8; the bell's unread count (notifications): 1
    with django_assert_max_num_queries(21):
        response = client.get(reverse("partners:manager_home"), {"scope": "all"})
    body = response.content.decode()
    assert body.count('name="partner"') == 25
    assert f'action="{reverse(URL)}"' in body
    assert "Select all 42 partners matching the filter" in body


def test_an_action_whose_task_was_lost_is_queued_again_by_the_sweep(world, monkeypatch):
    action = bulk_run.bulk_action_create(
        actor=world.users["vendor_admin"],
        plan=bulk.Plan(kind="status", status=PartnerStatus.ACTIVE),
        partner_ids=[world.partner_a.pk],
    )
    assert bulk_run.bulk_actions_requeue() == 0  # just recorded: its own task may still come
    BulkAction.objects.filter(pk=action.pk).update(
        created_at=timezone.now() - bulk_run.REQUEUE_AFTER * 2
    )
    from console.tasks import start_waiting_bulk_actions

    assert start_waiting_bulk_actions() == 1  # eager in tests: it ran
    action.refresh_from_db()
    assert action.state == BulkState.DONE and action.changed_ids == [world.partner_a.pk]
    assert bulk_run.bulk_actions_requeue(older_than=timedelta(0)) == 0


def test_result_page_queries_do_not_grow_with_the_selection(
    client_as, world, django_assert_max_num_queries
):
    program, tier = world.partner_a.program, world.partner_a.tier
    partners = [PartnerFactory(program=program, tier=tier) for _ in range(30)]
    client = client_as("vendor_admin")
    data = {"action": "status", "ids": ids(*partners), "status": PartnerStatus.INACTIVE}
    response = post(client, step="confirm", **data)
    assert BulkAction.objects.get().changes[0]["before"] == "Onboarding"
    with django_assert_max_num_queries(8):
        page = client.get(response["Location"])
    assert "30 partners changed." in page.content.decode()
