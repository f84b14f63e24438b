"""A real SAML 2.0 identity provider for the tests, in the test process: pysaml2's ``Server``
(an independent implementation from the python3-saml PRM verifies with), signing with the
``xmlsec1`` program (``apt-get install xmlsec1``; .ci/run installs it).

It reads PRM's SP metadata from PRM's own metadata route, parses the AuthnRequest PRM sent the
browser with (HTTP-Redirect), and issues a response to it, signed with its RSA key (SHA-256),
or, for the refusal cases, signed with a key PRM was not given, addressed to another audience,
issued an hour ago, or with the assertion unsigned. The IdP's URLs are never fetched: the SAML
Web Browser SSO profile carries everything through the browser.
"""

from __future__ import annotations

import base64
import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_REDIRECT, saml
from saml2.config import IdPConfig
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

ENTITY_ID = "https://idp.acme.example/saml"
SSO_URL = "https://idp.acme.example/saml/sso"
SLO_URL = "https://idp.acme.example/saml/slo"
PASSWORD_CONTEXT = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
MFA_CONTEXT = "http://schemas.microsoft.com/claims/multipleauthn"
OTHER_AUDIENCE = "https://other-service.example/saml/metadata"


def xmlsec_binary() -> str | None:
    return shutil.which("xmlsec1")


@dataclass(frozen=True)
class KeyPair:
    key_pem: bytes
    cert_pem: bytes

    @property
    def cert_text(self) -> str:
        return self.cert_pem.decode()


def key_pair(common_name: str = "idp.acme.example") -> KeyPair:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return KeyPair(
        key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        ),
        cert_pem=cert.public_bytes(serialization.Encoding.PEM),
    )


def metadata_xml(keys: KeyPair, *, slo: bool = True) -> str:
    """The IdP's own metadata, as an admin would paste it into PRM's setup page."""
    cert = "".join(keys.cert_text.strip().splitlines()[1:-1])
    slo_xml = (
        f'<md:SingleLogoutService Binding="{BINDING_HTTP_REDIRECT}" Location="{SLO_URL}"/>'
        if slo
        else ""
    )
    return (
        '<?xml version="1.0"?>'
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        f'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{ENTITY_ID}">'
        '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>'
        f"{cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        f"{slo_xml}"
        f"<md:NameIDFormat>{NAMEID_FORMAT_EMAILADDRESS}</md:NameIDFormat>"
        f'<md:SingleSignOnService Binding="{BINDING_HTTP_REDIRECT}" Location="{SSO_URL}"/>'
        "</md:IDPSSODescriptor></md:EntityDescriptor>"
    )


class TestIdP:
    """pysaml2's IdP signing with ``keys``, trusting PRM's SP metadata (and, for the audience
    case, the same SP under another entity id)."""

    __test__ = False  # not a test class

    def __init__(self, *, keys: KeyPair, sp_metadata: str):
        self._dir = Path(tempfile.mkdtemp(prefix="prm-saml-idp-"))
        (self._dir / "idp.key").write_bytes(keys.key_pem)
        (self._dir / "idp.crt").write_bytes(keys.cert_pem)
        other_sp = _other_audience(sp_metadata)
        config = IdPConfig()
        config.load(
            {
                "entityid": ENTITY_ID,
                "xmlsec_binary": xmlsec_binary(),
                "key_file": str(self._dir / "idp.key"),
                "cert_file": str(self._dir / "idp.crt"),
                "metadata": {"inline": [sp_metadata, other_sp]},
                "allow_unknown_attributes": True,
                "service": {
                    "idp": {
                        "endpoints": {
                            "single_sign_on_service": [(SSO_URL, BINDING_HTTP_REDIRECT)],
                            "single_logout_service": [(SLO_URL, BINDING_HTTP_REDIRECT)],
                        },
                        "policy": {"default": {"lifetime": {"minutes": 5}}},
                        "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                        "want_authn_requests_signed": False,
                    }
                },
            }
        )
        self.server = Server(config=config)

    def close(self) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)

    def read_request(self, redirect_url: str):
        """The AuthnRequest PRM sent the browser to the IdP with (HTTP-Redirect binding)."""
        parts = urlsplit(redirect_url)
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == SSO_URL, redirect_url
        query = parse_qs(parts.query)
        request = self.server.parse_authn_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT)
        return request.message, (query.get("RelayState") or [""])[0]

    def response(
        self,
        authn_request,
        *,
        email: str,
        first_name: str = "",
        last_name: str = "",
        audience: str | None = None,
        sign_assertion: bool = True,
        sign_response: bool = False,
        authn_context: str = PASSWORD_CONTEXT,
    ) -> str:
        """A response to ``authn_request``, base64 as the browser posts it to PRM's ACS."""
        identity = {"mail": [email]}
        if first_name:
            identity["givenName"] = [first_name]
        if last_name:
            identity["sn"] = [last_name]
        sp_entity_id = audience or authn_request.issuer.text
        xml = self.server.create_authn_response(
            identity,
            in_response_to=authn_request.id,
            destination=authn_request.assertion_consumer_service_url,
            sp_entity_id=sp_entity_id,
            name_id=saml.NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=email),
            authn={"class_ref": authn_context, "authn_auth": ENTITY_ID},
            sign_assertion=sign_assertion,
            sign_response=sign_response,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
        return base64.b64encode(str(xml).encode()).decode()

    def read_logout_request(self, redirect_url: str):
        parts = urlsplit(redirect_url)
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == SLO_URL, redirect_url
        query = parse_qs(parts.query)
        return self.server.parse_logout_request(
            query["SAMLRequest"][0], BINDING_HTTP_REDIRECT
        ).message


def _other_audience(sp_metadata: str) -> str:
    """PRM's SP metadata under another entity id: a service the IdP also knows, whose
    assertions must not open PRM."""
    import re

    return re.sub(r'entityID="[^"]+"', f'entityID="{OTHER_AUDIENCE}"', sp_metadata, count=1)


# A fixed IdP metadata document for the setup page's tests (a fresh key pair, signing only).
IDP_METADATA_FOR_SETUP = metadata_xml(key_pair())
