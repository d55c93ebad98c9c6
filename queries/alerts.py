"""Water-alert workflow: raise alerts once per episode, route them, acknowledge, suppress.

Tables in the workflow store (``queries.store``):

- ``water_alerts``: one row per (meter, rule family, episode start) — the UNIQUE key makes a
  repeated ``check`` over the same readings raise nothing new; the row's ``last_seen_at``,
  rule and evidence follow the episode.
- ``water_alert_routes``: which officials an alert went to (responsible for the senior's area).
- ``water_alert_acks``: every acknowledgement (outcome, until, note, who, when); the latest
  one is the alert's outcome.
- ``water_absences``: known absences; a senior's alerts are suppressed until the date
  (inclusive).

The graph gives the route: meter household_no → Household ← MEMBER_OF Resident → LIVES_IN
Building → IN_AREA ResidentialArea ← RESPONSIBLE_FOR Official.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass

from graph import schema
from graph.errors import MinqingError, NotFound
from models import water_alerts as wa
from queries import audit
from queries.store import ensure_schema, now_text, transaction

OUTCOMES = ("visited_ok", "away", "escalated", "false_alarm")
# Outcomes that mean "there was no emergency": they count against the alert's precision.
NOT_AN_INCIDENT = ("visited_ok", "away", "false_alarm")

SCHEMA = """
CREATE TABLE IF NOT EXISTS water_alerts (
    id INTEGER PRIMARY KEY,
    meter_id TEXT NOT NULL,
    household_no TEXT NOT NULL,
    family TEXT NOT NULL,
    episode_start TEXT NOT NULL,
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    resident_id TEXT,
    resident_name TEXT,
    resident_phone TEXT,
    building_id TEXT,
    area_id TEXT,
    area_name TEXT,
    window_start TEXT NOT NULL,
    window_end TEXT NOT NULL,
    raised_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    evidence TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    UNIQUE (meter_id, family, episode_start)
);
CREATE INDEX IF NOT EXISTS water_alerts_status ON water_alerts (status, raised_at);
CREATE TABLE IF NOT EXISTS water_alert_routes (
    alert_id INTEGER NOT NULL REFERENCES water_alerts (id),
    official_id TEXT NOT NULL,
    official_name TEXT,
    PRIMARY KEY (alert_id, official_id)
);
CREATE INDEX IF NOT EXISTS water_alert_routes_official ON water_alert_routes (official_id);
CREATE TABLE IF NOT EXISTS water_alert_acks (
    id INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL REFERENCES water_alerts (id),
    outcome TEXT NOT NULL CHECK (outcome IN ('visited_ok', 'away', 'escalated', 'false_alarm')),
    until TEXT,
    note TEXT NOT NULL DEFAULT '',
    acked_by TEXT NOT NULL,
    acked_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS water_absences (
    id INTEGER PRIMARY KEY,
    resident_id TEXT NOT NULL,
    until TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    alert_id INTEGER REFERENCES water_alerts (id)
);
CREATE INDEX IF NOT EXISTS water_absences_resident ON water_absences (resident_id, until);
"""

_SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


@dataclass
class CheckSummary:
    """What one check did: alerts raised, episodes already known, suppressed, rejected rows."""

    at: str
    meters: int
    raised: list[int]
    updated: int
    suppressed: list[dict]
    unrouted: list[str]
    rejected: list[dict]

    def as_dict(self) -> dict:
        return {"at": self.at, "meters": self.meters, "raised": self.raised,
                "updated": self.updated, "suppressed": self.suppressed,
                "unrouted": self.unrouted, "rejected_rows": len(self.rejected),
                "rejected": self.rejected[:20]}


def routing_query() -> str:
    """Cypher: residents, building, area and responsible officials of ``$household_ids``.

    Labels, relationship types and keys come from graph/schema.py.
    """
    hh, res, bld = (schema.node_label(n) for n in ("Household", "Resident", "Building"))
    area, off = schema.node_label("ResidentialArea"), schema.node_label("Official")
    member, lives = schema.rel_type("MEMBER_OF"), schema.rel_type("LIVES_IN")
    in_area, resp = schema.rel_type("IN_AREA"), schema.rel_type("RESPONSIBLE_FOR")
    return (f"UNWIND $household_ids AS hid\n"
            f"MATCH (h:{hh.name} {{{hh.key}: hid}})<-[:{member}]-(r:{res.name})\n"
            f"OPTIONAL MATCH (r)-[:{lives}]->(b:{bld.name})-[:{in_area}]->(a:{area.name})\n"
            f"OPTIONAL MATCH (a)<-[:{resp}]-(o:{off.name})\n"
            f"RETURN hid AS household_id, r.{res.key} AS resident_id, r.name AS name,\n"
            f"       r.phone AS phone, r.birth_date AS birth_date, b.{bld.key} AS building_id,\n"
            f"       a.{area.key} AS area_id, a.name AS area_name,\n"
            f"       collect(DISTINCT {{official_id: o.{off.key}, name: o.name}}) AS officials\n"
            f"ORDER BY household_id, birth_date")


def all_queries() -> dict[str, str]:
    """Every Cypher text this module sends, by name (for the Neo4j lint)."""
    return {"alerts.routing": routing_query()}


def route(graph, household_nos: list[str]) -> dict[str, dict]:
    """Return, per household number, the senior (oldest member), area and officials."""
    if not household_nos:
        return {}
    rows = graph.read(routing_query(), {"household_ids": sorted(set(household_nos))}).rows
    routes: dict[str, dict] = {}
    for row in rows:
        if row["household_id"] in routes:
            continue  # ordered by birth date: the first member is the oldest, the senior
        officials = [o for o in row["officials"] if o.get("official_id")]
        routes[row["household_id"]] = {**row, "officials": officials}
    return routes


def active_absences(conn: sqlite3.Connection, at) -> dict[str, str]:
    """Return resident_id → the latest ``until`` of absences covering the check at ``at``."""
    ensure_schema(conn, SCHEMA)
    day = _as_time(at).date().isoformat()
    rows = conn.execute("SELECT resident_id, max(until) AS until FROM water_absences "
                        "WHERE until >= ? GROUP BY resident_id", (day,))
    return {row["resident_id"]: row["until"] for row in rows
            if wa.is_suppressed(row["until"], at)}


def check(conn: sqlite3.Connection, graph, readings: wa.Readings, at=None,
          actor: str = "alerts-check") -> CheckSummary:
    """Detect alerts at ``at`` (default: the hour after the last reading), store new episodes
    once, route them, and skip seniors with a known absence.

    Running it again over the same readings raises nothing new; an episode already stored
    (same meter, family and start, or an earlier alert of the family still seen when this
    episode began) only has its last-seen time, rule and evidence refreshed.
    """
    ensure_schema(conn, SCHEMA)
    at = _as_time(at) if at is not None else readings.time_of(readings.hours).to_pydatetime()
    alerts = wa.detect(readings, at)
    routes = route(graph, [a.household_no for a in alerts])
    away = active_absences(conn, at)
    at_text = at.isoformat(timespec="seconds")
    raised, updated, suppressed, unrouted = [], 0, [], []
    with transaction(conn):
        for alert in alerts:
            senior = routes.get(alert.household_no) or {}
            resident = senior.get("resident_id")
            if resident in away:
                suppressed.append({"meter_id": alert.meter_id, "resident_id": resident,
                                   "rule": alert.rule, "until": away[resident]})
                continue
            existing = _same_episode(conn, alert)
            if existing is not None:
                _refresh(conn, existing, alert, at_text)
                updated += 1
                continue
            cursor = conn.execute(
                "INSERT INTO water_alerts (meter_id, household_no, family, episode_start, rule, "
                "severity, resident_id, resident_name, resident_phone, building_id, area_id, "
                "area_name, window_start, window_end, raised_at, last_seen_at, evidence) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (alert.meter_id, alert.household_no, alert.family, alert.episode_start,
                 alert.rule, alert.severity, resident, senior.get("name"), senior.get("phone"),
                 senior.get("building_id"), senior.get("area_id"), senior.get("area_name"),
                 alert.window_start, alert.window_end, at_text, at_text,
                 json.dumps(alert.evidence)))
            alert_id = cursor.lastrowid
            for official in senior.get("officials", []):
                conn.execute("INSERT INTO water_alert_routes VALUES (?,?,?)",
                             (alert_id, official["official_id"], official.get("name")))
            if not senior.get("officials"):
                unrouted.append(alert.meter_id)
            raised.append(alert_id)
    # After the commit: audit.record runs executescript, which would commit our transaction.
    audit.record(conn, actor, "water_alerts.check", at_text, raised=raised,
                 updated=updated, suppressed=len(suppressed),
                 rejected_rows=len(readings.rejected))
    return CheckSummary(at_text, len(readings.meter_ids), raised, updated, suppressed, unrouted,
                        readings.rejected)


def _same_episode(conn: sqlite3.Connection, alert: wa.Alert) -> sqlite3.Row | None:
    # The readings a check sees are a window (LOOKBACK_DAYS); an episode longer than that
    # appears to start later at each check. An alert of the same family still seen when
    # this episode began is the same episode.
    return conn.execute(
        "SELECT * FROM water_alerts WHERE meter_id = ? AND family = ? AND "
        "(episode_start = ? OR last_seen_at >= ?) ORDER BY id DESC LIMIT 1",
        (alert.meter_id, alert.family, alert.episode_start, alert.episode_start)).fetchone()


def _refresh(conn: sqlite3.Connection, row: sqlite3.Row, alert: wa.Alert, at_text: str) -> None:
    stronger = _SEVERITY_ORDER[alert.severity] < _SEVERITY_ORDER[row["severity"]]
    conn.execute(
        "UPDATE water_alerts SET last_seen_at = max(last_seen_at, ?), window_start = ?, "
        "window_end = ?, evidence = ?, rule = ?, severity = ? WHERE id = ?",
        (at_text, alert.window_start, alert.window_end, json.dumps(alert.evidence),
         alert.rule if stronger else row["rule"],
         alert.severity if stronger else row["severity"], row["id"]))


def list_alerts(conn: sqlite3.Connection, official: str | None = None,
                status: str | None = None, limit: int = 200) -> list[dict]:
    """Return alerts newest first, with their officials and latest acknowledgement."""
    ensure_schema(conn, SCHEMA)
    where, params = [], []
    if official:
        where.append("id IN (SELECT alert_id FROM water_alert_routes WHERE official_id = ?)")
        params.append(official)
    if status:
        where.append("status = ?")
        params.append(status)
    sql = ("SELECT * FROM water_alerts" + (" WHERE " + " AND ".join(where) if where else "")
           + " ORDER BY raised_at DESC, id DESC LIMIT ?")
    return [_with_details(conn, row) for row in conn.execute(sql, (*params, limit))]


def get_alert(conn: sqlite3.Connection, alert_id: int) -> dict:
    """Return one alert with officials, acknowledgements and evidence.

    Raises:
        NotFound: no alert has this id.
    """
    ensure_schema(conn, SCHEMA)
    return _get(conn, alert_id)


def _get(conn: sqlite3.Connection, alert_id: int) -> dict:
    row = conn.execute("SELECT * FROM water_alerts WHERE id = ?", (alert_id,)).fetchone()
    if row is None:
        raise NotFound(f"No water alert {alert_id}; `minqing alerts list` shows the ids.")
    return _with_details(conn, row)


def _with_details(conn: sqlite3.Connection, row: sqlite3.Row) -> dict:
    alert = dict(row)
    alert["evidence"] = json.loads(alert["evidence"])
    alert["officials"] = [dict(r) for r in conn.execute(
        "SELECT official_id, official_name FROM water_alert_routes WHERE alert_id = ? "
        "ORDER BY official_id", (row["id"],))]
    alert["acks"] = [dict(r) for r in conn.execute(
        "SELECT outcome, until, note, acked_by, acked_at FROM water_alert_acks "
        "WHERE alert_id = ? ORDER BY id", (row["id"],))]
    return alert


def acknowledge(conn: sqlite3.Connection, alert_id: int, outcome: str, by: str,
                until: str | dt.date | None = None, note: str = "") -> dict:
    """Record an outcome for an alert; ``away`` also records a known absence until ``until``.

    Raises:
        MinqingError: unknown outcome, a blank name, ``away`` without a date, a bad date.
        NotFound: no alert has this id.
    """
    ensure_schema(conn, SCHEMA)
    if outcome not in OUTCOMES:
        raise MinqingError(f"Unknown outcome {outcome!r}; use one of {', '.join(OUTCOMES)}.")
    if not (by or "").strip():
        raise MinqingError("Say who acknowledges the alert (--by NAME).")
    until_text = _date_text(until, "until") if until not in (None, "") else None
    if outcome == "away" and until_text is None:
        raise MinqingError("Outcome 'away' needs the date the senior is back (--until DATE).")
    with transaction(conn):
        alert = _get(conn, alert_id)
        conn.execute("INSERT INTO water_alert_acks (alert_id, outcome, until, note, acked_by, "
                     "acked_at) VALUES (?,?,?,?,?,?)",
                     (alert_id, outcome, until_text, note or "", by.strip(), now_text()))
        conn.execute("UPDATE water_alerts SET status = ? WHERE id = ?", (outcome, alert_id))
        if outcome == "away":
            if not alert["resident_id"]:
                raise MinqingError(f"Alert {alert_id} has no known resident (household "
                                   f"{alert['household_no']} is not in the graph); record the "
                                   f"absence with `minqing alerts absence RESIDENT_ID`.")
            _insert_absence(conn, alert["resident_id"], until_text, note, by, alert_id)
    audit.record(conn, by.strip(), "water_alerts.ack", f"alert:{alert_id}",
                 outcome=outcome, until=until_text, resident_id=alert["resident_id"])
    return get_alert(conn, alert_id)


def record_absence(conn: sqlite3.Connection, resident_id: str, until, by: str,
                   note: str = "") -> int:
    """Record that a senior is away until ``until`` (inclusive); return the absence id.

    Raises:
        MinqingError: blank resident or name, or a bad date.
    """
    ensure_schema(conn, SCHEMA)
    if not (resident_id or "").strip():
        raise MinqingError("Name the resident who is away (RESIDENT_ID).")
    if not (by or "").strip():
        raise MinqingError("Say who records the absence (--by NAME).")
    until_text = _date_text(until, "until")
    with transaction(conn):
        absence_id = _insert_absence(conn, resident_id.strip(), until_text, note, by, None)
    audit.record(conn, by.strip(), "water_alerts.absence", f"resident:{resident_id}",
                 until=until_text)
    return absence_id


def _insert_absence(conn, resident_id, until_text, note, by, alert_id) -> int:
    return conn.execute(
        "INSERT INTO water_absences (resident_id, until, note, recorded_by, recorded_at, "
        "alert_id) VALUES (?,?,?,?,?,?)",
        (resident_id, until_text, note or "", by.strip(), now_text(), alert_id)).lastrowid


def absences(conn: sqlite3.Connection) -> list[dict]:
    """Return every recorded absence, latest first."""
    ensure_schema(conn, SCHEMA)
    return [dict(r) for r in conn.execute("SELECT * FROM water_absences ORDER BY id DESC")]


def false_alarm_rate(conn: sqlite3.Connection) -> dict:
    """Return outcome counts and the false-alarm rate: acknowledged alerts whose outcome was
    not an incident (visited_ok, away, false_alarm) over all acknowledged alerts."""
    ensure_schema(conn, SCHEMA)
    counts = {o: 0 for o in OUTCOMES}
    for row in conn.execute("SELECT status, count(*) AS n FROM water_alerts "
                            "WHERE status != 'open' GROUP BY status"):
        counts[row["status"]] = row["n"]
    acknowledged = sum(counts.values())
    open_ = conn.execute("SELECT count(*) FROM water_alerts WHERE status = 'open'").fetchone()[0]
    false = sum(counts[o] for o in NOT_AN_INCIDENT)
    return {"acknowledged": acknowledged, "open": open_, "by_outcome": counts,
            "false_alarm_rate": round(false / acknowledged, 4) if acknowledged else None,
            "strict_false_alarm_rate": round(counts["false_alarm"] / acknowledged, 4)
            if acknowledged else None}


def evidence_svg(alert: dict) -> str:
    """Draw the alert's evidence (the last days' hourly readings) as an SVG document.

    Missing hours are gaps, not zeros. matplotlib is imported here, with the Agg backend, so
    nothing else pays for it.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:  # pragma: no cover - pinned in requirements.txt
        raise MinqingError("Evidence plots need matplotlib: pip install -r requirements.txt") \
            from e
    import io

    import numpy as np
    import pandas as pd

    evidence = alert["evidence"]
    values = np.array([np.nan if v is None else v for v in evidence["series_litres"]], float)
    times = pd.date_range(evidence["series_start"], periods=len(values), freq="h")
    fig, ax = plt.subplots(figsize=(6.4, 1.8), dpi=96)
    try:
        ax.bar(times, np.nan_to_num(values), width=1 / 24, align="edge", color="#2b6cb0")
        missing = np.isnan(values)
        if missing.any():
            ax.bar(times[missing], np.full(missing.sum(), 0.5), width=1 / 24, align="edge",
                   color="#e53e3e", label="no reading")
            ax.legend(loc="upper left", fontsize=7, frameon=False)
        ax.axvspan(pd.Timestamp(alert["window_start"]), pd.Timestamp(alert["window_end"]),
                   color="#f6ad55", alpha=0.25, lw=0)
        ax.set_ylabel("L / hour", fontsize=7)
        ax.tick_params(labelsize=7)
        ax.set_title(f"{alert['meter_id']} · {alert['rule']}", fontsize=8)
        fig.autofmt_xdate()
        fig.tight_layout()
        out = io.StringIO()
        fig.savefig(out, format="svg")
    finally:
        plt.close(fig)
    return out.getvalue()


def _as_time(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise MinqingError(f"Not a time: {value!r}; write it like 2025-06-30T08:00.") from None


def _date_text(value, name: str) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise MinqingError(f"--{name} {value!r} is not a date; write it like 2025-07-15.") \
            from None
