"""The folium maps' browser assets served from our own copy, never from a CDN, and their tiles.

folium's ``Map`` loads Leaflet, jQuery, Bootstrap, Font Awesome and Leaflet.awesome-markers
from public CDNs, which an intranet (and this machine) cannot reach: the map then fails with
"L is not defined". The same versions folium 0.20 names are pinned in ``package.json`` and
copied from ``node_modules`` into ``webapp/static/vendor/<name>/`` with their licences
(``python -m models.map_assets`` refreshes the copy; a test checks it equals the npm one).
``use_local_assets`` points one map *instance* at that copy, so folium stays untouched for
anyone else in the process. Two of folium's defaults are left out on purpose: Bootstrap 3's
glyphicons (our markers use Font Awesome icons, ``prefix="fa"``) and folium's icon-rotation
CSS (no marker is rotated). Font Awesome's ``.ttf`` fallbacks are left out too: every browser
we support reads the ``.woff2`` files the CSS lists first.

Only the map tiles still come from a tile server (``map_tiles_url``); offline they are grey
squares, which is not an error.
"""

from __future__ import annotations

import shutil
import sys
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
VENDOR_DIR = ROOT / "webapp" / "static" / "vendor"
NODE_MODULES = ROOT / "node_modules"
STATIC_URL = "/static/vendor"
# The folder written beside a standalone map (``minqing sites map --out F.html``).
STANDALONE_DIR = "minqing-map-assets"

OSM_TILES_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = ('&copy; <a href="https://www.openstreetmap.org/copyright">'
                   'OpenStreetMap</a> contributors')

_FA = "@fortawesome/fontawesome-free"
_AM = "drmonty-leaflet-awesome-markers"
# (npm package, file inside the package, file under webapp/static/vendor)
FILES = (
    ("leaflet", "dist/leaflet.js", "leaflet/leaflet.js"),
    ("leaflet", "dist/leaflet.css", "leaflet/leaflet.css"),
    *(("leaflet", f"dist/images/{name}", f"leaflet/images/{name}")
      for name in ("layers.png", "layers-2x.png", "marker-icon.png", "marker-icon-2x.png",
                   "marker-shadow.png")),
    ("leaflet", "LICENSE", "leaflet/LICENSE"),
    ("jquery", "dist/jquery.min.js", "jquery/jquery.min.js"),
    ("jquery", "LICENSE.txt", "jquery/LICENSE.txt"),
    ("bootstrap", "dist/js/bootstrap.bundle.min.js", "bootstrap/bootstrap.bundle.min.js"),
    ("bootstrap", "dist/css/bootstrap.min.css", "bootstrap/bootstrap.min.css"),
    ("bootstrap", "LICENSE", "bootstrap/LICENSE"),
    (_FA, "css/all.min.css", "fontawesome-free/css/all.min.css"),
    *((_FA, f"webfonts/{name}.woff2", f"fontawesome-free/webfonts/{name}.woff2")
      for name in ("fa-brands-400", "fa-regular-400", "fa-solid-900", "fa-v4compatibility")),
    (_FA, "LICENSE.txt", "fontawesome-free/LICENSE.txt"),
    (_AM, "js/leaflet.awesome-markers.js", "leaflet-awesome-markers/leaflet.awesome-markers.js"),
    (_AM, "css/leaflet.awesome-markers.css",
     "leaflet-awesome-markers/leaflet.awesome-markers.css"),
    *((_AM, f"css/images/{name}", f"leaflet-awesome-markers/images/{name}")
      for name in ("markers-soft.png", "markers-soft@2x.png", "markers-shadow.png",
                   "markers-shadow@2x.png")),
    # The npm package ships no licence file (its package.json says MIT); ours is written by
    # hand from the upstream repository, so it is not compared with node_modules.
)
LICENCE_FILES = ("leaflet/LICENSE", "jquery/LICENSE.txt", "bootstrap/LICENSE",
                 "fontawesome-free/LICENSE.txt", "leaflet-awesome-markers/LICENSE")
VENDORED_DIRS = tuple(sorted({path.split("/")[0] for _, _, path in FILES}))

# folium's names for its links, so a later add_js_link(name, ...) still finds them.
JS = (("leaflet", "leaflet/leaflet.js"),
      ("jquery", "jquery/jquery.min.js"),
      ("bootstrap", "bootstrap/bootstrap.bundle.min.js"),
      ("awesome_markers", "leaflet-awesome-markers/leaflet.awesome-markers.js"))
CSS = (("leaflet_css", "leaflet/leaflet.css"),
       ("bootstrap_css", "bootstrap/bootstrap.min.css"),
       ("awesome_markers_font_css", "fontawesome-free/css/all.min.css"),
       ("awesome_markers_css", "leaflet-awesome-markers/leaflet.awesome-markers.css"))


def use_local_assets(fmap, base_url: str = STATIC_URL):
    """Make one folium Map load its scripts and styles from ``base_url`` (our vendored copy).

    Sets the instance's ``default_js``/``default_css`` (new lists: folium's ``add_js_link``
    would otherwise change the class's shared ones). Returns the map.
    """
    base = base_url.rstrip("/")
    fmap.default_js = [(name, f"{base}/{path}") for name, path in JS]
    fmap.default_css = [(name, f"{base}/{path}") for name, path in CSS]
    return fmap


def tile_options(tiles_url: str | None, attribution: str | None = None) -> dict:
    """folium.Map keyword arguments for a tile URL template; empty or None: no tile layer."""
    tiles_url = (tiles_url or "").strip()
    if not tiles_url:
        return {"tiles": None}
    if not attribution:
        attribution = (OSM_ATTRIBUTION if "openstreetmap.org" in tiles_url
                       else f"Tiles: {escape(urlsplit(tiles_url).netloc)}")
    return {"tiles": tiles_url, "attr": attribution}


def tile_source(tiles_url: str | None) -> str | None:
    """The CSP source a tile URL template loads from (``{s}`` subdomains as ``*``), or None.

    >>> tile_source("https://{s}.tile.example.org/{z}/{x}/{y}.png")
    'https://*.tile.example.org'
    >>> tile_source(""), tile_source("/tiles/{z}/{x}/{y}.png")
    (None, None)
    """
    parts = urlsplit((tiles_url or "").strip())
    if not parts.scheme or not parts.netloc:
        return None  # empty, or tiles from our own origin ('self' covers them)
    host = parts.netloc.replace("{s}", "*")
    return f"{parts.scheme}://{host}"


def copy_assets(dest: Path) -> Path:
    """Copy the vendored assets, licences included, into ``dest``; return it.

    A standalone map refers to them relatively (``use_local_assets(fmap, dest.name)``).
    Copying again overwrites the same files with the same bytes.
    """
    for name in VENDORED_DIRS:
        shutil.copytree(VENDOR_DIR / name, dest / name, dirs_exist_ok=True)
    return dest


def refresh_from_node_modules(node_modules: Path = NODE_MODULES) -> list[Path]:
    """Copy every vendored file from ``node_modules`` (after ``npm ci``); return the copies."""
    written = []
    for package, source, target in FILES:
        src = node_modules / package / source
        if not src.is_file():
            raise FileNotFoundError(f"{src} is missing: run `npm ci` first (package.json pins "
                                    f"{package})")
        dst = VENDOR_DIR / target
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
        written.append(dst)
    return written


if __name__ == "__main__":
    try:
        copied = refresh_from_node_modules()
    except FileNotFoundError as e:
        sys.exit(str(e))
    print(f"Copied {len(copied)} files into {VENDOR_DIR}")
