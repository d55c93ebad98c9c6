"""Web users: the store (hashes, validation, disable) and `minqing users add|list|disable`."""

import json

import pytest

from queries import users
from queries.store import connect
from queries.users import UserError


@pytest.fixture
def conn(tmp_path):
    conn = connect(tmp_path / "w.sqlite3")
    yield conn
    conn.close()


def test_passwords_are_hashed_and_checked(conn):
    users.add_user(conn, "wang", "a long password", "official", ["A02", "A01"])
    stored = conn.execute("SELECT password_hash FROM web_users").fetchone()[0]
    assert "a long password" not in stored and stored.startswith(("scrypt:", "pbkdf2:"))
    assert users.authenticate(conn, "wang", "a long password").areas == ("A01", "A02")
    assert users.authenticate(conn, "wang", "wrong password") is None
    assert users.authenticate(conn, "nobody", "a long password") is None
    users.set_active(conn, "wang", False)
    assert users.authenticate(conn, "wang", "a long password") is None


@pytest.mark.parametrize("name,password,role,areas,message", [
    ("a b", "long enough pw", "admin", (), "no spaces"),
    ("<b>x</b>", "long enough pw", "admin", (), "letters, digits"),
    ("x", "short", "admin", (), "at least 10"),
    ("x", "long enough pw", "root", (), "Unknown role"),
    ("x", "long enough pw", "official", (), "at least one residential area"),
    ("x", "long enough pw", "partner", ("A01",), "Only officials have areas"),
])
def test_bad_users_are_refused_with_the_field_named(conn, name, password, role, areas, message):
    with pytest.raises(UserError, match=message):
        users.add_user(conn, name, password, role, areas)
    assert users.list_users(conn) == []


def test_cli_add_list_disable(run, settings, tmp_path):
    secret = tmp_path / "pw"
    secret.write_text("first admin password\n")
    result = run("users", "add", "cli_admin", "--role", "admin", "--password-file", str(secret))
    assert result.exit_code == 0 and "User cli_admin created (admin)" in result.output
    again = run("users", "add", "cli_admin", "--role", "admin", "--password-file", str(secret))
    assert again.exit_code == 1 and "exists already" in again.output
    run("users", "add", "cli_wang", "--role", "official", "--area", "A01",
        "--password-file", str(secret))
    listed = {u["name"]: u for u in json.loads(run("users", "list", "--json").output)}
    assert listed["cli_wang"]["areas"] == ["A01"] and listed["cli_admin"]["role"] == "admin"
    assert run("users", "disable", "cli_wang").exit_code == 0
    assert "disabled" in run("users", "list").output
    conn = connect(settings)
    assert users.authenticate(conn, "cli_admin", "first admin password").role == "admin"
    assert users.authenticate(conn, "cli_wang", "first admin password") is None
    actions = [r[0] for r in conn.execute(
        "SELECT action FROM audit_log WHERE target LIKE 'user:cli_%' ORDER BY id")]
    conn.close()
    assert actions == ["user_add", "user_add", "user_disable"]
    missing = run("users", "disable", "nobody")
    assert missing.exit_code == 1 and "No user 'nobody'" in missing.output
