import pytest

from deals.matching import names_match, normalize_company_name, normalize_domain
from kernel.exports import safe_cell


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("ACME Corp., Inc.", "acme"),
        ("Müller & Söhne GmbH", "muller and sohne"),
        ("The Globex Corporation", "globex"),
        ("Initech L.L.C.", "initech"),
        ("Limited", "limited"),  # a name that is only a legal word stays a name
    ],
)
def test_company_names_lose_case_accents_punctuation_and_legal_suffixes(raw, normalized):
    assert normalize_company_name(raw) == normalized


@pytest.mark.parametrize(
    ("a", "b", "match"),
    [
        ("Globex Industries Ltd", "GLOBEX INDUSTRIE", True),
        ("Initech GmbH", "Initech, Inc.", True),
        ("Acme Tools", "Apex Tools", False),
        ("Acme", "Acme Tools International", False),
    ],
)
def test_close_names_match_and_different_ones_do_not(a, b, match):
    assert names_match(normalize_company_name(a), normalize_company_name(b)) is match


def test_domains_are_normalized_like_partner_domains():
    assert normalize_domain("https://WWW.Example.com:443/path") == "example.com"


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+2", "'=1+2"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2", "'-2"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("Plain", "Plain"),
        (None, ""),
        (12, "12"),
    ],
)
def test_csv_cells_that_start_like_formulas_are_quoted(value, safe):
    assert safe_cell(value) == safe


def test_the_fast_scan_finds_exactly_what_pairwise_matching_finds():
    import random

    from deals.matching import length_window, name_similarity, similar_names

    rng = random.Random(7)
    words = ["acme", "globex", "initech", "umbrella", "stark", "wayne", "hooli", "and", "sons"]
    names = [
        normalize_company_name(" ".join(rng.choice(words) for _ in range(rng.randint(1, 3))))
        for _ in range(400)
    ]
    target = "globex initech"
    shortest, longest = length_window(target)
    in_window = [(i, n) for i, n in enumerate(names) if shortest <= len(n) <= longest]
    fast = similar_names(target, in_window)
    slow = {i: name_similarity(target, n) for i, n in enumerate(names) if names_match(target, n)}
    assert fast.keys() == slow.keys() and fast
    assert all(abs(fast[i] - slow[i]) < 1e-9 for i in fast)
