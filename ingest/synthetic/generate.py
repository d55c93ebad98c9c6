"""Generate a whole synthetic sub-district: the raw subsystem exports plus their ground truth."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import exports_community, exports_health, exports_people, exports_places, ground_truth, meters
from .defects import Table, apply_defects
from .params import DefectRates, stream
from .world import World, build_world
from .writers import write_csv, write_xlsx

# Encodings that differ from plain UTF-8, and the one export with Windows line endings.
ENCODINGS = {
    exports_people.POPULATION: "gb18030",
    exports_community.APPLICATIONS: "utf-8-sig",
}
CRLF = {exports_community.APPLICATIONS}


@dataclass
class DistrictSummary:
    """What :func:`generate_district` made: entity counts and the files written."""

    out_dir: Path
    seed: int
    residents: int
    households: int
    buildings: int
    areas: int
    organizations: int
    venues: int
    service_points: int
    volunteers: int
    party_members: int
    lone_elderly: int
    meters: int
    meter_readings: int
    elevator_installations: int
    files: list[str] = field(default_factory=list)  # paths relative to out_dir, exports first
    rows: dict[str, int] = field(default_factory=dict)  # "file" or "file#sheet" → data rows
    defects: dict[str, int] = field(default_factory=dict)  # defect kind → rows affected
    seconds: float = 0.0


class _Clock:
    """Report elapsed time per stage on stderr when asked to."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.start = time.perf_counter()

    def __call__(self, message: str) -> None:
        if self.enabled:
            print(f"[{time.perf_counter() - self.start:6.1f}s] {message}", file=sys.stderr, flush=True)


def _export_groups(world: World, rates: DefectRates) -> Iterator[list[Table]]:
    """Yield the clean tables of one subsystem at a time, each from its own random stream.

    One group at a time keeps memory bounded: a group is written and reduced to its
    ground truth before the next one is rendered.
    """
    seed = world.seed
    builders = [
        ("population", exports_people.population_registry),
        ("housing", exports_places.housing),
        ("committees", exports_places.committees),
        ("civil_affairs", exports_people.civil_affairs),
        ("health", exports_health.health_exports),
        ("elderly_care", exports_people.elderly_care),
        ("applications", exports_community.applications),
        ("volunteers", exports_community.volunteers),
        ("party", exports_community.party_building),
        ("venues", exports_places.venues),
        ("service_points", exports_places.service_points),
        ("elevators", exports_places.elevator_installations),
    ]
    for name, build in builders:
        yield build(world, stream(seed, f"export:{name}"))
    yield exports_community.bookings(world, stream(seed, "export:bookings"), rates)


def _write_exports(out: Path, tables: list[Table]) -> dict[str, dict]:
    """Write each file (several sheets per workbook); return per-file metadata for the manifest."""
    by_file: dict[str, list[Table]] = {}
    for t in tables:
        by_file.setdefault(t.file, []).append(t)
    meta = {}
    for name, group in by_file.items():
        if name.endswith(".xlsx"):
            write_xlsx(out / name, [(t.sheet, t.frame) for t in group])
            meta[name] = {"format": "xlsx", "sheets": {t.sheet: len(t.frame) for t in group}}
        else:
            (t,) = group
            encoding = ENCODINGS.get(name, "utf-8")
            write_csv(t.frame, out / name, encoding=encoding, crlf=name in CRLF)
            meta[name] = {"format": "csv", "encoding": encoding, "line_ending": "CRLF" if name in CRLF else "LF",
                          "rows": len(t.frame)}
    return meta


