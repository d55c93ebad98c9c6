"""The answer key written to ``out_dir/ground_truth/``, which the ingest must never read."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from .addresses import spell_many
from .defects import ALL_KINDS, Table
from .formats import format_dates
from .meters import START
from .params import SNAPSHOT, DefectRates
from .world import World

FOLDER = "ground_truth"


class Collector:
    """Reduce written tables to their ground truth, so the tables themselves can be dropped."""

    def __init__(self, world: World) -> None:
        self.world = world
        self._rows: list[pd.DataFrame] = []
        self._defects: list[pd.DataFrame] = []
        self._addresses: list[pd.DataFrame] = []

    def add(self, tables: list[Table]) -> None:
        """Record person rows, defects and address spellings of the given (damaged) tables."""
        codes = self.world.buildings["building_code"].to_numpy()
        for t in tables:
            if t.person is not None:
                self._rows.append(pd.DataFrame(
                    {"file": t.file, "sheet": t.sheet, "row": np.arange(1, len(t.frame) + 1), "person": t.person}
                ))
            if t.log is not None and len(t.log):
                self._defects.append(
                    t.log.assign(file=t.file, sheet=t.sheet, row=t.log["row"] + 1)[["file", "sheet", "row", "column", "kind"]]
                )
            for ac in t.addresses:
                cells = t.frame[ac.column].to_numpy(dtype=object)
                ok = np.array([isinstance(c, str) and c != "" for c in cells], dtype=bool)
                b = ac.building[ok]
                self._addresses.append(pd.DataFrame({
                    "address": cells[ok],
                    "building_code": np.where(b >= 0, codes[np.maximum(b, 0)], ""),
                    "kind": np.where(b >= 0, "building", ac.unmatched),
                }).drop_duplicates("address"))

    def person_rows(self) -> pd.DataFrame:
        """Return (file, sheet, row, person_id) for every row of every person-bearing table."""
        rows = pd.concat(self._rows, ignore_index=True)
        ids = self.world.persons["person_id"].to_numpy()
        return pd.DataFrame({"file": rows["file"], "sheet": rows["sheet"], "row": rows["row"],
                             "person_id": ids[rows["person"].to_numpy()]})

    def defects(self) -> pd.DataFrame:
        """Return (file, sheet, row, column, kind) for every injected defect (rows 1-based)."""
        if not self._defects:
            return pd.DataFrame(columns=["file", "sheet", "row", "column", "kind"])
        return pd.concat(self._defects, ignore_index=True)

    def address_spellings(self) -> pd.DataFrame:
        """Return every distinct address string written, with its true building (or why it has none)."""
        out = pd.concat(self._addresses, ignore_index=True).drop_duplicates("address")
        return out.sort_values("address", kind="stable", ignore_index=True)


def persons_table(world: World) -> pd.DataFrame:
    """Return the canonical persons with every tag-relevant fact."""
    p = world.persons
    b = world.buildings
    hh = world.households
    codes = b["building_code"].to_numpy()
    reg = p["reg_building"].to_numpy()
    volunteer = np.zeros(len(p), dtype=bool)
    volunteer[world.volunteers] = True
    official = np.zeros(len(p), dtype=bool)
    official[world.officials["person"].to_numpy()] = True
    household = p["household"].to_numpy()
    return pd.DataFrame(
        {
            "person_id": p["person_id"], "id_number": p["id_number"], "name": p["name"],
            "sex": np.where(p["male"], "M", "F"), "birth_date": format_dates(p["birth"].to_numpy(), "iso"),
            "age": p["age"], "household_id": hh["household_id"].to_numpy()[household],
            "hukou_no": hh["hukou_no"].to_numpy()[household], "relation": p["relation"],
            "building_code": codes[p["building"].to_numpy()], "floor": p["floor"], "room": p["room"],
            "area_code": world.areas["area_code"].to_numpy()[b["area"].to_numpy()[p["building"].to_numpy()]],
            "migrant": p["migrant"].astype(int), "registered_kind": p["reg_kind"],
            "registered_building_code": np.where(reg >= 0, codes[np.maximum(reg, 0)], ""),
            "registered_address": p["registered_address"],
            "political": p["political"], "party_member": p["party"].astype(int),
            "party_join_date": format_dates(p["party_join"].to_numpy(), "iso"),
            "employment": p["employment"], "retired_woman_50_74": p["retired_woman_50_74"].astype(int),
            "child_0_6": p["child_0_6"].astype(int), "disabled": p["disabled"].astype(int),
            "disability_grade": p["disability_grade"], "disability_type": p["disability_type"],
            "low_income": p["low_income"], "lone_elderly": p["lone_elderly"].astype(int),
            "guolao": p["guolao"].astype(int), "chronic_conditions": p["conditions"],
            "ltc_level": p["ltc_level"], "family_doctor": p["family_doctor"].astype(int),
            "volunteer": volunteer.astype(int), "official": official.astype(int),
            "has_meter": p["has_meter"].astype(int), "activity": p["activity"],
        }
    )


def households_table(world: World) -> pd.DataFrame:
    """Return the canonical households."""
    hh = world.households
    return pd.DataFrame(
        {
            "household_id": hh["household_id"], "hukou_no": hh["hukou_no"], "kind": hh["kind"],
            "building_code": world.buildings["building_code"].to_numpy()[hh["building"].to_numpy()],
            "floor": hh["floor"], "room": hh["room"], "size": hh["size"],
            "head_person_id": world.persons["person_id"].to_numpy()[hh["head"].to_numpy()],
            "migrant": hh["migrant"].astype(int),
        }
    )


def buildings_table(world: World) -> pd.DataFrame:
    """Return the canonical buildings, including the true elevator retrofit outcome."""
    b = world.buildings
    n = len(b)
    retrofit = np.zeros(n, dtype=np.int64)
    rec = world.elevator_records.dropna(subset=["install_date"])
    retrofit[rec["building"].to_numpy()] = rec["install_date"].dt.year.to_numpy()
    return pd.DataFrame(
        {
            "building_code": b["building_code"],
            "area_code": world.areas["area_code"].to_numpy()[b["area"].to_numpy()],
            "address": spell_many(b["road"].to_numpy(), b["lane"].to_numpy(), b["number"].to_numpy(), None, "canonical"),
            "floors": b["floors"], "build_year": b["build_year"], "elevator_as_built": b["elevator"].astype(int),
            "elevator_retrofit_year": retrofit, "flats": b["flats"], "ownership": b["ownership"],
            "households": np.bincount(world.households["building"].to_numpy(), minlength=n),
            "residents": np.bincount(world.persons["building"].to_numpy(), minlength=n),
            "lat": b["lat"], "lon": b["lon"],
        }
    )


def meters_table(world: World, meters: pd.DataFrame) -> pd.DataFrame:
    """Return meter → person links, each meter's episode with its time span, whether an
    absence was announced in advance (1/0) and the senior's usage level (normal/low)."""
    p = world.persons
    person = meters["person"].to_numpy()
    start = START + np.maximum(meters["event_start"].to_numpy(), 0).astype("timedelta64[h]")
    end = START + np.maximum(meters["event_end"].to_numpy(), 0).astype("timedelta64[h]")
    none = meters["event"].to_numpy() == "none"
    return pd.DataFrame(
        {
            "meter_id": meters["meter_id"], "person_id": p["person_id"].to_numpy()[person],
            "household_id": world.households["household_id"].to_numpy()[p["household"].to_numpy()[person]],
            "event": meters["event"],
            "event_start": np.where(none, "", format_dates(start, "iso_dt")),
            "event_end": np.where(none, "", format_dates(end, "iso_dt")),
            "announced": meters["announced"].astype(int), "usage": meters["usage"],
        }
    )


def write_manifest(path: Path, world: World, rates: DefectRates, files: dict, defects: pd.DataFrame,
                   counts: dict) -> None:
    """Write manifest.json: seed, size, rates, entity counts, rows per file/sheet, defects per kind."""
    per_kind = defects["kind"].value_counts()
    manifest = {
        "seed": world.seed,
        "residents_requested": world.scale.residents,
        "snapshot_date": SNAPSHOT.isoformat(),
        "defect_rates": rates.as_dict(),
        "counts": counts,
        "files": files,
        "defects_per_kind": {k: int(per_kind.get(k, 0)) for k in ALL_KINDS},
    }
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
