"""MDF balances and transitions through the services."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from events.models import Event
from incentives import services
from incentives.choices import MdfStatus
from incentives.models import MdfAllocation
from incentives.tests.factories import activity, allocation, mdf_request, proof_pdf

pytestmark = pytest.mark.django_db


def balances(alloc):
    alloc.refresh_from_db()
    return alloc.amount, alloc.committed, alloc.paid


def test_request_approve_claim_approve_moves_the_balances_and_records_every_step(
    world, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        request = mdf_request(world=world, amount="1500.00")
        alloc = request.allocation
        assert balances(alloc) == (Decimal("10000.00"), 0, 0)
        request = services.mdf_request_approve(
            request=request, actor=world.users["manager_owner"], amount=Decimal("1200.00")
        )
        assert balances(alloc) == (Decimal("10000"), Decimal("1200"), 0)
        request = services.mdf_claim_submit(
            request=request,
            actor=world.users["partner_a_admin"],
            amount=Decimal("1000.00"),
            proof=proof_pdf(),
        )
        assert request.status == MdfStatus.CLAIMED and request.proof_name == "invoice.pdf"
        request = services.mdf_claim_approve(request=request, actor=world.users["manager_owner"])
    # 200 approved but not spent went back to the allocation
    assert balances(alloc) == (Decimal("10000"), Decimal("1000"), Decimal("1000"))
    assert request.status == MdfStatus.PAID
    kinds = list(
        Event.objects.filter(kind__startswith="mdf.").order_by("id").values_list("kind", flat=True)
    )
    assert kinds == [
        "mdf.allocated",
        "mdf.requested",
        "mdf.approved",
        "mdf.claimed",
        "mdf.claim_approved",
    ]
    approved = Event.objects.get(kind="mdf.approved")
    assert approved.idempotency_key == f"mdf.approved:{request.pk}"
    assert approved.properties["amount"] == "1200.00" and approved.partner_id == world.partner_a.pk
    subjects = [m.subject for m in mailoutbox]
    assert any("requested" in s for s in subjects) and any("claim approved" in s for s in subjects)
    assert mailoutbox[0].to == ["owner@vendor.example"]
    assert "admin@alpha.example" in mailoutbox[1].to


def test_an_approval_beyond_what_is_left_is_refused_with_the_remaining_amount(world):
    allocation(partner=world.partner_a, actor=world.users["manager_owner"], amount="1000.00")
    first = mdf_request(world=world, amount="800.00")
    second = mdf_request(world=world, amount="600.00", title="Trade show")
    services.mdf_request_approve(request=first, actor=world.users["manager_owner"])
    with pytest.raises(services.MdfError, match=r"Only 200\.00 USD"):
        services.mdf_request_approve(request=second, actor=world.users["manager_owner"])
    second.refresh_from_db()
    assert second.status == MdfStatus.REQUESTED
    # a smaller amount that fits is fine
    services.mdf_request_approve(
        request=second, actor=world.users["manager_owner"], amount=Decimal("200.00")
    )
    assert balances(first.allocation)[1] == Decimal("1000.00")


def test_the_database_refuses_committing_more_than_the_allocation(world):
    alloc = allocation(partner=world.partner_a, actor=world.users["manager_owner"], amount="100")
    with pytest.raises(IntegrityError), transaction.atomic():
        MdfAllocation.objects.filter(pk=alloc.pk).update(committed=F("committed") + 101)
    with pytest.raises(IntegrityError), transaction.atomic():
        MdfAllocation.objects.filter(pk=alloc.pk).update(paid=1)


def test_a_rejected_claim_gives_the_approved_funds_back(world):
    request = mdf_request(world=world, amount="700.00", claim=True)
    services.mdf_claim_reject(
        request=request, actor=world.users["manager_owner"], reason="No proof"
    )
    assert balances(request.allocation)[1:] == (0, 0)
    request.refresh_from_db()
    assert request.status == MdfStatus.CLAIM_REJECTED
    assert Event.objects.filter(kind="mdf.claim_rejected").count() == 1


def test_a_claim_cannot_exceed_the_approved_amount_or_come_without_valid_proof(world):
    request = mdf_request(world=world, amount="500.00", approve=True)
    admin = world.users["partner_a_admin"]
    with pytest.raises(services.MdfError, match=r"cannot be more than the approved 500\.00"):
        services.mdf_claim_submit(
            request=request, actor=admin, amount=Decimal("500.01"), proof=proof_pdf()
        )
    with pytest.raises(services.MdfError, match="not accepted"):
        services.mdf_claim_submit(
            request=request, actor=admin, amount=Decimal("1"), proof=proof_pdf("x.html", b"<html>")
        )
    with pytest.raises(services.MdfError, match="does not match"):
        services.mdf_claim_submit(
            request=request, actor=admin, amount=Decimal("1"), proof=proof_pdf("x.pdf", b"MZ\x90")
        )
    request.refresh_from_db()
    assert request.status == MdfStatus.APPROVED and not request.proof


def test_a_proof_over_the_size_limit_is_refused(world, settings):
    settings.PRM_MDF_MAX_UPLOAD_MB = 0
    request = mdf_request(world=world, amount="500.00", approve=True)
    with pytest.raises(services.MdfError, match="the limit is"):
        services.mdf_claim_submit(
            request=request,
            actor=world.users["partner_a_admin"],
            amount=Decimal("10"),
            proof=proof_pdf(),
        )


def test_a_proof_within_the_mdf_limit_is_accepted_even_above_the_enablement_limit(world, settings):
    """The MDF limit is the proof's limit: it used to be checked against the enablement limit too."""
    settings.PRM_ENABLEMENT_MAX_UPLOAD_MB = 1
    settings.PRM_MDF_MAX_UPLOAD_MB = 2
    request = mdf_request(world=world, amount="500.00", approve=True)
    proof = proof_pdf(content=b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 512) + b"\n%%EOF\n")
    request = services.mdf_claim_submit(
        request=request, actor=world.users["partner_a_admin"], amount=Decimal("10"), proof=proof
    )
    assert request.status == MdfStatus.CLAIMED


