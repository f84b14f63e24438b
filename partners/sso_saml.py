"""SAML 2.0 identity providers (issue 23): what the setup page's SAML fields become in the allauth
``SocialApp`` (provider ``saml``) and what PRM shows the IdP's admin (its service-provider
metadata). ``partners.sso`` calls ``saml_settings`` from its one write path.

The IdP is given by its entity id, single sign-on URL, optional single logout URL and signing
certificate, typed in or read from the IdP's metadata XML (python3-saml's metadata parser). The
security settings are fixed, not offered: strict mode, assertions must be signed (the whole
response may be signed too), no deprecated algorithms (SHA-1), IdP-initiated sign-in refused (so
every response answers a request of this browser: InResponseTo). See docs/sso.md.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

MAX_METADATA_CHARS = 200_000
MAX_CERT_CHARS = 20_000
ATTRIBUTE_RE = re.compile(r"^[A-Za-z0-9_.:/#@-]{1,200}$")
# What PRM reads when the admin names no attribute: the usual names (allauth's defaults, and
# what Microsoft Entra ID and Okta send out of the box). The NameID is the email when its format
# is emailAddress.
DEFAULT_ATTRIBUTES = {
    "email": [
        "email",
        "urn:oid:0.9.2342.19200300.100.1.3",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
    ],
    "first_name": [
        "firstName",
        "urn:oid:2.5.4.42",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
    ],
    "last_name": [
        "lastName",
        "urn:oid:2.5.4.4",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
    ],
}
# Fixed, not offered to the admin (allauth's "advanced" settings).
SECURITY = {
    "strict": True,
    "want_assertion_signed": True,
    "want_message_signed": False,  # Okta and Entra ID sign the assertion; the response may be too
    "reject_deprecated_algorithm": True,
    "reject_idp_initiated_sso": True,
    "want_attribute_statement": False,  # the email may come as the NameID alone
    "want_name_id": True,
    "authn_request_signed": False,
    "logout_request_signed": False,
}


LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}


def clean_https_url(url, *, field: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    loopback = parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
    if not parts.hostname or (parts.scheme != "https" and not loopback) or len(url) > 1000:
        raise ValidationError({field: _("Give an https:// address (http only for localhost).")})
    if parts.username or parts.password or parts.fragment:
        raise ValidationError({field: _("Give the address without a user name or fragment.")})
    return url


def sp_urls(provider_id: str, app_settings: dict | None = None) -> dict[str, str]:
    """PRM's service-provider values the IdP's admin copies: entity id, ACS and metadata URL."""
    site = settings.SITE_URL.rstrip("/")
    metadata_url = site + reverse("saml_metadata", args=[provider_id])
    entity_id = ((app_settings or {}).get("sp") or {}).get("entity_id") or metadata_url
    return {
        "entity_id": entity_id,
        "acs_url": site + reverse("saml_acs", args=[provider_id]),
        "metadata_url": metadata_url,
        "slo_url": site + reverse("saml_sls", args=[provider_id]),
    }


def clean_certificate(text: str) -> str:
    """The IdP's signing certificate (PEM or bare base64), as python3-saml wants it."""
    from cryptography import x509
    from onelogin.saml2.utils import OneLogin_Saml2_Utils

    text = (text or "").strip()
    if not text:
        raise ValidationError(
            {"saml_certificate": _("Give the IdP's signing certificate or paste its metadata.")}
        )
    if len(text) > MAX_CERT_CHARS:
        raise ValidationError({"saml_certificate": _("This certificate is too long.")})
    pem = OneLogin_Saml2_Utils.format_cert(text)
    try:
        x509.load_pem_x509_certificate(pem.encode())
    except ValueError as exc:
        raise ValidationError(
            {"saml_certificate": _("This is not an X.509 certificate (PEM or base64).")}
        ) from exc
    return OneLogin_Saml2_Utils.format_cert(text, heads=False)


