"""The routing decision as a table: for each lead, partners and rules, the partner chosen and the
why (the rule and the values that decided it)."""

import pytest

from leads.routing import (
    BEST_MATCH,
    FIRST_COME,
    ROUND_ROBIN,
    LeadFacts,
    PartnerFacts,
    RuleFacts,
    route,
)

P = 1  # program
OTHER_P = 2
LEAD = LeadFacts(program_id=P, region="emea", country="DE", offering_ids=frozenset({7}))


def partner(pid, **kw) -> PartnerFacts:
    values = {
        "id": pid, "name": f"P{pid}", "program_id": P, "region": "emea", "type_id": 1,
        "type_name": "Reseller", "tier_id": 10, "tier_name": "Silver", "tier_rank": 2,
    }  # fmt: skip
    return PartnerFacts(**(values | kw))


def rule(rid, **kw) -> RuleFacts:
    return RuleFacts(**({"id": rid, "name": f"R{rid}", "program_id": P} | kw))


CASES = [
    # (id, lead, partners, rules, exclude, expected partner id, expected rule id)
    ("no rules: nobody", LEAD, [partner(1)], [], (), None, None),
    ("catch-all rule, one partner", LEAD, [partner(1)], [rule(1)], (), 1, 1),
    ("other program's partner is never a candidate", LEAD,
     [partner(1, program_id=OTHER_P)], [rule(1)], (), None, None),
    ("same region: an APAC partner is left out", LEAD,
     [partner(1, region="apac"), partner(2)], [rule(1)], (), 2, 1),
    ("same region off: APAC partner may win on tier", LEAD,
     [partner(1, region="apac", tier_rank=3), partner(2)], [rule(1, same_region=False)], (), 1, 1),
    ("region criterion not met: next rule", LEAD,
     [partner(1)], [rule(1, regions=frozenset({"na"})), rule(2, position=20)], (), 1, 2),
    ("country criterion", LEAD,
     [partner(1)], [rule(1, countries=frozenset({"FR"})), rule(2, countries=frozenset({"DE"}))],
     (), 1, 2),
    ("offering criterion", LEAD,
     [partner(1)], [rule(1, offering_ids=frozenset({8})), rule(2, offering_ids=frozenset({7, 8}))],
     (), 1, 2),
    ("partner type", LEAD,
     [partner(1, type_id=1), partner(2, type_id=2)], [rule(1, type_ids=frozenset({2}))], (), 2, 1),
    ("tier", LEAD,
     [partner(1, tier_id=10), partner(2, tier_id=11, tier_rank=1)],
     [rule(1, tier_ids=frozenset({11}))], (), 2, 1),
    ("certification held", LEAD,
     [partner(1, tier_rank=3), partner(2, certification_ids=frozenset({5}))],
     [rule(1, certification_id=5, certification_name="Cloud")], (), 2, 1),
    ("capacity full: the other partner", LEAD,
     [partner(1, tier_rank=3, open_leads=2), partner(2, open_leads=1)],
     [rule(1, max_open_leads=2)], (), 2, 1),
    ("everyone full: nobody", LEAD,
     [partner(1, open_leads=2)], [rule(1, max_open_leads=2)], (), None, None),
    ("best match: highest tier", LEAD,
     [partner(1, tier_rank=1), partner(2, tier_rank=3), partner(3, tier_rank=2)], [rule(1)], (),
     2, 1),
    ("best match tie: fewest open leads", LEAD,
     [partner(1, open_leads=3), partner(2, open_leads=1)], [rule(1)], (), 2, 1),
    ("best match full tie: lowest id", LEAD, [partner(2), partner(1)], [rule(1)], (), 1, 1),
    ("excluded (declined before): the next best", LEAD,
     [partner(1, tier_rank=3), partner(2)], [rule(1)], (1,), 2, 1),
    ("rule order by position, not id", LEAD,
     [partner(1, type_id=1), partner(2, type_id=2)],
     [rule(1, position=20, type_ids=frozenset({1})), rule(2, position=5, type_ids=frozenset({2}))],
     (), 2, 2),
    ("round-robin: fewest offers per weight", LEAD,
     [partner(1, tier_rank=1, offers_by_rule={1: 1}), partner(2, tier_rank=3, offers_by_rule={1: 2})],
     [rule(1, strategy=ROUND_ROBIN)], (), 2, 1),  # 2/1 vs 3/3
    ("round-robin: weight 3 partner has had its share", LEAD,
     [partner(1, tier_rank=1, offers_by_rule={1: 1}), partner(2, tier_rank=3, offers_by_rule={1: 6})],
     [rule(1, strategy=ROUND_ROBIN)], (), 1, 1),  # 2/1 vs 7/3
    ("acceptance minimum: a partner under it is left out", LEAD,
     [partner(1, tier_rank=3, answered_offers=10, accepted_offers=4),
      partner(2, answered_offers=10, accepted_offers=5)],
     [rule(1, min_acceptance_rate=50)], (), 2, 1),  # 40% < 50% <= 50%
    ("acceptance minimum: fewer than 3 answered offers pass", LEAD,
     [partner(1, tier_rank=3, answered_offers=2, accepted_offers=0),
      partner(2, answered_offers=10, accepted_offers=9)],
     [rule(1, min_acceptance_rate=50)], (), 1, 1),
    ("acceptance minimum: nobody meets it, the next rule", LEAD,
     [partner(1, answered_offers=3, accepted_offers=1)],
     [rule(1, min_acceptance_rate=50), rule(2, position=20)], (), 1, 2),
    ("adoption minimum: a partner under it is left out", LEAD,
     [partner(1, tier_rank=3, adoption_score=59.9), partner(2, adoption_score=60.0)],
     [rule(1, min_adoption_score=60)], (), 2, 1),
    ("adoption minimum: a partner without a score scores 0", LEAD,
     [partner(1, tier_rank=3), partner(2, adoption_score=10.0)],
     [rule(1, min_adoption_score=1)], (), 2, 1),
    ("adoption minimum 0: everyone passes", LEAD,
     [partner(1, tier_rank=3), partner(2, adoption_score=90.0)],
     [rule(1, min_adoption_score=0)], (), 1, 1),
    ("best match tie on tier: the higher acceptance rate before fewer open leads", LEAD,
     [partner(1, open_leads=0, answered_offers=4, accepted_offers=2),
      partner(2, open_leads=5, answered_offers=4, accepted_offers=3)], [rule(1)], (), 2, 1),
    ("best match: tier rank before acceptance rate", LEAD,
     [partner(1, tier_rank=3, answered_offers=4, accepted_offers=1),
      partner(2, answered_offers=4, accepted_offers=4)], [rule(1)], (), 1, 1),
    ("best match: under 3 answered offers ranks as 0", LEAD,
     [partner(1, answered_offers=2, accepted_offers=2),
      partner(2, open_leads=5, answered_offers=3, accepted_offers=1)], [rule(1)], (), 2, 1),
    ("round-robin: counts of another rule do not matter", LEAD,
     [partner(1, offers_by_rule={9: 50}), partner(2, offers_by_rule={1: 1})],
     [rule(1, strategy=ROUND_ROBIN)], (), 1, 1),
]  # fmt: skip


