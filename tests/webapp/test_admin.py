"""Admin pages: managing users and roles from the web, the program catalogue and notice
rules with their draft check, refreshing a silent group, and the request size limit."""

import re

import pytest

from ingest.fixture_graph import load_fixture_graph
from queries import audit, users
from queries.notices.rules import RULES_PATH
from queries.programs.catalogue import CATALOGUE
from queries.store import connect
from tests.webapp.login_helpers import PASSWORD, log_in_clients, login
from webapp import create_app

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
NEW_PASSWORD = "new-password-123"


def _make_app(settings, graph, tmp_path, **overrides):
    app = create_app({**settings, "graph_database": graph.database, **overrides})
    app.config["WORKFLOW_STORE"] = str(tmp_path / "workflow.sqlite3")
    return app


@pytest.fixture
def app(settings, small_graph, tmp_path):
    return _make_app(settings, small_graph, tmp_path)


@pytest.fixture
def admin(app):
    return log_in_clients(app, "admin").test_client()


def _token(client, url="/admin/users"):
    return _TOKEN.search(client.get(url).get_data(as_text=True)).group(1)


def _post(client, url, data, page="/admin/users"):
    return client.post(url, data={"csrf_token": _token(client, page), **data},
                       follow_redirects=True)


def _store(app):
    return connect(app.config["WORKFLOW_STORE"])


def _user(app, name):
    conn = _store(app)
    try:
        return users.get_user(conn, name)
    finally:
        conn.close()


def _audit(app, action):
    conn = _store(app)
    try:
        return audit.search(conn, action=action)
    finally:
        conn.close()


def test_admin_adds_an_official_who_can_then_log_in(app, admin):
    page = _post(admin, "/admin/users", {"name": "li_wei", "role": "official",
                                          "areas": ["A01", "A02"], "password": NEW_PASSWORD,
                                          "password_again": NEW_PASSWORD})
    assert page.status_code == 200
    assert "user add: li_wei" in page.get_data(as_text=True)
    assert _user(app, "li_wei").areas == ("A01", "A02")
    [entry] = _audit(app, "user_add")
    assert entry["actor"] == "admin" and entry["target"] == "user:li_wei"
    fresh = app.test_client()
    response = login(fresh, app, name="li_wei", password=NEW_PASSWORD, role="official",
                     areas=("A01", "A02"))
    assert response.status_code == 302


@pytest.mark.parametrize("form,message", [
    ({"name": "x1", "role": "official", "areas": ["A99"]}, "Unknown residential area A99"),
    ({"name": "x2", "role": "official"}, "An official needs at least one residential area"),
    ({"name": "x3", "role": "partner", "areas": ["A01"]}, "Only officials have areas"),
    ({"name": "<script>alert(1)</script>", "role": "analyst"}, "must be 1-64 letters"),
    ({"name": "x4", "role": "analyst", "password_again": "other-password-9"}, "passwords differ"),
    ({"name": "x5", "role": "analyst", "password": "short", "password_again": "short"},
     "at least 10 characters"),
])
def test_bad_user_forms_are_refused_with_the_reason_and_nothing_written(app, admin, form,
                                                                        message):
    data = {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD, **form}
    page = _post(admin, "/admin/users", data).get_data(as_text=True)
    assert message in page or message in page.replace("&#39;", "'")
    assert "<script>alert" not in page
    conn = _store(app)
    assert [u.name for u in users.list_users(conn)] == ["admin"]
    conn.close()
    assert _audit(app, "user_add") == []


def test_role_change_password_reset_and_disable(app, admin):
    login(app.test_client(), app, role="official", areas=("A01",), name="zhang")
    _post(admin, "/admin/users/zhang/role", {"role": "analyst"})
    assert _user(app, "zhang").role == "analyst" and _user(app, "zhang").areas == ()
    _post(admin, "/admin/users/zhang/password", {"password": NEW_PASSWORD,
                                                 "password_again": NEW_PASSWORD})
    assert login(app.test_client(), app, name="zhang", password=NEW_PASSWORD,
                 role="analyst").status_code == 302
    _post(admin, "/admin/users/zhang/active", {"active": "0"})
    assert not _user(app, "zhang").active
    anonymous = create_app(app.config["MINQING_SETTINGS"])  # clients that are not logged in
    anonymous.config["WORKFLOW_STORE"] = app.config["WORKFLOW_STORE"]
    client = anonymous.test_client()
    refused = client.post("/login", data={"csrf_token": _token(client, "/login"),
                                          "name": "zhang", "password": NEW_PASSWORD})
    assert refused.status_code == 401  # the form again, not the redirect of a login
    assert client.get("/search").status_code == 302
    assert [e["action"] for e in _audit(app, None) if e["action"].startswith("user_")][:3] == [
        "user_disable", "user_password", "user_role"]


def test_the_last_admin_cannot_be_disabled_or_demoted(app, admin):
    page = _post(admin, "/admin/users/admin/active", {"active": "0"}).get_data(as_text=True)
    assert "last active admin" in page
    page = _post(admin, "/admin/users/admin/role", {"role": "analyst"}).get_data(as_text=True)
    assert "last active admin" in page
    assert _user(app, "admin").active and _user(app, "admin").role == "admin"


def test_changes_need_the_csrf_token_and_the_admin_role(app, admin):
    no_token = admin.post("/admin/users", data={"name": "x9", "role": "analyst",
                                                 "password": NEW_PASSWORD,
                                                 "password_again": NEW_PASSWORD})
    assert no_token.status_code == 400
    analyst = log_in_clients(app, "analyst").test_client()
    for url in ("/admin/users", "/admin/users/admin/active", "/admin/programs/check",
                "/admin/programs/p/refresh"):
        assert analyst.post(url, data={"active": "0"}).status_code in (400, 403), url
    assert _user(app, "admin").active
    conn = _store(app)
    assert "x9" not in [u.name for u in users.list_users(conn)]
    conn.close()


