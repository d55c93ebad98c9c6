"""Browser fixtures: the real app under waitress (``minqing serve``) on the fixture graph, and
headless Debian Chromium driven by Selenium through Debian's chromedriver.

Nothing is downloaded: the chromedriver path is passed explicitly, so Selenium Manager is
never asked to fetch a driver or a browser. Without chromium or chromedriver on the PATH the
browser tests are skipped with that reason; .ci/run installs both, so CI runs them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import free_port, settings_env

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--disable-dev-shm-usage", "--window-size=1600,1000")

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="chromium and chromium-driver are not installed "
           "(apt-get install chromium chromium-driver; .ci/run does it in CI)")


def pytest_collection_modifyitems(items):
    """Skip every browser test, with the reason, when Chromium is missing."""
    if CHROMIUM and CHROMEDRIVER:
        return
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytestmark)


@pytest.fixture(scope="module")
def browser_graph(settings, server):
    """A database of its own: the fixture graph with search embeddings (hashing embedder).

    Module-scoped and written only by the tests of that module (the dashboard test adds a
    volunteer to see its KPI change).
    """
    from tests.conftest import _open_database
    from ingest.embed import embed_graph
    from ingest.fixture_graph import load_fixture_graph
    from models.embeddings import HashingEmbedder

    if server is None:
        pytest.skip("the browser tests need a database of their own; Neo4j Community has one")
    graph = _open_database(settings, server, f"browser{os.getpid()}")
    load_fixture_graph(graph)
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
def user(settings):
    """An analyst in the app's user store: (name, password)."""
    import secrets

    from queries import users
    from queries.store import connect

    name, password = f"browser_{os.getpid()}", "pw-" + secrets.token_hex(8)
    conn = connect(settings)
    try:
        try:
            users.get_user(conn, name)
        except Exception:
            users.add_user(conn, name, password, "analyst")
    finally:
        conn.close()
    return name, password


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium through Debian's chromedriver; its console log is kept."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def logged_in(browser, live_app, user):
    """The browser, logged in through the login form."""
    from selenium.webdriver.common.by import By

    name, password = user
    browser.get(live_app + "/login")
    browser.find_element(By.NAME, "name").send_keys(name)
    browser.find_element(By.NAME, "password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(browser, lambda d: "/login" not in d.current_url)
    return browser


def wait_for(driver, condition, timeout: float = 20):
    """Wait until ``condition(driver)`` is truthy and return its value."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def javascript_errors(driver) -> list[str]:
    """Return the SEVERE entries of the page's console log since the last call.

    The browser's own request for /favicon.ico (the app has none) is not the page's error.
    """
    return [json.dumps(entry) for entry in driver.get_log("browser")
            if entry.get("level") == "SEVERE" and "/favicon.ico" not in entry.get("message", "")]


@pytest.fixture
def screenshot(browser, request, tmp_path_factory):
    """Save a screenshot of the browser after the test (kept as a test artefact)."""
    yield
    folder = Path(os.environ.get("MINQING_TEST_ARTEFACTS") or tmp_path_factory.getbasetemp())
    folder.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(folder / f"{request.node.name}.png"))
