"""The maps' vendored Leaflet & co.: equal to the pinned npm builds, licensed, complete, local."""

import re
from pathlib import Path

import pytest

from models import map_assets
from models.map_assets import (FILES, LICENCE_FILES, NODE_MODULES, VENDOR_DIR, tile_options,
                               tile_source, use_local_assets)

BUILDING = {"lat": 31.2745, "lon": 121.4465, "rank": 1, "address": "Linfen Rd 1",
            "building_id": "B01", "probability": 0.6,
            "reasons": [{"feature": "seniors_share", "value": 0.4, "contribution": 0.3}]}
LINK = re.compile(r'<script[^>]*\ssrc="([^"]+)"|<link[^>]*\shref="([^"]+)"')


def _links(document: str) -> list[str]:
    return [a or b for a, b in LINK.findall(document)]


@pytest.mark.parametrize("package,source,target", FILES, ids=[t for _, _, t in FILES])
def test_vendored_file_is_the_pinned_npm_build(package, source, target):
    vendored = VENDOR_DIR / target
    assert vendored.is_file(), f"{vendored} missing: run python -m models.map_assets"
    installed = NODE_MODULES / package / source
    if not installed.is_file():
        pytest.skip(f"node_modules/{package} is not installed (npm ci)")
    assert vendored.read_bytes() == installed.read_bytes()


def test_npm_pins_are_the_versions_folium_names():
    """package.json pins what folium's own CDN links name, so the map code meets its version."""
    import json

    import folium

    pins = json.loads((map_assets.ROOT / "package.json").read_text())["dependencies"]
    cdn = " ".join(url for _, url in folium.Map.default_js + folium.Map.default_css)
    for package in ("leaflet", "jquery", "bootstrap", "@fortawesome/fontawesome-free"):
        assert f"{package}@{pins[package]}" in cdn or f"{package}-{pins[package]}" in cdn
    assert f"awesome-markers/{pins['drmonty-leaflet-awesome-markers']}/" in cdn


def test_every_vendored_package_carries_its_licence():
    for licence in LICENCE_FILES:
        text = (VENDOR_DIR / licence).read_text()
        assert "Permission is hereby granted" in text or "Redistribution and use" in text, licence


def test_css_references_resolve_inside_the_vendored_copy():
    """Every image and font the vendored CSS asks for is there (.ttf fallbacks aside)."""
    for css in VENDOR_DIR.glob("*/**/*.css"):
        for ref in re.findall(r"url\(['\"]?([^'\")]+)", css.read_text()):
            if ref.startswith(("#", "data:")) or ref.endswith(".ttf"):
                continue
            assert (css.parent / ref).resolve().is_file(), f"{css.name} needs {ref}"


def test_elevator_map_loads_only_vendored_assets():
    from models.elevators.map import ranking_map

    document = ranking_map([BUILDING])
    links = _links(document)
    assert len(links) == len(map_assets.JS) + len(map_assets.CSS)
    for url in links:
        assert url.startswith("/static/vendor/"), url
        assert (VENDOR_DIR / url.removeprefix("/static/vendor/")).is_file(), url
    assert "cdn" not in document and "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in document


def test_assets_url_and_tiles_are_per_map_not_global():
    import folium

    from models.elevators.map import ranking_map

    before = list(folium.Map.default_js)
    document = ranking_map([BUILDING], tiles="https://{s}.tiles.example.org/{z}/{x}/{y}.png",
                           assets_url="/mq/static/vendor/")
    assert folium.Map.default_js == before  # folium's class lists are untouched
    assert all(url.startswith("/mq/static/vendor/") for url in _links(document))
    assert "tiles.example.org" in document and "Tiles: {s}.tiles.example.org" in document
    assert "cdn.jsdelivr.net" in folium.Map().get_root().render()  # a plain map: folium's own


def test_no_tiles_means_no_tile_layer():
    import folium

    fmap = use_local_assets(folium.Map(location=(31.27, 121.44), **tile_options("")))
    assert "tileLayer" not in fmap.get_root().render()


def test_tile_source_for_the_csp():
    assert tile_source(map_assets.OSM_TILES_URL) == "https://tile.openstreetmap.org"
    assert tile_source("https://{s}.tile.example.org/{z}/{x}/{y}.png") == \
        "https://*.tile.example.org"
    assert tile_source("") is None and tile_source("/tiles/{z}/{x}/{y}.png") is None


def test_copy_assets_writes_the_vendored_folders(tmp_path):
    dest = map_assets.copy_assets(tmp_path / "assets")
    for _, _, target in FILES:
        assert (dest / target).read_bytes() == (VENDOR_DIR / target).read_bytes()
    map_assets.copy_assets(dest)  # again: the same files, no error
    assert sorted(p.name for p in dest.iterdir()) == sorted(map_assets.VENDORED_DIRS)


def test_refresh_names_the_missing_package(tmp_path):
    with pytest.raises(FileNotFoundError, match="npm ci"):
        map_assets.refresh_from_node_modules(Path(tmp_path))
