"""Security headers on every response: a Content-Security-Policy, framing, sniffing, referrer.

Scripts run only from our own origin or with the per-response nonce (templates write
``<script nonce="{{ csp_nonce() }}">``); no inline script otherwise. Styles allow inline
because several templates and matplotlib's inline SVG charts carry ``style`` attributes,
which cannot run code. Folium map documents load Leaflet and the rest from our own
``/static/vendor`` and their inline scripts carry the nonce (webapp.map_assets), so the
endpoints that serve or embed them (``MAP_ENDPOINTS``, ``MAP_BLUEPRINTS``) differ only in
allowing images from the tile server (setting ``map_tiles_url``).
"""

from __future__ import annotations

import secrets

from flask import current_app, g, request

from models.map_assets import tile_source

MAP_ENDPOINTS = frozenset({"elevators.ranking_map"})
MAP_BLUEPRINTS = frozenset({"siting"})

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


def policy_for(endpoint: str | None, blueprint: str | None,
               tiles_url: str | None = None) -> str:
    """Return the Content-Security-Policy header value for one endpoint.

    ``tiles_url`` is the maps' tile URL template; map endpoints may load images from it.
    """
    policy = {k: list(v) for k, v in BASE_POLICY.items()}
    policy["script-src"] = ["'self'", f"'nonce-{csp_nonce()}'"]
    source = tile_source(tiles_url)
    if source and (endpoint in MAP_ENDPOINTS or blueprint in MAP_BLUEPRINTS):
        # A srcdoc map frame inherits this policy, so the embedding page needs it too.
        policy["img-src"].append(source)
    return "; ".join(f"{k} {' '.join(v)}" for k, v in policy.items())


def add_security_headers(response):
    """After every request: set the CSP and the other security headers (not overwriting)."""
    headers = response.headers
    settings = current_app.config.get("MINQING_SETTINGS")
    tiles_url = settings.map_tiles_url if settings is not None else None
    headers.setdefault("Content-Security-Policy",
                       policy_for(request.endpoint, request.blueprint, tiles_url))
    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.endpoint not in (None, "static") and request.blueprint not in ("hsds_api",):
        # Pages can hold personal data: never keep them in a shared cache.
        headers.setdefault("Cache-Control", "no-store")
    return response
