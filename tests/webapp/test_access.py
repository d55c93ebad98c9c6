"""Access control: the role × blueprint matrix, login, logout, rate limit, headers, audit."""

import re

import pytest
from flask import Blueprint

from graph.cypher_lint import lint_queries
from queries import audit, users
from queries.store import connect
from tests.webapp.login_helpers import PASSWORD, ensure_user, log_in_clients, login
from webapp import create_app, demo_logins, gate, scope, unmask

ROLES = ("admin", "analyst", "official", "partner")


@pytest.fixture
def app(settings, small_graph, tmp_path):
    app = create_app({**settings, "graph_database": small_graph.database})
    app.config["WORKFLOW_STORE"] = str(tmp_path / "workflow.sqlite3")
    app.testing = True
    return app


def _areas(role):
    return ("A01",) if role == "official" else ()


# Ids of the fixture graph inside area A01, the test official's: pages that exist only with
# an id in the URL (a resident's profile, unmasking) are checked with these.
SAMPLE_IDS = {"resident_id": "R01", "building_id": "B01", "area_id": "A01",
              "official_id": "O1"}


def _first_plain_get(app, blueprint):
    """The first GET URL of ``blueprint``: one without URL arguments if there is one, else
    one whose arguments are all fixture ids; None when neither exists."""
    rules = sorted((r for r in app.url_map.iter_rules()
                    if r.endpoint.split(".")[0] == blueprint and "GET" in r.methods
                    and r.arguments <= set(SAMPLE_IDS)),
                   key=lambda r: (bool(r.arguments), not r.rule.endswith(".json"), r.rule))
    if not rules:
        return None
    url = rules[0].rule
    for name in rules[0].arguments:
        url = url.replace(f"<{name}>", SAMPLE_IDS[name])
    return url


# The blueprints every role is checked against: the policy table's, as far as they exist in
# this tree (others land separately), plus a resident-level page with an id in the URL.
MATRIX = [(role, blueprint) for role in ROLES for blueprint in sorted(gate.POLICY)]


@pytest.mark.parametrize("role,blueprint", MATRIX)
def test_each_role_gets_exactly_the_blueprints_of_the_policy(app, role, blueprint):
    url = _first_plain_get(app, blueprint)
    if url is None:
        pytest.skip(f"no {blueprint} blueprint with a plain GET page in this tree")
    client = log_in_clients(app, role, _areas(role)).test_client()
    status = client.get(url).status_code
    if role in gate.POLICY[blueprint]:
        assert status not in (401, 403), (url, status)
    else:
        assert status == 403, (url, status)


def test_an_unknown_blueprint_is_denied_to_everyone(app):
    new = Blueprint("brand_new_page", __name__)
    new.add_url_rule("/brand-new.json", "page", lambda: {"ok": True})
    app.register_blueprint(new)
    client = log_in_clients(app, "admin").test_client()
    response = client.get("/brand-new.json")
    assert response.status_code == 403 and response.get_json()["ok"] is False


def test_anonymous_pages_redirect_to_login_and_json_gets_401(app):
    client = app.test_client()
    page = client.get("/programs?x=1")
    assert page.status_code == 302
    assert page.headers["Location"].startswith("/login?next=/programs")
    twin = client.get("/programs.json")
    assert twin.status_code == 401
    assert set(twin.get_json()) == {"ok", "error", "status", "title"}
    # Public: the login page, static files, the HSDS directory.
    assert client.get("/login").status_code == 200
    assert client.get("/static/minqing.css").status_code == 200
    assert client.get("/services").status_code not in (302, 401, 403)


def test_login_then_next_and_logout(app):
    client = app.test_client()
    ensure_user(app, "ana", "analyst")
    page = client.get("/login?next=/programs").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"csrf_token": token, "name": "ana",
                                           "password": PASSWORD, "next": "/programs"})
    assert response.status_code == 302 and response.headers["Location"] == "/programs"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert client.get("/programs.json").status_code == 200
    home = client.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', home).group(1)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/programs.json").status_code == 401


def test_wrong_password_and_open_redirect(app):
    app.config["WTF_CSRF_ENABLED"] = False
    ensure_user(app, "ana", "analyst")
    client = app.test_client()
    bad = client.post("/login", data={"name": "ana", "password": "not-the-password"})
    assert bad.status_code == 401 and "Wrong name or password" in bad.get_data(as_text=True)
    unknown = client.post("/login", data={"name": "nobody", "password": PASSWORD})
    assert unknown.status_code == 401
    evil = client.post("/login", data={"name": "ana", "password": PASSWORD,
                                       "next": "//evil.example/x"})
    assert evil.headers["Location"] == "/"


def test_login_without_csrf_token_is_refused(app):
    ensure_user(app, "ana", "analyst")
    client = app.test_client()
    response = client.post("/login", data={"name": "ana", "password": PASSWORD})
    assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
    assert client.get("/programs.json").status_code == 401


def test_secure_cookie_setting(settings, small_graph, tmp_path):
    app = create_app({**settings, "graph_database": small_graph.database,
                      "web_session_cookie_secure": True})
    app.config["WORKFLOW_STORE"] = str(tmp_path / "w.sqlite3")
    client = app.test_client()
    response = login(client, app, role="analyst")
    assert "Secure" in response.headers["Set-Cookie"]


