"""Browser fixtures: the real app under waitress (``minqing serve``) on a copy of the fixture
graph, and Debian's headless Chromium driven by Playwright (Python, sync API).

Nothing is downloaded: Playwright launches ``/usr/bin/chromium`` (``executable_path``), never
a browser of its own, and ``PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1`` is set before it is imported.
Without chromium (or the playwright package) the browser tests are skipped with that reason;
.ci/run installs chromium, so CI runs them.

Each role (admin, analyst, official of area A01, partner) logs in once per module through the
real login form, in a browser context of its own. ``open_page(role)`` gives a fresh page of
that context whose JavaScript exceptions and console errors are collected; after each test
its screenshot is saved under ``$MINQING_BROWSER_ARTIFACTS`` (default
tests/browser/artifacts/, git-ignored).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import free_port, settings_env

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

CHROMIUM = "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else (
    shutil.which("chromium") or shutil.which("chromium-browser"))
# The flags issue 8 names; --disable-dev-shm-usage because containers have a small /dev/shm.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--disable-dev-shm-usage"]
ROLES = ("admin", "analyst", "official", "partner")
AREAS = {"official": ("A01",)}
PASSWORD = "browser-" + secrets.token_hex(8)
ARTIFACTS = Path(os.environ.get("MINQING_BROWSER_ARTIFACTS")
                 or Path(__file__).parent / "artifacts")

try:
    import playwright  # noqa: F401
    _MISSING = None if CHROMIUM else "chromium is not installed (apt-get install chromium)"
except ImportError:
    _MISSING = "playwright is not installed (pip install -r requirements-test.txt)"


def pytest_collection_modifyitems(items):
    """Skip every browser test, with the reason, when Chromium or Playwright is missing
    (outside CI; under CI=true that is an error)."""
    if _MISSING is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        # .ci/run installs Chromium; a CI run that skipped them would pass without testing.
        raise pytest.UsageError(f"CI must run the browser tests, but {_MISSING}")
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.skip(reason=_MISSING))


@pytest.fixture(scope="module")
def browser_graph(settings, server):
    """A database of its own: the fixture graph with search embeddings (hashing embedder) and
    the siting tests' service points (so /sites has a map to draw).

    Module-scoped and written only by the tests of that module (the dashboard test adds a
    volunteer to see its KPI change).
    """
    from tests.conftest import _open_database
    from tests.models.siting.siting_graph import SERVICE_POINTS
    from ingest.embed import embed_graph
    from ingest.fixture_graph import load_fixture_graph
    from ingest.load import load_nodes, load_relationships
    from models.embeddings import HashingEmbedder

    if server is None:
        pytest.skip("the browser tests need a database of their own; Neo4j Community has one")
    graph = _open_database(settings, server, f"browser{os.getpid()}x{secrets.token_hex(3)}")
    load_fixture_graph(graph)
    load_nodes(graph, "ServicePoint", SERVICE_POINTS)
    load_relationships(graph, "SERVES", [(p["point_id"], "A01") for p in SERVICE_POINTS])
    embed_graph(graph, HashingEmbedder())
    yield graph
    graph.close()


@pytest.fixture(scope="module")
def live_app(settings, browser_graph, tmp_path_factory):
    """Run ``minqing serve`` (waitress) against ``browser_graph``; yield its base URL."""
    port = free_port()
    env = {**os.environ, **settings_env(settings),
           "MINQING_GRAPH_DATABASE": browser_graph.database, "MINQING_WEB_PORT": str(port),
           "MINQING_EMBEDDING_MODEL": "hashing", "MINQING_DASHBOARD_REFRESH_S": "1",
           "MINQING_DASHBOARD_CACHE_S": "0"}
    log = tmp_path_factory.mktemp("live_app") / "serve.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([str(Path(sys.executable).parent / "minqing"), "serve"],
                                   env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/login", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "the app did not answer within 60 s"
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def users(settings):
    """One user per role in the app's workflow store: role -> user name."""
    from queries import users as lib
    from queries.store import connect

    names = {role: f"browser_{role}_{os.getpid()}" for role in ROLES}
    conn = connect(settings)
    try:
        for role, name in names.items():
            try:
                lib.get_user(conn, name)
            except Exception:
                lib.add_user(conn, name, PASSWORD, role, AREAS.get(role, ()))
    finally:
        conn.close()
    return names


@pytest.fixture(scope="session")
def chromium():
    """Debian's headless Chromium, launched by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS,
                                         timeout=60_000)
        yield browser
        browser.close()


@dataclass
class Watched:
    """A page and what went wrong in it: uncaught exceptions and console errors."""

    page: object
    base: str
    exceptions: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def errors(self) -> list[str]:
        """Every JavaScript exception and console error so far (see ``_counts``)."""
        return self.exceptions + self.console_errors


def _counts(message, base: str) -> bool:
    """True when a console error is the page's fault.

    Not counted: a resource that failed to load from another host (map tiles and the map's
    CDN files: the internet is unreachable here) and the browser's own /favicon.ico request
    (the app has none). Everything else, including a failed request to the app, counts.
    """
    if message.type != "error":
        return False
    url = (message.location or {}).get("url", "")
    if message.text.startswith("Failed to load resource"):
        if urlsplit(url).netloc != urlsplit(base).netloc:
            return False
        return not url.endswith("/favicon.ico")
    return True


@pytest.fixture(scope="module")
def contexts(chromium, live_app, users):
    """A browser context per role, each logged in once through the login form."""
    made = {}
    for role, name in users.items():
        context = chromium.new_context(viewport={"width": 1600, "height": 1000},
                                       base_url=live_app)
        context.set_default_timeout(30_000)
        page = context.new_page()
        page.goto("/login")
        page.fill("input[name=name]", name)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
        page.close()
        made[role] = context
    yield made
    for context in made.values():
        context.close()


@pytest.fixture
def open_page(contexts, live_app, request):
    """``open_page(role)`` -> a ``Watched`` fresh page logged in as ``role``.

    After the test each page opened is saved as a full-page screenshot, the artefact.
    """
    opened: list[tuple[str, Watched]] = []

    def _open(role: str) -> Watched:
        page = contexts[role].new_page()
        watched = Watched(page, live_app)
        page.on("pageerror", lambda error: watched.exceptions.append(f"{page.url}: {error}"))
        page.on("console", lambda message: watched.console_errors.append(
            f"{page.url}: {message.text}") if _counts(message, live_app) else None)
        opened.append((role, watched))
        return watched

    yield _open
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for number, (role, watched) in enumerate(opened):
        name = f"{request.node.name}-{role}-{number}.png".replace("/", "_")
        try:
            watched.page.screenshot(path=str(ARTIFACTS / name), full_page=True)
        finally:
            watched.page.close()