def test_only_eligible_partner_admins_request_and_only_owner_or_vendor_admin_decide(world):
    with pytest.raises(services.MdfError, match="no marketing funds allocation"):
        services.mdf_request_create(
            partner=world.partner_a, actor=world.users["partner_a_admin"], activity=activity()
        )
    allocation(partner=world.partner_a, actor=world.users["manager_owner"])
    with pytest.raises(services.MdfError, match="admins"):
        services.mdf_request_create(
            partner=world.partner_a, actor=world.users["partner_a_user"], activity=activity()
        )
    with pytest.raises(services.MdfError, match="admins"):
        services.mdf_request_create(
            partner=world.partner_a, actor=world.users["partner_b_admin"], activity=activity()
        )
    request = mdf_request(world=world)
    with pytest.raises(services.MdfError, match="channel manager"):
        services.mdf_request_approve(request=request, actor=world.users["manager_other"])
    with pytest.raises(services.MdfError, match="channel manager"):
        services.mdf_allocation_create(
            partner=world.partner_a,
            actor=world.users["manager_other"],
            period="X",
            starts_on=request.allocation.starts_on,
            ends_on=request.allocation.ends_on,
            amount=Decimal(1),
        )
    services.mdf_request_approve(request=request, actor=world.users["vendor_admin"])


def test_a_decided_request_cannot_be_decided_again(world):
    request = mdf_request(world=world, approve=True)
    with pytest.raises(services.MdfError, match="cannot become rejected"):
        services.mdf_request_reject(request=request, actor=world.users["manager_owner"], reason="x")
    with pytest.raises(services.MdfError, match="cannot become approved"):
        services.mdf_request_approve(request=request, actor=world.users["manager_owner"])
    assert Event.objects.filter(kind="mdf.approved").count() == 1


