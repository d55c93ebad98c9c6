"""The large-screen dashboard's numbers: program coverage, open alerts, campaigns, volunteers,
service-point coverage — each read from the graph or the workflow store and returned as plain data.

``dashboard_kpis(graph, conn)`` gathers them all; each part is also a function of its own so a
test can check it against the fixture graph. The web page caches the whole answer for
``dashboard_cache_s`` (webapp/dashboard.py); nothing here caches.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import statistics
from typing import Any

from graph.schema import key_of, label
from queries.store import ensure_schema, now_text

# Age buckets of open alerts, in days: [0, 1), [1, 3), [3, 7), [7, ∞).
ALERT_AGE_BUCKETS = ((0, 1, "< 1 d"), (1, 3, "1–3 d"), (3, 7, "3–7 d"), (7, None, "≥ 7 d"))

SILENT_SIZES = (f"MATCH (g:{label('SilentGroup')})\n"
                f"RETURN g.program_id AS program_id, sum(g.size) AS silent")

VOLUNTEER_HOURS = (f"MATCH (v:{label('Volunteer')})\n"
                   f"RETURN count(v) AS volunteers, sum(coalesce(v.hours_served, 0)) AS hours")

# A volunteer with several skills counts once per skill: the chart shows where hours go.
VOLUNTEER_HOURS_BY_SKILL = (f"MATCH (v:{label('Volunteer')})\n"
                            f"UNWIND coalesce(v.skills, []) AS skill\n"
                            f"RETURN skill, count(v) AS volunteers, "
                            f"sum(coalesce(v.hours_served, 0)) AS hours\n"
                            f"ORDER BY hours DESC")

BUILDING_LOCATIONS = (f"MATCH (b:{label('Building')}) "
                      f"WHERE b.lat IS NOT NULL AND b.lon IS NOT NULL\n"
                      f"RETURN b.{key_of('Building')} AS building_id, b.lat AS lat, b.lon AS lon")

SERVICE_POINT_LOCATIONS = (f"MATCH (s:{label('ServicePoint')}) "
                           f"WHERE s.lat IS NOT NULL AND s.lon IS NOT NULL\n"
                           f"RETURN s.{key_of('ServicePoint')} AS point_id, s.type AS type, "
                           f"s.lat AS lat, s.lon AS lon, s.service_radius_m AS radius_m")


def program_covered_query(program) -> tuple[str, dict[str, Any]]:
    """Build the count of residents eligible for ``program`` who took it up.

    The same rule and booking predicate as the silent group (queries/programs/silent.py), with
    the booking required instead of excluded: covered + silent = eligible.
    """
    from queries.programs.catalogue import known_tag_ids
    from queries.programs.rules import compile_rule
    from queries.programs.silent import booked_predicate

    compiled = compile_rule(program.eligibility, reference=program.start,
                            known_tags=known_tag_ids(), where=f"program {program.program_id}")
    params = dict(compiled.params)
    booked = booked_predicate(program, params)
    query = (f"{compiled.anchor}\nWHERE {compiled.where}\n  AND {booked}\n"
             f"RETURN count(r) AS covered")
    return query, params


def program_coverage(graph, programs) -> list[dict[str, Any]]:
    """Return, per program, residents covered, the stored silent group and the coverage rate.

    ``silent`` is None for a program whose group was never stored (`minqing programs refresh`).
    """
    silent = {row["program_id"]: row["silent"] for row in graph.read(SILENT_SIZES).rows}
    rows = []
    for program in programs:
        query, params = program_covered_query(program)
        covered = graph.read(query, params).single_value() or 0
        group = silent.get(program.program_id)
        eligible = covered + group if group is not None else None
        rows.append({"program_id": program.program_id, "name": program.name,
                     "covered": covered, "silent": group, "eligible": eligible,
                     "coverage_rate": round(covered / eligible, 4) if eligible else None})
    return rows


def open_alerts(conn: sqlite3.Connection, now: dt.datetime | None = None) -> dict[str, Any]:
    """Return the number of open water alerts, their ages in days and a histogram of ages."""
    from queries.alerts import SCHEMA

    ensure_schema(conn, SCHEMA)
    now = now or dt.datetime.fromisoformat(now_text())
    ages = [(now - dt.datetime.fromisoformat(row["raised_at"])).total_seconds() / 86400
            for row in conn.execute("SELECT raised_at FROM water_alerts WHERE status = 'open'")]
    buckets = [{"label": name, "count": sum(1 for a in ages if a >= low
                                             and (high is None or a < high))}
               for low, high, name in ALERT_AGE_BUCKETS]
    return {"open": len(ages),
            "median_age_days": round(statistics.median(ages), 1) if ages else None,
            "oldest_age_days": round(max(ages), 1) if ages else None,
            "age_buckets": buckets}


def campaign_take_up(conn: sqlite3.Connection, graph) -> list[dict[str, Any]]:
    """Return each campaign's contacted residents, bookings after contact and take-up rate.

    Take-up is the campaigns page's (queries.outreach.campaigns.take_up): a booking dated on
    or after contact counts. A campaign without a catalogue program shows no take-up.
    """
    from queries.outreach import campaigns as outreach
    from queries.programs import booking_dates, load_programs

    outreach.init_store(conn)
    programs = load_programs()
    bookings: dict[str, dict[str, str]] = {}
    rows = []
    for campaign in conn.execute("SELECT campaign_id, name, program_id FROM outreach_campaign "
                                 "ORDER BY campaign_id"):
        program = programs.get(campaign["program_id"] or "")
        if program is not None and program.program_id not in bookings:
            bookings[program.program_id] = booking_dates(graph, program)
        counts = outreach.take_up(conn, campaign["campaign_id"],
                                  bookings.get(campaign["program_id"] or "", {}))
        rows.append({"campaign_id": campaign["campaign_id"], "name": campaign["name"],
                     "program_id": campaign["program_id"],
                     "contacted": counts["contacted"],
                     "booked_after_contact": counts["booked_after_contact"],
                     "take_up_rate": counts["take_up_rate"] if program is not None else None})
    return rows


def volunteer_hours(graph) -> dict[str, Any]:
    """Return the number of volunteers, their total hours served and hours by skill."""
    totals = graph.read(VOLUNTEER_HOURS).first() or {}
    by_skill = [{"skill": row["skill"], "volunteers": row["volunteers"],
                 "hours": round(float(row["hours"] or 0), 1)}
                for row in graph.read(VOLUNTEER_HOURS_BY_SKILL).rows]
    return {"volunteers": totals.get("volunteers") or 0,
            "hours": round(float(totals.get("hours") or 0), 1), "by_skill": by_skill}


def service_coverage(graph) -> dict[str, Any]:
    """Return the share of buildings within a service point's radius, per type and for any type.

    Points without a radius are skipped (they cover nothing that can be measured).
    """
    import numpy as np

    from models.siting.distances import haversine_m

    buildings = graph.read(BUILDING_LOCATIONS, max_rows=10_000_000).rows
    points = [p for p in graph.read(SERVICE_POINT_LOCATIONS, max_rows=10_000_000).rows
              if p["radius_m"]]
    total = len(buildings)
    if not total or not points:
        return {"buildings": total, "points": len(points), "any_share": None, "by_type": []}
    b_lat = np.array([b["lat"] for b in buildings], dtype=float)[:, None]
    b_lon = np.array([b["lon"] for b in buildings], dtype=float)[:, None]
    p_lat = np.array([p["lat"] for p in points], dtype=float)[None, :]
    p_lon = np.array([p["lon"] for p in points], dtype=float)[None, :]
    radius = np.array([float(p["radius_m"]) for p in points])[None, :]
    within = haversine_m(b_lat, b_lon, p_lat, p_lon) <= radius  # buildings × points
    types = np.array([p["type"] or "(untyped)" for p in points])
    by_type = []
    for kind in sorted(set(types.tolist())):
        covered = int(within[:, types == kind].any(axis=1).sum())
        by_type.append({"type": kind, "points": int((types == kind).sum()),
                        "buildings_covered": covered, "share": round(covered / total, 4)})
    return {"buildings": total, "points": len(points),
            "any_share": round(float(within.any(axis=1).mean()), 4), "by_type": by_type}


def dashboard_kpis(graph, conn: sqlite3.Connection, programs=None) -> dict[str, Any]:
    """Gather every dashboard number; ``programs`` defaults to the program catalogue."""
    if programs is None:
        from queries.programs import load_programs

        programs = list(load_programs().values())
    coverage = program_coverage(graph, programs)
    covered = sum(row["covered"] for row in coverage)
    return {
        "computed_at": now_text(),
        "programs": coverage,
        "residents_covered": covered,
        "alerts": open_alerts(conn),
        "campaigns": campaign_take_up(conn, graph),
        "volunteers": volunteer_hours(graph),
        "service_coverage": service_coverage(graph),
    }


def all_queries() -> dict[str, str]:
    """Every Cypher string this module sends, by name, for the Cypher lint."""
    from queries.programs import load_programs

    queries = {"dashboard_silent_sizes": SILENT_SIZES,
               "dashboard_volunteer_hours": VOLUNTEER_HOURS,
               "dashboard_volunteer_hours_by_skill": VOLUNTEER_HOURS_BY_SKILL,
               "dashboard_building_locations": BUILDING_LOCATIONS,
               "dashboard_service_point_locations": SERVICE_POINT_LOCATIONS}
    for program in load_programs().values():
        queries[f"dashboard_covered_{program.program_id}"] = program_covered_query(program)[0]
    return queries

