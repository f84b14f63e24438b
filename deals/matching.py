"""Customer identity for conflict detection: normalized company names and domains.

Pure functions (no database): the selectors use them to find registrations that name the same
customer, the services to store the normalized forms.
"""

import math
import re
import unicodedata
from difflib import SequenceMatcher

from partners.services import normalize_domain

__all__ = [
    "NAME_MATCH_THRESHOLD",
    "is_valid_domain",
    "is_webmail_domain",
    "length_window",
    "name_similarity",
    "names_match",
    "normalize_company_name",
    "normalize_domain",
    "similar_names",
]

# A ratio from difflib.SequenceMatcher on normalized names. 0.88 catches "Globex Industries" vs
# "Globex Industrie" or "Acme Corp." vs "ACME Corporation", not "Acme Tools" vs "Apex Tools".
NAME_MATCH_THRESHOLD = 0.88

# Legal-form words that say nothing about who the customer is. Matched as whole tokens.
LEGAL_SUFFIXES = frozenset(
    [
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "co",
        "company",
        "cos",
        "ltd",
        "limited",
        "llc",
        "llp",
        "lp",
        "plc",
        "pllc",
        "pc",
        "gmbh",
        "mbh",
        "ag",
        "kg",
        "ohg",
        "ug",
        "ev",
        "sa",
        "sas",
        "sarl",
        "sasu",
        "srl",
        "spa",
        "sl",
        "slu",
        "bv",
        "nv",
        "oy",
        "oyj",
        "ab",
        "as",
        "asa",
        "aps",
        "kk",
        "pty",
        "pte",
        "bhd",
        "sdn",
        "kft",
        "zrt",
        "sp",
        "zoo",
        "sro",
        "as",
        "ltda",
        "eireli",
        "se",
        "group",
        "holding",
        "holdings",
    ]
)

_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
_SPACES = re.compile(r"\s+")
_DOMAIN = re.compile(
    r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$"
)

# A customer registered by a mailbox provider's domain would collide with every other customer.
WEBMAIL_DOMAINS = frozenset(
    [
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "ymail.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.de",
        "web.de",
        "mail.com",
        "yandex.com",
        "zoho.com",
        "qq.com",
        "163.com",
    ]
)


def normalize_company_name(name: str) -> str:
    """``"ACME Corp., Inc."`` → ``"acme"``; ``"Müller & Söhne GmbH"`` → ``"muller and sohne"``."""
    value = unicodedata.normalize("NFKD", name or "")
    value = "".join(ch for ch in value if not unicodedata.combining(ch)).lower()
    value = value.replace("&", " and ")
    # "s.a.r.l." and "l.l.c." are legal forms once their dots are gone
    value = re.sub(r"\b(?:[a-z]\.){2,}", lambda m: m.group(0).replace(".", ""), value)
    value = _PUNCT.sub(" ", value)
    tokens = [t for t in _SPACES.split(value) if t]
    while len(tokens) > 1 and tokens[-1] in LEGAL_SUFFIXES:
        tokens.pop()
    if tokens and tokens[0] == "the" and len(tokens) > 1:
        tokens = tokens[1:]
    return " ".join(tokens)[:200]


def name_similarity(a: str, b: str) -> float:
    """Similarity of two already-normalized names, 0.0 to 1.0. Below the threshold the value may
    be difflib's cheap upper bound rather than the exact ratio (it only decides "no match")."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    # quick_ratio is an upper bound: skip the expensive ratio when it cannot reach the threshold
    if matcher.real_quick_ratio() < NAME_MATCH_THRESHOLD:
        return matcher.real_quick_ratio()
    if matcher.quick_ratio() < NAME_MATCH_THRESHOLD:
        return matcher.quick_ratio()
    return matcher.ratio()


def names_match(a: str, b: str) -> bool:
    return name_similarity(a, b) >= NAME_MATCH_THRESHOLD


def length_window(name: str) -> tuple[int, int]:
    """Lengths another name must have to possibly reach the threshold against ``name``:
    difflib's ratio is at most 2*min(len)/(len_a+len_b). Lets a query skip hopeless rows."""
    n, t = len(name), NAME_MATCH_THRESHOLD
    return math.floor(t * n / (2 - t)), math.ceil(n * (2 - t) / t)


def similar_names(target: str, candidates) -> dict:
    """``{key: score}`` for the ``(key, name)`` pairs whose name matches ``target``. One matcher
    holds the target (difflib caches its side), the cheap upper bounds weed out most names."""
    if not target:
        return {}
    matcher = SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(target)
    hits = {}
    for key, name in candidates:
        if not name:
            continue
        if name == target:
            hits[key] = 1.0
            continue
        matcher.set_seq1(name)
        if (
            matcher.real_quick_ratio() >= NAME_MATCH_THRESHOLD
            and matcher.quick_ratio() >= NAME_MATCH_THRESHOLD
        ):
            score = matcher.ratio()
            if score >= NAME_MATCH_THRESHOLD:
                hits[key] = score
    return hits


def is_valid_domain(value: str) -> bool:
    return bool(_DOMAIN.match(value or ""))


def is_webmail_domain(value: str) -> bool:
    return value in WEBMAIL_DOMAINS
