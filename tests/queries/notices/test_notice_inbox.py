"""Events become notices for the officials of the resident's area, once; acknowledging."""

from __future__ import annotations

import pytest

from graph.errors import MinqingError, NotFound
from queries import audit
from queries.notices.inbox import acknowledge, counts_by_official, inbox, process_events


def _pairs(conn) -> set[tuple[str, str, str]]:
    return {(r["rule_id"], r["event_id"], r["official_id"])
            for r in conn.execute("SELECT rule_id, event_id, official_id FROM notices")}


def test_notices_go_to_the_area_officials_by_role(notice_graph, store):
    report = process_events(notice_graph, store, since="2025-06-01")
    assert _pairs(store) == {
        # R01 lives in A01: its social worker O3 is preferred ...
        ("serious_illness_reimbursement", "t:si-r01", "O3"),
        ("ltc_severe_living_alone", "t:ltc-r01", "O3"),
        # ... nobody in A01 is party secretary, so every A01 official hears of it.
        ("serious_illness_senior_alone", "t:si-r01", "O1"),
        ("serious_illness_senior_alone", "t:si-r01", "O3"),
        # R10 lives in A02, whose only official O2 has no recorded role.
        ("disability_card_follow_up", "t:dc-r10", "O2"),
    }
    assert report.events_new == 6            # the 2024 event is before --since
    assert report.notices_created == 5
    assert report.unrouted == [{"event_id": "t:dibao-r13", "rule_id": "dibao_application",
                                "resident_id": "R13", "area_id": "A03"}]
    outcomes = dict(store.execute("SELECT event_id, outcome FROM notice_events"))
    assert outcomes == {"t:si-r01": "notified", "t:dc-r10": "notified", "t:ltc-r01": "notified",
                        "t:meal-r10": "no_rule", "t:ltc-r02": "no_rule",
                        "t:dibao-r13": "unrouted"}


def test_never_a_notice_for_another_area(notice_graph, store):
    process_events(notice_graph, store, since="2000-01-01")
    areas = {row["official_id"]: {r["area"] for r in notice_graph.read(
        "MATCH (o:Official {official_id: $o})-[:RESPONSIBLE_FOR]->(a) RETURN a.area_id AS area",
        {"o": row["official_id"]}).rows}
        for row in store.execute("SELECT DISTINCT official_id FROM notices")}
    for notice in store.execute("SELECT * FROM notices"):
        home = notice_graph.read(
            "MATCH (:Resident {resident_id: $r})-[:LIVES_IN]->()-[:IN_AREA]->(a) "
            "RETURN a.area_id AS area", {"r": notice["resident_id"]}).single_value()
        assert home in areas[notice["official_id"]]
        assert notice["area_id"] == home
    assert {n["resident_id"] for n in inbox(store, "O2")} == {"R10", "R11"}
    assert {n["resident_id"] for n in inbox(store, "O1")} == {"R01"}
    # The old dibao application of R11 (A02) is picked up with an earlier --since.
    assert ("dibao_application", "t:old-dibao-r11", "O2") in _pairs(store)


def test_reprocessing_never_duplicates(notice_graph, store):
    first = process_events(notice_graph, store, since="2025-06-01")
    again = process_events(notice_graph, store, since="2025-06-01")
    assert again.events_new == 0 and again.notices_created == 0
    forced = process_events(notice_graph, store, since="2025-06-01", reprocess=True)
    assert forced.events_new == 6 and forced.notices_created == 0
    assert forced.notices_existing == first.notices_created
    assert store.execute("SELECT count(*) FROM notices").fetchone()[0] == first.notices_created


def test_message_is_rendered_from_the_rule(notice_graph, store):
    process_events(notice_graph, store, since="2025-06-01")
    [notice] = [n for n in inbox(store, "O3") if n["rule_id"] == "serious_illness_reimbursement"]
    assert notice["resident_name"] == "Li Xiuying" and notice["resident_phone"] == "13900000001"
    assert "Li Xiuying（81岁，临汾路261弄12号）2025-06-20" in notice["message"].replace("\n", "")
    assert "华山医院" in notice["message"] and notice["status"] == "new"
    assert notice["event"]["serious_illness_category"] == "cancer"


def test_acknowledge_records_who_when_and_note(notice_graph, store):
    process_events(notice_graph, store, since="2025-06-01")
    notice_id = inbox(store, "O2")[0]["id"]
    done = acknowledge(store, notice_id, "Chen Jie", "visited on 6/22")
    assert done["status"] == "acknowledged" and done["acknowledged_by"] == "Chen Jie"
    assert done["ack_note"] == "visited on 6/22" and done["acknowledged_at"]
    assert done["already"] is False
    again = acknowledge(store, notice_id, "Someone Else")
    assert again["already"] is True and again["acknowledged_by"] == "Chen Jie"
    assert counts_by_official(store)["O2"] == {"new": 0, "acknowledged": 1}
    assert inbox(store, "O2", status="new") == []
    rows = [r for r in audit.recent(store) if r["action"] == "notices.acknowledge"]
    assert len(rows) == 1 and rows[0]["target"] == f"notice:{notice_id}"


def test_acknowledge_errors(store):
    with pytest.raises(NotFound, match="No notice 999"):
        acknowledge(store, 999, "x")
    with pytest.raises(MinqingError, match="who acknowledges"):
        acknowledge(store, 1, "  ")


def test_bad_since_is_named(notice_graph, store):
    with pytest.raises(MinqingError, match="since must be a date"):
        process_events(notice_graph, store, since="June")