def test_an_allocation_cannot_shrink_below_what_is_approved(world):
    request = mdf_request(world=world, amount="3000.00", approve=True)
    with pytest.raises(services.MdfError, match="less than what is already approved"):
        services.mdf_allocation_set_amount(
            allocation=request.allocation, actor=world.users["manager_owner"], amount=Decimal(2999)
        )
    alloc = services.mdf_allocation_set_amount(
        allocation=request.allocation, actor=world.users["manager_owner"], amount=Decimal(3000)
    )
    assert alloc.remaining == 0


def test_a_rejection_needs_a_reason(world):
    request = mdf_request(world=world)
    with pytest.raises(services.MdfError, match="reason"):
        services.mdf_request_reject(request=request, actor=world.users["manager_owner"], reason=" ")


def _typed_benefits():
    try:
        from partners.choices import BenefitKind
    except ImportError:
        pytest.skip("tier benefits are not typed in this tree (issue 9 items 1-3)")
    return BenefitKind


def test_the_tier_decides_eligibility_and_the_default_quarterly_allocation(world):
    _typed_benefits()
    from incentives.tests.factories import grant_mdf
    from partners.tests.factories import TierFactory

    gold = TierFactory(program=world.partner_a.program, rank=3, name="Gold")
    grant_mdf(gold, amount=Decimal("50000"), period="year")
    world.partner_a.tier = gold
    world.partner_a.save(update_fields=["tier"])
    alloc = services.mdf_allocation_create(
        partner=world.partner_a,
        actor=world.users["manager_owner"],
        period="Q",
        starts_on=activity().starts_on,
        ends_on=activity().ends_on,
        amount=None,
    )
    assert (alloc.amount, alloc.currency) == (Decimal("12500.00"), alloc.currency)
    # partner B's tier (Registered) grants no funds: no allocation, no request
    with pytest.raises(services.MdfError, match="does not include marketing funds"):
        services.mdf_allocation_create(
            partner=world.partner_b,
            actor=world.users["manager_other"],
            period="Q",
            starts_on=alloc.starts_on,
            ends_on=alloc.ends_on,
            amount=Decimal(100),
        )


def _setup_changes(alloc):
    from audit.choices import AuditAction
    from audit.models import AuditEntry

    return list(
        AuditEntry.objects.filter(
            action=AuditAction.SETUP_CHANGE, target_type="mdfallocation", target_id=str(alloc.pk)
        ).order_by("id")
    )


def test_an_allocation_and_its_new_amount_are_audited_with_before_and_after(world):
    from incentives.tests.factories import allocation

    manager = world.users["manager_owner"]
    alloc = allocation(partner=world.partner_a, actor=manager, amount="10000.00", period="2026-Q4")
    services.mdf_allocation_set_amount(allocation=alloc, actor=manager, amount=Decimal("12000"))
    added, changed = _setup_changes(alloc)
    assert added.actor == manager and added.details["flag"] == "added"
    assert added.details["after"] | {"starts_on": None, "ends_on": None} == {
        "partner": world.partner_a.name, "period": "2026-Q4", "amount": "10000",
        "currency": "USD", "starts_on": None, "ends_on": None,
    }  # fmt: skip
    assert added.details["summary"] == (
        f"Marketing funds of 10000.00 USD allocated to {world.partner_a.name} for 2026-Q4"
    )
    assert (changed.details["before"], changed.details["after"]) == (
        {"amount": "10000"}, {"amount": "12000"},
    )  # fmt: skip


def test_a_refused_allocation_change_leaves_no_audit_entry(world):
    request = mdf_request(world=world, amount="3000.00", approve=True)
    with pytest.raises(services.MdfError):
        services.mdf_allocation_set_amount(
            allocation=request.allocation, actor=world.users["manager_owner"], amount=Decimal(1)
        )
    assert [e.details["flag"] for e in _setup_changes(request.allocation)] == ["added"]
