"""``minqing elevators`` and ``minqing mobilize`` on the fixture graph: clean refusals, invites."""

import os


def test_train_refuses_the_fixture_with_a_clear_message(run):
    result = run("elevators", "train", "--as-of", "2025-06-30")
    assert result.exit_code == 1
    assert "elevators_min_positives" in result.output and "Traceback" not in result.output


def test_bad_cutoff_is_named(run):
    result = run("elevators", "train", "--cutoff", "2023-13-01")
    assert result.exit_code == 1 and "--cutoff must be a date" in result.output


def test_rank_before_train_says_what_to_run(run, settings):
    assert not (settings.data_path / "elevators" / "ranking.json").exists()
    result = run("elevators", "rank")
    assert result.exit_code == 1 and "minqing elevators train" in result.output


def test_invite_list_and_audited_csv(run, tmp_path, settings):
    result = run("mobilize", "invite", "--building", "B01", "--limit", "2")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].split()[2] == "Zhang"  # R04 Zhang Qiang, volunteer
    assert "139****" in result.output
    target = tmp_path / "invites.csv"
    result = run("mobilize", "invite", "--building", "B01", "--csv", str(target))
    assert result.exit_code == 0
    assert "13900000004" in target.read_text(encoding="utf-8-sig")
    assert oct(os.stat(target).st_mode & 0o777) == "0o600"
    from queries import audit
    from queries.store import connect

    conn = connect(settings)
    try:
        assert any(row["action"] == "mobilize_invites.csv" for row in audit.recent(conn))
    finally:
        conn.close()


def test_backbones_and_missing_scope(run):
    result = run("mobilize", "backbones", "--kind", "household", "--json")
    assert result.exit_code == 0 and '"ties": 8' in result.output
    result = run("mobilize", "invite", "--area", "Atlantis")
    assert result.exit_code == 1 and "Nobody lives" in result.output
