"""The shipped rules on the 83 k demo district (read only; notices go to a private store).

Skipped when the demo district is not loaded in the default embedded ArcadeDB.
"""

from __future__ import annotations


from queries.notices.inbox import process_events
from queries.store import connect as connect_store

SINCE = "2025-06-01"   # the demo's exports run to 2025-06-30


def test_demo_events_notify_only_their_area_officials(demo_graph, tmp_path):
    store = connect_store(tmp_path / "workflow.sqlite3")
    report = process_events(demo_graph, store, since=SINCE)
    assert report.events_new > 1000 and report.notices_created > 100
    assert set(report.by_rule) >= {"serious_illness_reimbursement", "disability_card_follow_up",
                                   "dibao_application"}
    pairs = [dict(row) for row in store.execute(
        "SELECT DISTINCT resident_id, official_id, area_id FROM notices")]
    checked = demo_graph.read(
        "UNWIND $pairs AS p MATCH (r:Resident {resident_id: p.resident_id}) "
        "MATCH (r)-[:LIVES_IN]->(:Building)-[:IN_AREA]->(a:ResidentialArea) "
        "MATCH (o:Official {official_id: p.official_id})-[:RESPONSIBLE_FOR]->(a) "
        "RETURN count(*) AS n, collect(DISTINCT a.area_id = p.area_id) AS same",
        {"pairs": pairs}).first()
    assert checked["n"] == len(pairs) and checked["same"] == [True]
    # The preferred role is honoured: a social worker where the area has one.
    roles = demo_graph.read(
        "UNWIND $ids AS id MATCH (o:Official {official_id: id}) RETURN o.role AS role",
        {"ids": [r[0] for r in store.execute(
            "SELECT official_id FROM notices WHERE rule_id = 'serious_illness_reimbursement'")]}
    ).rows
    assert {r["role"] for r in roles} <= {"social_worker", "director"}
    again = process_events(demo_graph, store, since=SINCE)
    assert again.events_new == 0 and again.notices_created == 0