def test_login_rate_limit_per_address_and_name(settings, small_graph, tmp_path):
    app = create_app({**settings, "graph_database": small_graph.database,
                      "auth_login_rate_limit": "3 per minute"})
    app.config["WORKFLOW_STORE"] = str(tmp_path / "w.sqlite3")
    app.config["WTF_CSRF_ENABLED"] = False
    ensure_user(app, "ana", "analyst")
    client = app.test_client()
    codes = [client.post("/login", data={"name": "ana", "password": "wrong-password"}
                         ).status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    refused = client.post("/login", data={"name": "ana", "password": PASSWORD})
    assert refused.status_code == 429  # even the right password waits
    assert "auth_login_rate_limit" in refused.get_data(as_text=True)
    # Another name from the same address is counted apart.
    ensure_user(app, "bob", "analyst")
    assert client.post("/login", data={"name": "bob", "password": PASSWORD}).status_code == 302


def test_a_disabled_user_is_logged_out_at_the_next_request(app):
    client = log_in_clients(app, "analyst").test_client()
    assert client.get("/programs.json").status_code == 200
    conn = connect(app.config["WORKFLOW_STORE"])
    users.set_active(conn, "analyst", False)
    conn.close()
    assert client.get("/programs.json").status_code == 401


def test_security_headers_on_pages_json_and_errors(app):
    client = log_in_clients(app, "admin").test_client()
    for url in ("/", "/index.json", "/no/such/page", "/login"):
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        script = next(p for p in csp.split("; ") if p.startswith("script-src"))
        assert "'unsafe-inline'" not in script and "'nonce-" in script, url
        assert "frame-ancestors 'self'" in csp and "object-src 'none'" in csp
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
    # Every page's nonce is new.
    first, second = (client.get("/").headers["Content-Security-Policy"] for _ in range(2))
    assert first != second
    # Folium map documents may load tiles (and nothing else) from the tile server, and only
    # they; their scripts come from our origin or carry the nonce like every page's.
    map_csp = client.get("/elevators/map").headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://tile.openstreetmap.org;" in map_csp
    assert "'unsafe-inline'" not in next(p for p in map_csp.split("; ")
                                         if p.startswith("script-src"))
    assert "cdn" not in map_csp
    assert "tile.openstreetmap.org" not in client.get("/").headers["Content-Security-Policy"]


def test_templates_carry_no_inline_script_without_the_nonce():
    from pathlib import Path

    templates = Path(__file__).resolve().parents[2] / "webapp" / "templates"
    offending = [p.name for p in templates.glob("*.html")
                 for tag in re.findall(r"<script\b[^>]*>", p.read_text(encoding="utf-8"))
                 if "src=" not in tag and "csp_nonce()" not in tag]
    assert offending == []


def test_logins_and_failures_are_audited_and_admins_can_search(app):
    app.config["WTF_CSRF_ENABLED"] = False
    ensure_user(app, "ana", "analyst")
    app.test_client().post("/login", data={"name": "ana", "password": "wrong-password"})
    client = log_in_clients(app, "admin").test_client()
    document = client.get("/admin/audit.json?actor=ana").get_json()
    assert [e["action"] for e in document["entries"]] == ["login_failed"]
    document = client.get("/admin/audit.json?action=login").get_json()
    assert {e["actor"] for e in document["entries"]} == {"admin"}
    assert client.get("/admin/audit.json?since=yesterday").status_code == 400
    page = client.get("/admin/audit?target=user:ana").get_data(as_text=True)
    assert "login_failed" in page
    assert {u["name"] for u in client.get("/admin/users.json").get_json()["users"]} >= {
        "ana", "admin"}


def test_analyst_unmasks_one_record_with_a_logged_reason(app):
    client = log_in_clients(app, "analyst").test_client()
    masked = client.get("/residents/R01/unmask").get_data(as_text=True)
    assert "139****0001" in masked and "1944-**-**" in masked and "13900000001" not in masked
    token = re.search(r'name="csrf_token" value="([^"]+)"', masked).group(1)
    assert client.post("/residents/R01/unmask", data={"csrf_token": token, "reason": "x"}
                       ).status_code == 400
    shown = client.post("/residents/R01/unmask",
                        data={"csrf_token": token, "reason": "calling about the heat alert"})
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "13900000001" in html and "1944-03-02" in html
    conn = connect(app.config["WORKFLOW_STORE"])
    rows = audit.search(conn, actor="analyst", target="resident:R01")
    conn.close()
    assert [r["action"] for r in rows] == ["unmask", "view_resident"]
    assert rows[0]["detail"]["reason"] == "calling about the heat alert"
    assert client.post("/residents/R99/unmask", data={"csrf_token": token,
                                                      "reason": "a good reason"}
                       ).status_code == 404


def test_access_queries_pass_the_cypher_lint_and_run(small_graph):
    queries = {**scope.builder_queries(), **unmask.builder_queries(),
               **demo_logins.builder_queries()}
    results = lint_queries(queries)
    assert {name: [e.message for e in r.errors] for name, r in results.items()
            if r.errors} == {}
    rows = small_graph.read(scope.RESIDENTS_IN_AREAS, {"resident_ids": ["R01", "R10", "R99"],
                                                       "area_ids": ["A01"]}).rows
    assert [r["resident_id"] for r in rows] == ["R01"]
    rows = small_graph.read(scope.BUILDINGS_IN_AREAS, {"area_ids": ["A02"]}).rows
    assert [r["building_id"] for r in rows] == ["B03"]
    rows = small_graph.read(scope.AREAS_OF_OFFICIAL, {"official_id": "O2"}).rows
    assert [r["area_id"] for r in rows] == ["A02"]
    assert small_graph.read(demo_logins.FIRST_AREA).rows == [{"area_id": "A01"}]