def generate_district(
    out_dir: Path, *, seed: int = 20211, residents: int = 83_000, progress: bool = False,
    rates: DefectRates | None = None,
) -> DistrictSummary:
    """Generate a synthetic sub-district's raw exports and ground truth into ``out_dir``.

    Args:
        out_dir: folder to write into (created if missing; existing files are overwritten).
        seed: random seed; the same seed and size give byte-identical files.
        residents: approximate number of residents; every other count scales with it.
        progress: print stage timings to stderr.
        rates: defect rates; defaults to :class:`DefectRates()`.

    Returns:
        A :class:`DistrictSummary` with counts and the files written.

    Raises:
        ValueError: if ``residents`` is below 300.
    """
    if residents < 300:
        raise ValueError(f"residents={residents} is too small; use at least 300.")
    rates = rates or DefectRates()
    clock = _Clock(progress)
    out = Path(out_dir)
    truth = out / ground_truth.FOLDER
    truth.mkdir(parents=True, exist_ok=True)

    world = build_world(seed, residents, rates)
    clock(f"world: {len(world.persons):,} residents, {len(world.buildings):,} buildings")
    birth_year = world.birth_year
    collector = ground_truth.Collector(world)
    files_meta: dict[str, dict] = {}
    for clean in _export_groups(world, rates):
        tables = []
        while clean:  # pop as we go so each clean frame is freed once damaged
            t = clean.pop(0)
            tables.append(apply_defects(t, rates, stream(seed, f"defects:{t.file}:{t.sheet}"), birth_year,
                                        world.buildings))
        files_meta.update(_write_exports(out, tables))
        collector.add(tables)
        clock(f"wrote {', '.join(dict.fromkeys(t.file for t in tables))}")
        del clean, tables

    meter_plan = meters.plan_meters(stream(seed, "meters"), world.persons, world.households)
    n_readings = meters.write_readings(stream(seed, "meter_readings"), meter_plan, out / meters.READINGS)
    files_meta[meters.READINGS] = {"format": "parquet", "rows": n_readings, "meters": len(meter_plan)}
    clock(f"wrote {n_readings:,} meter readings")

    rows = collector.person_rows()
    defects = collector.defects()
    truth_files = {
        "persons.csv": ground_truth.persons_table(world),
        "households.csv": ground_truth.households_table(world),
        "buildings.csv": ground_truth.buildings_table(world),
        "person_rows.csv": rows,
        "defects.csv": defects,
        "address_spellings.csv": collector.address_spellings(),
        "elevator_propensity.csv": world.elevator_propensity,
        "water_meters.csv": ground_truth.meters_table(world, meter_plan),
    }
    for name, frame in truth_files.items():
        write_csv(frame, truth / name)
    p = world.persons
    counts = {
        "persons": len(p), "households": len(world.households), "buildings": len(world.buildings),
        "areas": len(world.areas), "organizations": len(world.organizations), "venues": len(world.venues),
        "service_points": len(world.service_points), "volunteers": len(world.volunteers),
        "officials": len(world.officials), "party_members": int(p["party"].sum()),
        "aged_60_plus": int((p["age"] >= 60).sum()), "lone_elderly": int(p["lone_elderly"].sum()),
        "disabled": int(p["disabled"].sum()), "meters": len(meter_plan),
        "meters_incident": int((meter_plan["event"] == "incident").sum()),
        "meters_away": int((meter_plan["event"] == "away").sum()),
        "elevator_eligible": len(world.elevator_propensity),
        "elevator_installed": int(world.elevator_propensity["installed"].sum()),
        "person_rows": len(rows),
    }
    ground_truth.write_manifest(truth / "manifest.json", world, rates, files_meta, defects, counts)
    clock("wrote ground truth")

    row_counts = {}
    for name, meta in files_meta.items():
        if "sheets" in meta:
            row_counts.update({f"{name}#{s}": r for s, r in meta["sheets"].items()})
        else:
            row_counts[name] = meta["rows"]
    return DistrictSummary(
        out_dir=out, seed=seed, residents=len(p), households=len(world.households),
        buildings=len(world.buildings), areas=len(world.areas), organizations=len(world.organizations),
        venues=len(world.venues), service_points=len(world.service_points), volunteers=len(world.volunteers),
        party_members=counts["party_members"], lone_elderly=counts["lone_elderly"], meters=len(meter_plan),
        meter_readings=n_readings, elevator_installations=counts["elevator_installed"],
        files=list(files_meta) + [f"{ground_truth.FOLDER}/{n}" for n in [*truth_files, "manifest.json"]],
        rows=row_counts,
        defects={k: int(v) for k, v in defects["kind"].value_counts().sort_index().items()},
        seconds=round(time.perf_counter() - clock.start, 2),
    )

