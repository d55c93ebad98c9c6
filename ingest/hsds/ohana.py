"""Read a directory in the Ohana API CSV layout (HSDS's forerunner) as HSDS 3.0 records.

Ohana's tables map onto HSDS 3.0 like this: organizations → organization; locations (with
addresses, mail_addresses, accessibility, languages) → location; services → service, plus
one service_at_location for its location_id, its organization taken from that location;
phones and regular_schedules → nested phones and schedules of their location or service;
taxonomy → taxonomy_term (services' taxonomy_ids become CLASSIFIED_AS links); programs →
the service's program. Keys are ``ohana:<id>``; published ids are stable UUIDs derived from
them. contacts (and phones of contacts) name people and holiday_schedules have no HSDS 3.0
table: both are counted in the report, not imported.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

from graph.errors import IngestError
from ingest.hsds.directory import Directory, ImportReport, Record, import_directory, \
    published_id

SOURCE = "ohana"
TAXONOMY_NAME = "Ohana (Open Eligibility)"
_WEEKDAYS = {"monday": "MO", "tuesday": "TU", "wednesday": "WE", "thursday": "TH",
             "friday": "FR", "saturday": "SA", "sunday": "SU"}
_TIME = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?(?::\d{2})?\s*([ap]\.?m\.?)?\s*$", re.I)


def import_ohana(graph, folder: Path, quarantine_file: Path | None = None) -> ImportReport:
    """Import an Ohana CSV directory into the graph (idempotent) and report."""
    return import_directory(graph, read_ohana(Path(folder)), quarantine_file)


def read_ohana(folder: Path) -> Directory:
    """Read the Ohana CSV files in ``folder`` into validated HSDS records (no graph).

    Raises:
        IngestError: the folder lacks organizations.csv, locations.csv or services.csv.
    """
    folder = Path(folder)
    missing = [n for n in ("organizations.csv", "locations.csv", "services.csv")
               if not (folder / n).is_file()]
    if missing:
        raise IngestError(f"{folder} is not an Ohana CSV directory: {', '.join(missing)} "
                          "missing")
    directory = Directory()
    tables = {path.name: _rows(path) for path in sorted(folder.glob("*.csv"))}
    directory.files = [str(folder / name) for name in tables]

    def pid(table, source_id):
        return published_id(SOURCE, table, source_id) if source_id else None

    phones = _phones(tables.get("phones.csv", []), directory, pid)
    schedules = _schedules(tables.get("regular_schedules.csv", []), directory, pid)
    for name, label in (("contacts.csv", "contacts (personal data)"),
                        ("holiday_schedules.csv", "holiday_schedules (no HSDS 3.0 table)")):
        if tables.get(name):
            directory.not_imported[label] += len(tables[name])

    for row_label, row in tables.get("taxonomy.csv", []):
        code = row.get("taxonomy_id", "")
        doc = _clean({"id": pid("taxonomy_term", code), "code": code, "name": row.get("name"),
                      "description": row.get("name") or "",
                      "parent_id": pid("taxonomy_term", row.get("parent_id")),
                      "taxonomy": TAXONOMY_NAME})
        directory.add(Record("taxonomy_term", doc, SOURCE, f"taxonomy:{code}", "taxonomy.csv",
                             row_label))

    for row_label, row in tables["organizations.csv"]:
        oid = row.get("id", "")
        doc = _clean({
            "id": pid("organization", oid), "name": row.get("name"),
            "alternate_name": row.get("alternate_name"),
            "description": row.get("description") or "", "email": row.get("email"),
            "website": row.get("website"), "tax_status": row.get("tax_status"),
            "tax_id": row.get("tax_id"), "legal_status": row.get("legal_status"),
            "year_incorporated": _year(row.get("date_incorporated")),
            "funding": [{"id": pid("funding", f"org{oid}"), "source": row["funding_sources"]}]
            if row.get("funding_sources") else None,
            "phones": phones.get(("organization", oid))})
        extra = {"accreditations": row.get("accreditations"), "licenses": row.get("licenses")}
        directory.add(Record("organization", doc, SOURCE, f"organization:{oid}",
                             "organizations.csv", row_label, _clean(extra)))

    addresses = _by(tables.get("addresses.csv", []), "location_id")
    mail = _by(tables.get("mail_addresses.csv", []), "location_id")
    location_org = {}
    for row_label, row in tables["locations.csv"]:
        lid = row.get("id", "")
        location_org[lid] = row.get("organization_id")
        doc = _clean({
            "id": pid("location", lid),
            "location_type": "virtual" if row.get("virtual") == "true" else "physical",
            "url": row.get("website"), "organization_id": pid("organization",
                                                              row.get("organization_id")),
            "name": row.get("name"), "alternate_name": row.get("alternate_name"),
            "description": row.get("description") or row.get("short_desc"),
            "transportation": row.get("transportation"),
            "latitude": _number(row.get("latitude")), "longitude": _number(row.get("longitude")),
            "languages": [{"id": pid("language", f"loc{lid}:{n}"), "name": n}
                          for n in _split(row.get("languages"))],
            "accessibility": [{"id": pid("accessibility", f"loc{lid}:{a}"), "description": a}
                              for a in _split(row.get("accessibility"))],
            "addresses": [_address(a, "physical", pid) for a in addresses.get(lid, [])]
            + [_address(a, "postal", pid) for a in mail.get(lid, [])],
            "phones": phones.get(("location", lid)),
            "schedules": schedules.get(("location", lid))})
        extra = {"email": row.get("email"), "short_desc": row.get("short_desc")}
        directory.add(Record("location", doc, SOURCE, f"location:{lid}", "locations.csv",
                             row_label, _clean(extra)))

    programs = {row.get("id"): row for _, row in tables.get("programs.csv", [])}
    for row_label, row in tables["services.csv"]:
        sid, lid = row.get("id", ""), row.get("location_id", "")
        program = programs.get(row.get("program_id") or "")
        doc = _clean({
            "id": pid("service", sid),
            "organization_id": pid("organization", location_org.get(lid)),
            "name": row.get("name"), "alternate_name": row.get("alternate_name"),
            "description": row.get("description"), "url": row.get("website"),
            "email": row.get("email"), "status": row.get("status"),
            "interpretation_services": row.get("interpretation_services"),
            "application_process": row.get("application_process"),
            "fees_description": row.get("fees"), "wait_time": row.get("wait_time"),
            "eligibility_description": row.get("eligibility"),
            "program": {"id": pid("program", program["id"]), "name": program.get("name") or "",
                        "description": program.get("alternate_name") or ""}
            if program else None,
            "languages": [{"id": pid("language", f"svc{sid}:{n}"), "name": n}
                          for n in _split(row.get("languages"))],
            "funding": [{"id": pid("funding", f"svc{sid}"), "source": row["funding_sources"]}]
            if row.get("funding_sources") else None,
            "required_documents": [{"id": pid("required_document", f"svc{sid}:{d}"),
                                    "document": d} for d in _split(row.get("required_documents"))],
            "service_areas": [{"id": pid("service_area", f"svc{sid}:{a}"), "name": a}
                              for a in _split(row.get("service_areas"))],
            "attributes": [{"id": pid("attribute", f"svc{sid}:{t}"),
                            "taxonomy_term_id": pid("taxonomy_term", t), "link_id":
                            pid("service", sid), "link_entity": "service"}
                           for t in _split(row.get("taxonomy_ids"))],
            "phones": phones.get(("service", sid)),
            "schedules": schedules.get(("service", sid))})
        extra = {"keywords": _split(row.get("keywords")), "audience": row.get("audience"),
                 "accepted_payments": row.get("accepted_payments")}
        if directory.add(Record("service", doc, SOURCE, f"service:{sid}", "services.csv",
                                row_label, _clean(extra))) and lid:
            link = {"id": pid("service_at_location", sid), "service_id": doc["id"],
                    "location_id": pid("location", lid)}
            directory.add(Record("service_at_location", link, SOURCE,
                                 f"service_at_location:{sid}", "services.csv", row_label))
    return directory


# -- pieces ---------------------------------------------------------------------------------


def _rows(path: Path) -> list[tuple[str, dict]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [(f"row {n}", {k: (v or "").strip() for k, v in row.items() if k})
                for n, row in enumerate(csv.DictReader(handle), start=1)]


def _by(rows, column) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for _, row in rows:
        grouped.setdefault(row.get(column, ""), []).append(row)
    return grouped


def _phones(rows, directory: Directory, pid) -> dict[tuple[str, str], list[dict]]:
    """Phones by (owner table, owner id); a contact's own phone is personal: counted, left
    out."""
    found: dict[tuple[str, str], list[dict]] = {}
    for row_label, row in rows:
        if row.get("contact_id"):
            directory.not_imported["phones of contacts (personal data)"] += 1
            continue
        phone = _clean({"id": pid("phone", row.get("id")), "number": row.get("number"),
                        "extension": _number(row.get("extension")),
                        "type": row.get("number_type"), "description": row.get("department")})
        for table in ("service", "location", "organization"):
            if row.get(f"{table}_id"):
                found.setdefault((table, row[f"{table}_id"]), []).append(phone)
                break
        else:
            directory.problem("phones.csv", row_label, "location_id",
                              "the phone names no service, location or organization", row)
    return found


def _schedules(rows, directory: Directory, pid) -> dict[tuple[str, str], list[dict]]:
    """Weekly opening hours by (owner table, owner id); unreadable rows are reported."""
    found: dict[tuple[str, str], list[dict]] = {}
    for row_label, row in rows:
        day = _WEEKDAYS.get(row.get("weekday", "").lower())
        times = {}
        for column in ("opens_at", "closes_at"):
            times[column] = parse_time(row.get(column, ""))
            if times[column] is None:
                directory.problem("regular_schedules.csv", row_label, column,
                                  f"{row.get(column)!r} is not a time of day (e.g. 09:00, 4pm)",
                                  row)
        if day is None:
            directory.problem("regular_schedules.csv", row_label, "weekday",
                              f"{row.get('weekday')!r} is not a weekday name", row)
        if day is None or None in times.values():
            continue
        schedule = {"id": pid("schedule", row.get("id")), "freq": "WEEKLY", "byday": day,
                    **times}
        owner = ("service", row["service_id"]) if row.get("service_id") else \
            ("location", row.get("location_id", ""))
        found.setdefault(owner, []).append(schedule)
    return found


def parse_time(text: str) -> str | None:
    """Read Ohana's mixed time formats as HH:MM:SS, or None.

    >>> parse_time("08:00"), parse_time("4:00 PM"), parse_time("3pm"), parse_time("noon")
    ('08:00:00', '16:00:00', '15:00:00', None)
    """
    match = _TIME.match(text or "")
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    meridiem = (match.group(3) or "").lower().replace(".", "")
    if meridiem == "pm" and hour < 12:
        hour += 12
    elif meridiem == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}:00"


def _address(row: dict, kind: str, pid) -> dict:
    return _clean({"id": pid(f"address_{kind}", row.get("id")),
                   "attention": row.get("attention"), "address_1": row.get("address_1") or "",
                   "address_2": row.get("address_2"), "city": row.get("city") or "",
                   "state_province": row.get("state_province") or "",
                   "postal_code": row.get("postal_code") or "",
                   "country": row.get("country") or "", "address_type": kind})


def _split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _number(text: str | None):
    """A number, or the text itself so that the schema check reports it by field."""
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return text


def _year(text: str | None) -> int | None:
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%B %d, %Y", "%Y"):
        try:
            return dt.datetime.strptime(text or "", fmt).year
        except ValueError:
            continue
    return None


def _clean(doc: dict) -> dict:
    """Drop empty values: HSDS leaves absent fields out rather than sending ""."""
    return {k: v for k, v in doc.items() if v not in (None, "", [])}
