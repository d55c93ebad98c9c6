"""``minqing notices`` through click's CliRunner on a writable fixture graph."""

from __future__ import annotations

import json

from click.testing import CliRunner

from graph.cli import AppContext, main


def _run(app, *args):
    result = CliRunner().invoke(main, ["notices", *args], obj=app)
    return result


class _SharedGraph(AppContext):
    """The test's graph for every invocation; the fixture closes it, not the command."""

    def close(self):
        pass


def _app(settings, graph, tmp_path) -> AppContext:
    app = _SharedGraph()
    app._settings = settings.replace(data_dir=str(tmp_path))   # a private workflow store
    app._graph = graph
    return app


def test_process_inbox_ack(settings, notice_graph, tmp_path):
    app = _app(settings, notice_graph, tmp_path)
    result = _run(app, "process", "--since", "2025-06-01")
    assert result.exit_code == 0, result.output
    assert "6 new; 5 notices created" in result.output
    assert "t:dibao-r13  rule dibao_application  resident R13  area A03" in result.output
    again = _run(app, "process", "--since", "2025-06-01", "--json")
    assert json.loads(again.output)["notices_created"] == 0
    listing = _run(app, "inbox", "O2", "--json")
    [notice] = json.loads(listing.output)
    assert notice["resident_phone"] == "139****0010"
    text = _run(app, "inbox", "O2").output
    assert f"#{notice['id']} [NEW]" in text and "Xu Guoqiang" in text
    done = _run(app, "ack", str(notice["id"]), "--by", "Chen Jie", "--note", "visited")
    assert done.exit_code == 0 and "Acknowledged notice" in done.output
    assert "already acknowledged by Chen Jie" in _run(app, "ack", str(notice["id"]),
                                                       "--by", "X").output
    missing = _run(app, "ack", "999", "--by", "X")
    assert missing.exit_code == 1 and "No notice 999" in missing.output
    assert "Traceback" not in missing.output


def test_post_local(settings, notice_graph, tmp_path):
    app = _app(settings, notice_graph, tmp_path)
    events = tmp_path / "events.json"
    events.write_text(json.dumps([
        {"event_id": "his:1", "kind": "hospital_discharge", "date": "2025-06-25",
         "resident_id": "R01", "properties": {"hospital": "华山医院"}},
        {"event_id": "his:2", "kind": "hospital_discharge", "date": "2025-06-25"}]),
        encoding="utf-8")
    result = _run(app, "post", str(events), "--local")
    assert result.exit_code == 1
    document = json.loads(result.output)
    assert [r["outcome"] for r in document["results"]] == ["created", "rejected"]
    assert "events[1].resident_id: give exactly one of resident_id and id_number" in \
        document["problems"]
    assert document["notices_created"] == 1


def test_post_without_a_server_says_what_to_do(settings, notice_graph, tmp_path):
    from tests.conftest import free_port

    app = _app(settings, notice_graph, tmp_path)
    events = tmp_path / "e.json"
    events.write_text("{}", encoding="utf-8")
    result = _run(app, "post", str(events), "--url", f"http://127.0.0.1:{free_port()}/api/events")
    assert result.exit_code == 1 and "use --local" in result.output
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    assert "not a JSON file" in _run(app, "post", str(bad), "--local").output


def test_rules_lists_and_validates(tmp_path):
    result = CliRunner().invoke(main, ["notices", "rules"])
    assert result.exit_code == 0 and "all valid" in result.output
    bad = tmp_path / "rules.yaml"
    bad.write_text("rules:\n  - id: x\n    event: nope\n    notify: director\n"
                   "    message: hi\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["notices", "rules", "--file", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}: rule 1 'x'.event: unknown event kind 'nope'" in result.output
