"""allauth's OpenID Connect provider with the id token always checked (issue 23).

allauth skips the id token's signature check when the token came straight from the token
endpoint (OpenID Connect Core 3.1.3.7 allows it over TLS) and sends no nonce. PRM checks both:
the signature against the issuer's published keys (RS256 and friends, never "none"), issuer,
audience, expiry, and a fresh nonce per sign-in bound to the state. The class replaces the stock
one through ``SOCIALACCOUNT_PROVIDERS["openid_connect"]["provider_class"]``, so the provider id,
URLs and ``SocialApp`` records stay allauth's ``openid_connect``.
"""