@pytest.mark.parametrize(
    ("lead", "partners", "rules", "exclude", "partner_id", "rule_id"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_routing_table(lead, partners, rules, exclude, partner_id, rule_id):
    choice = route(lead, partners, rules, exclude=exclude)
    if partner_id is None:
        assert choice is None
        return
    assert (choice.partner_id, choice.rule_id) == (partner_id, rule_id)
    assert choice.why["rule"] == rule_id
    assert choice.why["rule_name"] == f"R{rule_id}"


def test_why_names_the_values_that_decided():
    partners = [partner(1, certification_ids=frozenset({5}), open_leads=1)]
    rules = [
        rule(
            3, regions=frozenset({"emea"}), countries=frozenset({"DE"}),
            offering_ids=frozenset({7, 9}), certification_id=5, certification_name="Cloud",
            max_open_leads=4,
        )
    ]  # fmt: skip
    why = route(LEAD, partners, rules).why
    assert why == {
        "rule": 3,
        "rule_name": "R3",
        "strategy": BEST_MATCH,
        "lead": {"region": "emea", "country": "DE", "offerings": [7]},
        "partner": {
            "region": "emea", "type": "Reseller", "tier": "Silver", "tier_rank": 2,
            "certification": "Cloud", "open_leads": 1, "capacity": 4,
            "acceptance_rate": None, "answered_offers": 0,
        },
        "candidates": 1,
    }  # fmt: skip


def test_why_names_the_performance_minimums_and_the_values_met():
    partners = [partner(1, answered_offers=8, accepted_offers=6, adoption_score=72.5)]
    rules = [rule(4, min_acceptance_rate=70, min_adoption_score=70)]
    values = route(LEAD, partners, rules).why["partner"]
    assert {k: values[k] for k in (
        "acceptance_rate", "answered_offers", "min_acceptance_rate", "adoption_score",
        "min_adoption_score",
    )} == {
        "acceptance_rate": 75.0, "answered_offers": 8, "min_acceptance_rate": 70,
        "adoption_score": 72.5, "min_adoption_score": 70,
    }  # fmt: skip


def test_round_robin_shares_by_weight_over_many_leads():
    """Feeding each choice back as an offer: a rank-3 partner gets three leads for a rank-1's one."""
    counts = {1: 0, 2: 0}
    rules = [rule(1, strategy=ROUND_ROBIN)]
    for _ in range(40):
        partners = [
            partner(1, tier_rank=1, offers_by_rule={1: counts[1]}),
            partner(2, tier_rank=3, offers_by_rule={1: counts[2]}),
        ]
        counts[route(LEAD, partners, rules).partner_id] += 1
    assert counts == {1: 10, 2: 30}


def test_first_come_offers_the_best_matches_at_once():
    partners = [partner(1, tier_rank=1), partner(2, tier_rank=3), partner(3), partner(4)]
    choice = route(LEAD, partners, [rule(1, strategy=FIRST_COME, offer_count=3)])
    assert choice.partner_id == 2  # the best match first
    assert [pid for pid, _why in choice.also] == [3, 4]
    assert all(why["rule"] == 1 and why["strategy"] == FIRST_COME for _pid, why in choice.also)
    # fewer candidates than the count: as many as there are
    choice = route(LEAD, partners[:2], [rule(1, strategy=FIRST_COME, offer_count=5)])
    assert (choice.partner_id, [pid for pid, _ in choice.also]) == (2, [1])
