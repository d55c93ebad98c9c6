"""The demo fills officials' inboxes from a generated district, and doing it twice adds nothing."""


from queries.store import connect
from webapp.demo import seed_demo_inboxes


def test_seeding_inboxes_is_idempotent(district, settings, tmp_path, capsys):
    private = settings.replace(data_dir=str(tmp_path))
    seed_demo_inboxes(private, district.graph, district.raw, district.as_of)
    conn = connect(private)
    notices = conn.execute("SELECT count(*) FROM notices").fetchone()[0]
    alerts = conn.execute("SELECT count(*) FROM water_alerts").fetchone()[0]
    assert notices > 0 and alerts > 0
    seed_demo_inboxes(private, district.graph, district.raw, district.as_of)
    assert conn.execute("SELECT count(*) FROM notices").fetchone()[0] == notices
    assert conn.execute("SELECT count(*) FROM water_alerts").fetchone()[0] == alerts
    assert "0 notices from the last 30 days' events, 0 water alerts from checks over the last" in capsys.readouterr().out
