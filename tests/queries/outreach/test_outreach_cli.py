"""``minqing campaign ...`` through click's CliRunner on a private data_dir."""

import csv
import json

import pytest
from click.testing import CliRunner

from graph.cli import main
from queries.outreach.campaigns import create_campaign
from queries.store import connect


@pytest.fixture
def env(tmp_path):
    return {"MINQING_DATA_DIR": str(tmp_path), "MINQING_CONFIG_FILE": str(tmp_path / "no.toml"),
            "MINQING_OUTREACH_QUIET_START": "00:00", "MINQING_OUTREACH_QUIET_END": "00:00"}


@pytest.fixture
def campaign_id(tmp_path, recipients):
    conn = connect(tmp_path / "workflow.sqlite3")
    campaign_id = create_campaign(conn, "cli", "{{ name }}您好", recipients[:3]).campaign_id
    conn.close()
    return campaign_id


def run(env, *args):
    return CliRunner().invoke(main, ["campaign", *args], env=env, catch_exceptions=False)


def test_send_status_list_and_export(env, campaign_id, tmp_path):
    assert "R02 is on the do-not-contact list" in run(env, "optout", "R02").output
    sent = json.loads(run(env, "send", str(campaign_id), "--json").output)
    assert (sent["sent"], sent["suppressed"]) == (2, 1)
    status = json.loads(run(env, "status", str(campaign_id), "--json").output)
    assert status["counts"]["sent"] == 2 and status["counts"]["suppressed"] == 1
    assert "cli  [sms/outbox]" in run(env, "list").output
    out = tmp_path / "export.csv"
    assert "Wrote 3 messages" in run(env, "export-csv", str(campaign_id), "--out", str(out)).output
    with out.open(encoding="utf-8") as f:
        assert [r["phone"] for r in csv.DictReader(f)] == ["13900000001", "13900000002",
                                                          "13900000003"]
    assert out.stat().st_mode & 0o077 == 0
    conn = connect(tmp_path / "workflow.sqlite3")
    actions = [r[0] for r in conn.execute("SELECT action FROM audit_log ORDER BY id")]
    assert actions == ["campaign.create", "outreach.optout", "campaign.send",
                       "campaign.export_csv"]


def test_unknown_campaign_is_one_clean_line(env):
    result = CliRunner().invoke(main, ["campaign", "status", "42"], env=env)
    assert result.exit_code == 1
    assert result.output.strip() == "Error: No campaign 42; `minqing campaign list` shows them."


def test_send_all_sends_every_pending_campaign_once(env, campaign_id, tmp_path, recipients):
    conn = connect(tmp_path / "workflow.sqlite3")
    second = create_campaign(conn, "cli-2", "{{ name }}好", recipients[3:5]).campaign_id
    conn.close()
    output = run(env, "send", "--all").output
    assert f"Campaign {campaign_id}: 3 sent" in output and f"Campaign {second}: 2 sent" in output
    assert run(env, "send", "--all").output.strip() == "No campaign has messages to send."
    result = CliRunner().invoke(main, ["campaign", "send"], env=env)
    assert result.exit_code == 2 and "Give a CAMPAIGN_ID or --all" in result.output
