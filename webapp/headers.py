"""Security headers on every response: a Content-Security-Policy, framing, sniffing, referrer.

Scripts run only from our own origin or with the per-response nonce (templates write
``<script nonce="{{ csp_nonce() }}">``); no inline script otherwise. Styles allow inline
because several templates and matplotlib's inline SVG charts carry ``style`` attributes,
which cannot run code. Folium map documents are the exception: they are whole HTML pages of
inline scripts loading Leaflet from CDNs, so the endpoints that serve or embed them
(``MAP_ENDPOINTS``, ``MAP_BLUEPRINTS``) get a map policy allowing exactly those hosts.
"""

from __future__ import annotations

import secrets

from flask import g, request

# Hosts folium's default template loads Leaflet, jQuery, Bootstrap and tiles from.
MAP_HOSTS = ("https://cdn.jsdelivr.net", "https://cdnjs.cloudflare.com",
             "https://code.jquery.com", "https://netdna.bootstrapcdn.com")
TILE_HOSTS = ("https://tile.openstreetmap.org", "https://*.tile.openstreetmap.org")
MAP_ENDPOINTS = frozenset({"elevators.ranking_map"})
MAP_BLUEPRINTS = frozenset({"siting", "dashboard"})

BASE_POLICY = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'self'"],
}


def csp_nonce() -> str:
    """Return this response's script nonce (made on first use)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def policy_for(endpoint: str | None, blueprint: str | None) -> str:
    """Return the Content-Security-Policy header value for one endpoint."""
    policy = {k: list(v) for k, v in BASE_POLICY.items()}
    if endpoint in MAP_ENDPOINTS or blueprint in MAP_BLUEPRINTS:
        policy["script-src"] = ["'self'", "'unsafe-inline'", *MAP_HOSTS]
        policy["style-src"] += MAP_HOSTS
        policy["font-src"] = ["'self'", "data:", *MAP_HOSTS]
        policy["img-src"] += [*TILE_HOSTS, *MAP_HOSTS]
        # A srcdoc map frame inherits this policy, so the embedding page needs it too.
    else:
        policy["script-src"] = ["'self'", f"'nonce-{csp_nonce()}'"]
    return "; ".join(f"{k} {' '.join(v)}" for k, v in policy.items())


def add_security_headers(response):
    """After every request: set the CSP and the other security headers (not overwriting)."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", policy_for(request.endpoint, request.blueprint))
    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.endpoint not in (None, "static") and request.blueprint not in ("hsds_api",):
        # Pages can hold personal data: never keep them in a shared cache.
        headers.setdefault("Cache-Control", "no-store")
    return response