def test_roles_page_shows_the_gate_policy(admin):
    roles = {r["role"]: r for r in admin.get("/admin/roles.json").get_json()["roles"]}
    assert "console" in roles["analyst"]["pages"] and "console" not in roles["official"]["pages"]
    assert "profiles" not in roles["partner"]["pages"]
    assert roles["partner"]["residents"].startswith("no residents")


def test_the_header_links_only_pages_the_role_may_open(app):
    partner = log_in_clients(app, "partner").test_client()
    header = partner.get("/search").get_data(as_text=True).split("</header>")[0]
    assert "/search" in header and "/console" not in header and "/inbox" not in header
    analyst = log_in_clients(app, "analyst").test_client()
    header = analyst.get("/search").get_data(as_text=True).split("</header>")[0]
    assert "/console" in header and "/dashboard" in header and "/admin/users" not in header


def test_programs_page_lists_the_catalogue_with_its_cypher(admin):
    document = admin.get("/admin/programs.json").get_json()
    assert document["source"].endswith("catalogue.yaml")
    assert len(document["programs"]) == len(re.findall(r"^  - id:", CATALOGUE.read_text(
        encoding="utf-8"), re.M))
    first = document["programs"][0]
    assert first["cypher"].startswith("MATCH") and "$" in first["cypher"]


def _check(client, url, text, page):
    return client.post(url, data={"csrf_token": _token(client, page), "text": text})


def test_a_draft_catalogue_is_checked_and_its_changes_previewed(admin):
    text = CATALOGUE.read_text(encoding="utf-8")
    same = _check(admin, "/admin/programs/check", text, "/admin/programs")
    assert same.status_code == 200
    assert "Changed: none" in same.get_data(as_text=True)
    program_id = re.search(r"^  - id: (\S+)", text, re.M).group(1)
    renamed = re.sub(r"^(  - id: \S+\n    name: )(.*)$", r"\1\2（试点）", text, count=1,
                     flags=re.M)
    page = _check(admin, "/admin/programs/check", renamed, "/admin/programs")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and f"Changed: {program_id}" in body
    assert 'id="previews"' in body


def test_a_bad_draft_names_the_program_and_the_key(admin):
    text = CATALOGUE.read_text(encoding="utf-8")
    program_id = re.search(r"^  - id: (\S+)", text, re.M).group(1)
    bad = text.replace("eligibility:", "eligibilty:", 1)
    page = _check(admin, "/admin/programs/check", bad, "/admin/programs")
    assert page.status_code == 400
    body = page.get_data(as_text=True)
    assert f"draft, program {program_id}" in body and "eligibility" in body
    broken = _check(admin, "/admin/programs/check", "programs: [", "/admin/programs")
    assert broken.status_code == 400 and "not valid YAML" in broken.get_data(as_text=True)


def test_notice_rules_page_and_draft_check(admin):
    document = admin.get("/admin/rules.json").get_json()
    assert document["rules"] and all(r["cypher"] for r in document["rules"])
    text = RULES_PATH.read_text(encoding="utf-8")
    ok = _check(admin, "/admin/rules/check", text, "/admin/rules")
    assert ok.status_code == 200 and "The draft is valid" in ok.get_data(as_text=True)
    bad = _check(admin, "/admin/rules/check", text.replace("event: application",
                                                          "event: aplication", 1),
                 "/admin/rules")
    assert bad.status_code == 400
    assert "aplication" in bad.get_data(as_text=True)


def test_an_oversized_upload_is_refused_with_the_setting_named(settings, small_graph,
                                                               tmp_path):
    app = _make_app(settings, small_graph, tmp_path, web_max_request_kb=4)
    client = log_in_clients(app, "admin").test_client()
    response = client.post("/admin/rules/check", data={
        "csrf_token": _token(client, "/admin/rules"), "text": "x" * 10_000})
    assert response.status_code == 413
    assert "web_max_request_kb" in response.get_data(as_text=True)


def test_refresh_stores_one_programs_silent_group(settings, empty_graph, tmp_path):
    load_fixture_graph(empty_graph)
    app = _make_app(settings, empty_graph, tmp_path)
    client = log_in_clients(app, "admin").test_client()

    def programs():
        return {p["program_id"]: p for p in client.get("/admin/programs.json").get_json()[
            "programs"]}

    assert all(p["refreshed_at"] is None for p in programs().values())
    # Refresh programs one by one until one has silent residents in the fixture (a group of
    # nobody stores no node); each click must store exactly what it reports.
    for program_id in programs():
        page = _post(client, f"/admin/programs/{program_id}/refresh", {}, "/admin/programs")
        assert "silent group refreshed" in page.get_data(as_text=True)
        [entry] = _audit(app, "silent_group_refresh")[:1]
        assert entry["target"] == f"program:{program_id}"
        if entry["detail"]["size"]:
            break
    stored = programs()[program_id]
    assert stored["refreshed_at"] is not None
    assert stored["silent_size"] == entry["detail"]["size"] > 0
    assert client.post("/admin/programs/no_such/refresh", data={
        "csrf_token": _token(client, "/admin/programs")}).status_code == 404


def test_the_admin_pages_cypher_passes_neo4js_front_end():
    from graph.cypher_lint import lint_queries
    from webapp.admin_catalogue import GROUP_SIZES

    results = lint_queries({"silent group sizes": GROUP_SIZES})
    assert {n: [e.message for e in r.errors] for n, r in results.items() if r.errors} == {}