def parse_metadata(xml: str) -> dict:
    """The IdP's entity id, SSO/SLO URLs (HTTP-Redirect binding) and signing certificate from
    its metadata XML (python3-saml's parser, which refuses DTDs and external entities)."""
    from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

    if len(xml) > MAX_METADATA_CHARS:
        raise ValidationError({"saml_metadata_xml": _("This metadata is too long.")})
    try:
        idp = OneLogin_Saml2_IdPMetadataParser.parse(xml).get("idp") or {}
    except Exception as exc:
        raise ValidationError(
            {"saml_metadata_xml": _("This is not SAML IdP metadata XML.")}
        ) from exc
    cert = idp.get("x509cert") or next(
        iter((idp.get("x509certMulti") or {}).get("signing") or []), ""
    )
    found = {
        "saml_entity_id": idp.get("entityId", ""),
        "saml_sso_url": (idp.get("singleSignOnService") or {}).get("url", ""),
        "saml_slo_url": (idp.get("singleLogoutService") or {}).get("url", ""),
        "saml_certificate": cert,
    }
    if not found["saml_entity_id"] or not found["saml_sso_url"]:
        raise ValidationError(
            {
                "saml_metadata_xml": _(
                    "The metadata names no IdP entity id or no single sign-on URL "
                    "(HTTP-Redirect binding)."
                )
            }
        )
    return found


def _attribute(data: dict, key: str) -> list[str]:
    name = (data.get(f"attr_{key}") or "").strip()
    if not name:
        return list(DEFAULT_ATTRIBUTES[key])
    if not ATTRIBUTE_RE.match(name):
        raise ValidationError({f"attr_{key}": _("This is not a SAML attribute name.")})
    return [name]


IDP_FIELDS = ("saml_metadata_xml", "saml_entity_id", "saml_sso_url", "saml_certificate")


def saml_settings(
    data: dict, *, provider_id: str, before: dict | None = None, draft: bool = False
) -> dict:
    """The ``SocialApp.settings`` of a SAML IdP from the setup form's fields (raises
    ValidationError naming the field). The SP entity id is fixed at creation (``before`` keeps
    it), so a later change of SITE_URL does not silently change what the IdP trusts.

    ``draft`` (an inactive IdP): it may be saved without any of the IdP's values, so its admin
    can copy PRM's SP values into the IdP first; nobody signs in through an inactive IdP."""
    values = dict(data)
    sp_entity = ((before or {}).get("sp") or {}).get("entity_id") or sp_urls(provider_id)[
        "entity_id"
    ]
    if draft and not any((data.get(name) or "").strip() for name in IDP_FIELDS):
        return {
            "idp": {"entity_id": "", "sso_url": "", "x509cert": ""},
            "sp": {"entity_id": sp_entity},
            "attribute_mapping": {key: _attribute(data, key) for key in DEFAULT_ATTRIBUTES},
            "advanced": dict(SECURITY),
        }
    xml = (data.get("saml_metadata_xml") or "").strip()
    if xml:
        values.update(parse_metadata(xml))
    entity_id = (values.get("saml_entity_id") or "").strip()
    if not entity_id or len(entity_id) > 1024:
        raise ValidationError(
            {"saml_entity_id": _("Give the IdP's entity id (issuer), or paste its metadata.")}
        )
    sso_url = clean_https_url(values.get("saml_sso_url"), field="saml_sso_url")
    slo_text = (values.get("saml_slo_url") or "").strip()
    slo_url = clean_https_url(slo_text, field="saml_slo_url") if slo_text else ""
    idp = {
        "entity_id": entity_id,
        "sso_url": sso_url,
        "x509cert": clean_certificate(values.get("saml_certificate", "")),
    }
    if slo_url:
        idp["slo_url"] = slo_url
    return {
        "idp": idp,
        "sp": {"entity_id": sp_entity},
        "attribute_mapping": {key: _attribute(data, key) for key in DEFAULT_ATTRIBUTES},
        "advanced": dict(SECURITY),
    }


def saml_form_initial(app_settings: dict) -> dict:
    idp = app_settings.get("idp") or {}
    mapping = app_settings.get("attribute_mapping") or {}

    def one(key):
        names = mapping.get(key) or []
        return names[0] if len(names) == 1 else ""

    return {
        "saml_entity_id": idp.get("entity_id", ""),
        "saml_sso_url": idp.get("sso_url", ""),
        "saml_slo_url": idp.get("slo_url", ""),
        "saml_certificate": idp.get("x509cert", ""),
        "attr_email": one("email"),
        "attr_first_name": one("first_name"),
        "attr_last_name": one("last_name"),
    }


def saml_snapshot(app_settings: dict) -> dict:
    idp = app_settings.get("idp") or {}
    cert = idp.get("x509cert", "")
    return {
        "saml_entity_id": idp.get("entity_id", ""),
        "saml_sso_url": idp.get("sso_url", ""),
        "saml_slo_url": idp.get("slo_url", ""),
        "saml_certificate": f"…{cert[-8:]}" if cert else "",
        "attribute_mapping": app_settings.get("attribute_mapping", {}),
    }
