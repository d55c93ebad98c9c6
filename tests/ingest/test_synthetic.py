"""Tests of the synthetic sub-district generator (ingest/synthetic)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ingest.synthetic import DefectRates, generate_district
from ingest.synthetic import idnumbers
from ingest.synthetic.world import build_world

RESIDENTS = 500
SEED = 7

# (file, sheet) → ID-number column, for every person-bearing export.
ID_COLUMNS = {
    ("population_registry.csv", ""): "公民身份号码",
    ("committee_officials.csv", ""): "身份证号",
    ("civil_affairs.xlsx", "低保救助"): "身份证号码",
    ("civil_affairs.xlsx", "残疾人"): "身份证号码",
    ("civil_affairs.xlsx", "独居孤老"): "身份证号码",
    ("health_family_doctor.csv", ""): "id_card",
    ("health_chronic_disease.csv", ""): "id_card",
    ("health_screening.csv", ""): "id_card",
    ("health_serious_illness.csv", ""): "id_card",
    ("elderly_care_ltc.csv", ""): "证件号码",
    ("service_centre_applications.csv", ""): "ZJHM",
    ("volunteers.csv", ""): "id_no",
    ("party_building.xlsx", "党员名册"): "身份证号",
    ("program_bookings.csv", ""): "证件号码",
}
ENCODINGS = {"population_registry.csv": "gb18030", "service_centre_applications.csv": "utf-8-sig"}


def read_export(out: Path, file: str, sheet: str = "") -> pd.DataFrame:
    """Read one export exactly as text, the way the ingest is meant to."""
    if file.endswith(".xlsx"):
        frame = pd.read_excel(out / file, sheet_name=sheet, dtype=str, keep_default_na=False)
        return frame
    return pd.read_csv(out / file, dtype=str, keep_default_na=False, encoding=ENCODINGS.get(file, "utf-8"))


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    """A 500-resident district generated once for the module."""
    out = tmp_path_factory.mktemp("district")
    summary = generate_district(out, seed=SEED, residents=RESIDENTS)
    return out, summary


@pytest.fixture(scope="module")
def noisy_district(tmp_path_factory):
    """A small district with high ID-defect rates, to measure rates with few rows."""
    out = tmp_path_factory.mktemp("noisy")
    rates = DefectRates(id_missing=0.10, id_legacy15=0.15, id_lowercase_x=0.5, id_spaces=0.10, id_fullwidth=0.10)
    generate_district(out, seed=11, residents=1_000, rates=rates)
    return out, rates


def test_every_file_exists_and_reads(district):
    out, summary = district
    manifest = json.loads((out / "ground_truth" / "manifest.json").read_text(encoding="utf-8"))
    assert len([f for f in summary.files if not f.startswith("ground_truth/")]) == 18
    for name in summary.files:
        assert (out / name).is_file(), name
    for name, meta in manifest["files"].items():
        if meta["format"] == "xlsx":
            for sheet, rows in meta["sheets"].items():
                assert len(read_export(out, name, sheet)) == rows
        elif meta["format"] == "parquet":
            assert len(pd.read_parquet(out / name)) == meta["rows"]
        else:
            assert len(read_export(out, name)) == meta["rows"]


def test_encodings_and_line_endings(district):
    out, _ = district
    raw = (out / "population_registry.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert raw.decode("gb18030").startswith("序号,公民身份号码")
    bom = (out / "service_centre_applications.csv").read_bytes()
    assert bom.startswith(b"\xef\xbb\xbfSQBH,") and b"\r\n" in bom
    assert not (out / "volunteers.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_same_seed_gives_identical_bytes(district, tmp_path):
    out, summary = district
    again = generate_district(tmp_path / "again", seed=SEED, residents=RESIDENTS)
    assert again.files == summary.files
    for name in summary.files:
        assert (out / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name


def test_other_seed_differs(district, tmp_path):
    out, _ = district
    generate_district(tmp_path / "other", seed=SEED + 1, residents=RESIDENTS)
    for name in ("population_registry.csv", "civil_affairs.xlsx", "water_meter_readings.parquet"):
        assert (out / name).read_bytes() != (tmp_path / "other" / name).read_bytes()


def test_clean_ids_are_valid_and_encode_sex_and_birth(district):
    out, _ = district
    persons = pd.read_csv(out / "ground_truth" / "persons.csv", dtype=str, keep_default_na=False)
    assert persons["id_number"].is_unique
    for id18, sex, birth in zip(persons["id_number"], persons["sex"], persons["birth_date"]):
        assert idnumbers.is_valid_id18(id18)
        assert (int(id18[16]) % 2 == 1) == (sex == "M")
        assert id18[6:14] == birth.replace("-", "")


def _id_cells(out: Path) -> pd.DataFrame:
    """Return every ID cell of every person-bearing export with its true ID."""
    truth = pd.read_csv(out / "ground_truth" / "persons.csv", dtype=str, keep_default_na=False)
    true_id = dict(zip(truth["person_id"], truth["id_number"]))
    birth_year = dict(zip(truth["person_id"], truth["birth_date"].str[:4].astype(int)))
    rows = pd.read_csv(out / "ground_truth" / "person_rows.csv", dtype={"sheet": str, "row": int},
                       keep_default_na=False)
    parts = []
    for (file, sheet), column in ID_COLUMNS.items():
        cells = read_export(out, file, sheet)[column].to_numpy()
        r = rows[(rows["file"] == file) & (rows["sheet"] == sheet)].sort_values("row")
        parts.append(pd.DataFrame({
            "file": file, "sheet": sheet, "row": r["row"].to_numpy(), "cell": cells[r["row"].to_numpy() - 1],
            "true": r["person_id"].map(true_id).to_numpy(), "birth_year": r["person_id"].map(birth_year).to_numpy(),
        }))
    return pd.concat(parts, ignore_index=True)


def test_id_variants_match_log_and_rates(noisy_district):
    out, rates = noisy_district
    cells = _id_cells(out)
    log = pd.read_csv(out / "ground_truth" / "defects.csv", dtype={"sheet": str}, keep_default_na=False)
    id_log = log[log["kind"].str.startswith("id_")]
    kind = cells.merge(id_log[["file", "sheet", "row", "kind"]], on=["file", "sheet", "row"], how="left")["kind"]
    cells["kind"] = kind.fillna("").to_numpy()
    transforms = {
        "": lambda t: t,
        "id_missing": lambda t: "",
        "id_legacy15": idnumbers.legacy15,
        "id_lowercase_x": idnumbers.lowercase_x,
        "id_fullwidth": idnumbers.fullwidth,
    }
    for row in cells.itertuples():
        if row.kind == "id_spaces":
            assert " " in row.cell and row.cell.replace(" ", "") == row.true
        else:
            assert row.cell == transforms[row.kind](row.true), row
    regular = cells[~cells["file"].isin(["population_registry.csv", "program_bookings.csv"])]
    bookings = cells[cells["file"] == "program_bookings.csv"]

    def share(frame: pd.DataFrame, kind: str, eligible) -> float:
        return float((frame.loc[eligible(frame), "kind"] == kind).mean())

    assert abs(share(regular, "id_missing", lambda f: f.index == f.index) - rates.id_missing) < 0.03
    assert abs(share(bookings, "id_missing", lambda f: f.index == f.index) - rates.booking_id_missing) < 0.05
    assert (cells.loc[cells["file"] == "population_registry.csv", "cell"] != "").all()
    assert abs(share(cells, "id_spaces", lambda f: f["kind"] != "id_missing") - rates.id_spaces) < 0.03
    assert abs(share(cells, "id_fullwidth", lambda f: f["kind"] != "id_missing") - rates.id_fullwidth) < 0.03
    legacy_ok = lambda f: (f["birth_year"] < 1990) & (f["kind"] != "id_missing")  # noqa: E731
    assert abs(share(cells, "id_legacy15", legacy_ok) - rates.id_legacy15) < 0.04
    x_ok = lambda f: f["true"].str.endswith("X") & ~f["kind"].isin(["id_missing", "id_legacy15", "id_spaces", "id_fullwidth"])  # noqa: E731
    assert abs(share(cells, "id_lowercase_x", x_ok) - rates.id_lowercase_x) < 0.12
    assert (cells.loc[legacy_ok(cells) == False, "kind"] != "id_legacy15").all()  # noqa: E712


def test_ground_truth_covers_every_person_row_once(district):
    out, _ = district
    rows = pd.read_csv(out / "ground_truth" / "person_rows.csv", dtype={"sheet": str}, keep_default_na=False)
    assert not rows.duplicated(["file", "sheet", "row"]).any()
    persons = set(pd.read_csv(out / "ground_truth" / "persons.csv", dtype=str)["person_id"])
    assert set(rows["person_id"]) <= persons
    for (file, sheet) in ID_COLUMNS:
        n = len(read_export(out, file, sheet))
        got = rows.loc[(rows["file"] == file) & (rows["sheet"] == sheet), "row"].sort_values().to_numpy()
        assert np.array_equal(got, np.arange(1, n + 1)), (file, sheet)


def test_addresses_in_person_files_have_truth(district):
    out, _ = district
    spellings = pd.read_csv(out / "ground_truth" / "address_spellings.csv", dtype=str, keep_default_na=False)
    known = dict(zip(spellings["address"], spellings["building_code"]))
    registry = read_export(out, "population_registry.csv")
    assert set(registry["实际居住地址"]) - {""} <= set(known)
    # All spellings of one actual address point at that person's true building.
    rows = pd.read_csv(out / "ground_truth" / "person_rows.csv", dtype={"sheet": str}, keep_default_na=False)
    persons = pd.read_csv(out / "ground_truth" / "persons.csv", dtype=str, keep_default_na=False)
    building = dict(zip(persons["person_id"], persons["building_code"]))
    pop = rows[rows["file"] == "population_registry.csv"].sort_values("row")
    for cell, pid in zip(registry["实际居住地址"], pop["person_id"]):
        if cell:
            assert known[cell] == building[pid]


def test_age_structure_and_tags(district):
    out, summary = district
    persons = pd.read_csv(out / "ground_truth" / "persons.csv", keep_default_na=False)
    assert abs(len(persons) - RESIDENTS) < 0.05 * RESIDENTS
    assert 0.33 < (persons["age"] >= 60).mean() < 0.47
    lone = persons["lone_elderly"] == 1
    assert (persons.loc[lone, "age"] >= 60).all()
    assert 0.05 < lone.sum() / (persons["age"] >= 60).sum() < 0.16
    assert abs(persons["party_member"].mean() - 0.08) < 0.01
    assert abs(persons["disabled"].mean() - 0.04) < 0.01
    assert persons["child_0_6"].sum() > 0 and persons["retired_woman_50_74"].sum() > 0


def test_incidents_and_absences_in_meter_readings(district):
    out, _ = district
    meters = pd.read_csv(out / "ground_truth" / "water_meters.csv", keep_default_na=False)
    persons = pd.read_csv(out / "ground_truth" / "persons.csv", keep_default_na=False).set_index("person_id")
    readings = pd.read_parquet(out / "water_meter_readings.parquet")
    assert set(meters["event"]) <= {"none", "incident", "away", "offline", "leak"}
    assert (meters["event"] == "incident").sum() >= 1 and (meters["event"] == "away").sum() >= 1
    assert (persons.loc[meters["person_id"], "lone_elderly"] == 1).all()
    assert set(meters["usage"]) <= {"normal", "low"}
    # Only absences can be announced to the committee beforehand.
    assert (meters.loc[meters["event"] != "away", "announced"] == 0).all()
    for m in meters[meters["event"].isin(["incident", "away"])].itertuples():
        r = readings[readings["meter_id"] == m.meter_id]
        inside = r[(r["ts"] >= pd.Timestamp(m.event_start)) & (r["ts"] < pd.Timestamp(m.event_end))]
        assert len(inside) >= 36 and (inside["litres"] == 0).all()
        assert (r["litres"] > 0).sum() > 200  # the meter is otherwise in use
        if m.event == "away":  # people leave by day, between 08 and 11 h
            assert 8 <= pd.Timestamp(m.event_start).hour <= 11


def test_meter_readings_are_deterministic_per_seed(tmp_path):
    from ingest.synthetic import meters as gen

    def plan_and_write(seed, name):
        world = build_world(seed, 400, DefectRates())
        plan = gen.plan_meters(np.random.default_rng(seed), world.persons, world.households)
        gen.write_readings(np.random.default_rng(seed + 1), plan, tmp_path / name)
        return plan, pd.read_parquet(tmp_path / name)

    plan_a, readings_a = plan_and_write(5, "a.parquet")
    plan_b, readings_b = plan_and_write(5, "b.parquet")
    pd.testing.assert_frame_equal(plan_a, plan_b)
    pd.testing.assert_frame_equal(readings_a, readings_b)


def test_elevator_propensity_is_informative():
    world = build_world(3, 20_000, DefectRates())
    prop = world.elevator_propensity
    assert 0.10 < prop["installed"].mean() < 0.26
    installed = prop["installed"].to_numpy() == 1
    scores = prop["propensity"].to_numpy()
    # AUC by the rank-sum formula.
    ranks = pd.Series(scores).rank().to_numpy()
    auc = (ranks[installed].sum() - installed.sum() * (installed.sum() + 1) / 2) / (installed.sum() * (~installed).sum())
    assert auc > 0.7
