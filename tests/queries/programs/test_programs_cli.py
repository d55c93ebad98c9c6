"""``minqing programs`` and a campaign built from a program, on the fixture graph."""

import csv
import json
import uuid

import pytest
from click.testing import CliRunner

from graph.cli import main
from queries.store import connect
from tests.conftest import settings_env


@pytest.fixture
def store(settings):
    """The session's workflow store (shared: tests use unique names and actors)."""
    conn = connect(settings)
    yield conn
    conn.close()


@pytest.fixture
def run(settings, small_graph):
    env = settings_env(settings)
    env["MINQING_GRAPH_DATABASE"] = small_graph.database

    def invoke(*args, code=0):
        result = CliRunner().invoke(main, list(args), env=env)
        assert result.exit_code == code, result.output
        return result.output

    return invoke


def test_list_and_silent_group(run):
    assert "anti_fraud_talk_2025" in run("programs", "list")
    listed = json.loads(run("programs", "list", "--json"))
    assert len(listed) >= 8
    output = run("programs", "silent", "anti_fraud_talk_2025", "--as-of", "2025-06-30")
    assert "1 eligible residents without a booking" in output and "Wang Li" in output


def test_csv_export_is_audited(run, store, tmp_path):
    out = tmp_path / "silent.csv"
    actor = f"Wang Li {uuid.uuid4().hex[:6]}"
    assert "Wrote 1 members" in run("programs", "silent", "anti_fraud_talk_2025", "--csv",
                                    str(out), "--by", actor)
    with out.open(encoding="utf-8-sig") as f:
        (row,) = list(csv.DictReader(f))
    assert row["resident_id"] == "R01" and row["phone"] == "13900000001"
    (audit,) = store.execute("SELECT actor, action, target FROM audit_log WHERE actor = ?",
                             (actor,)).fetchall()
    assert tuple(audit) == (actor, "export_silent_group", "anti_fraud_talk_2025")


def test_bad_input_is_one_clean_line(run):
    assert "Unknown program 'nope'" in run("programs", "silent", "nope", code=1)
    assert "is not a date" in run("programs", "silent", "anti_fraud_talk_2025", "--as-of",
                                  "2025-13-01", code=2)


def test_campaign_uses_the_programs_own_template(run, store):
    name = f"anti-fraud {uuid.uuid4().hex[:6]}"
    output = run("campaign", "create", "--program", "anti_fraud_talk_2025", "--name", name)
    assert "1 messages added" in output
    (body,) = store.execute("SELECT m.body FROM outreach_message m JOIN outreach_campaign c "
                            "USING (campaign_id) WHERE c.name = ?", (name,)).fetchone()
    assert body.startswith("【临汾路街道】Li Xiuying您好") and "021-56780001" in body
    output = run("campaign", "create", "--program", "anti_fraud_talk_2025", "--name", name + " call",
                 "--kind", "call")
    assert "1 messages added" in output
