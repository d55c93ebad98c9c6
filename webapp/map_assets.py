"""The web app's folium maps: vendored assets under /static/vendor, tiles from settings, nonces.

Folium writes its map as inline scripts. Rather than allow every inline script on the map
pages, each ``<script>`` of a map document we built gets this response's CSP nonce, so the map
pages keep the same ``script-src 'self' 'nonce-…'`` as every other page (webapp.headers).
"""

from __future__ import annotations

import re

from flask import current_app, url_for

from webapp.headers import csp_nonce

_SCRIPT_TAG = re.compile(r"<script\b(?![^>]*\bnonce=)")


def map_options() -> dict:
    """Keyword arguments for the map builders: tiles from settings, assets from our static."""
    settings = current_app.config["MINQING_SETTINGS"]
    return {"tiles": settings.map_tiles_url,
            "tiles_attribution": settings.map_tiles_attribution or None,
            "assets_url": url_for("static", filename="vendor")}


def with_nonce(document: str) -> str:
    """Give every ``<script>`` tag of a map document we rendered this response's nonce.

    Only for folium output built here: everything user-supplied in it is escaped, so every
    script tag in it is ours.
    """
    return _SCRIPT_TAG.sub(f'<script nonce="{csp_nonce()}"', document)
