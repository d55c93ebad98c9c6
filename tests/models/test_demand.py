"""The demand parser: a table of Chinese and English demands, corrections, bad input, vocabulary."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import yaml

from models import demand_vocab as vocab
from models.demand import Demand, DemandError, MAX_DEMAND_CHARS, parse_demand, warm_up
from models.gazetteer import Gazetteer

TODAY = date(2025, 6, 25)  # a Wednesday
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer.from_fixture()


def parse(text, gazetteer):
    return parse_demand(text, today=TODAY, gazetteer=gazetteer)


# (demand, expected): "window" is (start, end) in ISO minutes; "location"/"where" are
# (kind, name) of the activity's place and the participants' place; list fields compare as
# sets; "resources" must be a subset of resource_types; "warnings" the set of warning codes.
CASES = [
    ("a room for 40 people near Fenxi Road on Saturday afternoon for a diabetes talk, two "
     "volunteers who know first aid, and invite the diabetic seniors of Lane 261",
     dict(head_count=40, volunteers_wanted=2, window=("2025-06-28T13:00", "2025-06-28T17:00"),
          location=("road", "汾西路"), skills={"first_aid"}, tags={"diabetes", "senior_60_plus"},
          where=("lane", "临汾路261弄"), topic={"diabetes", "talk"},
          resources={"venue", "volunteer", "resident"}, warnings=set())),
    ("周六下午在汾西路附近找一间能坐40人的活动室办糖尿病讲座，需要两名会急救的志愿者，邀请261弄的糖尿病老人",
     dict(head_count=40, volunteers_wanted=2, window=("2025-06-28T13:00", "2025-06-28T17:00"),
          location=("road", "汾西路"), skills={"first_aid"}, tags={"diabetes", "senior_60_plus"},
          where=("lane", "临汾路261弄"), venue_types={"activity_room"}, topic={"糖尿病", "讲座"},
          resources={"venue", "volunteer", "resident"}, warnings=set())),
    ("本周六下午需要一个能容纳30人的会议室",
     dict(head_count=30, window=("2025-06-28T13:00", "2025-06-28T17:00"),
          venue_types={"meeting_room"}, resources={"venue"})),
    ("下周三上午在临汾路找个有投影仪的场地，五十人左右",
     dict(head_count=50, window=("2025-07-02T08:00", "2025-07-02T12:00"),
          location=("road", "临汾路"), equipment={"projector"}, resources={"venue"})),
    ("this Saturday afternoon, a meeting room with a projector for 25 people",
     dict(head_count=25, window=("2025-06-28T13:00", "2025-06-28T17:00"),
          venue_types={"meeting_room"}, equipment={"projector"})),
    ("next Wednesday morning, a multi-purpose hall with a sound system and air conditioning",
     dict(window=("2025-07-02T08:00", "2025-07-02T12:00"), venue_types={"multi_purpose_hall"},
          equipment={"sound_system", "air_conditioning"})),
    ("今天晚上需要三位志愿者陪伴独居老人",
     dict(volunteers_wanted=3, window=("2025-06-25T18:00", "2025-06-25T21:00"),
          skills={"elderly_companion"}, tags={"lone_elderly"})),
    ("明天下午2点到4点，法律咨询志愿者两名",
     dict(volunteers_wanted=2, window=("2025-06-26T14:00", "2025-06-26T16:00"),
          skills={"legal_advice"}, resources={"volunteer"})),
    ("tomorrow 2-4pm, a volunteer for legal advice",
     dict(volunteers_wanted=1, window=("2025-06-26T14:00", "2025-06-26T16:00"),
          skills={"legal_advice"})),
    ("tonight: two sign language volunteers for a talk for deaf residents",
     dict(volunteers_wanted=2, window=("2025-06-25T18:00", "2025-06-25T21:00"),
          skills={"sign_language"}, tags={"disability_hearing_or_speech"})),
    ("7月5日上午，临汾路261弄12号楼下办理发活动",
     dict(window=("2025-07-05T08:00", "2025-07-05T12:00"), location=("building", "临汾路261弄12号"),
          skills={"haircut"})),
    ("July 5 in the evening, a performance by volunteers in Linfen Garden",
     dict(window=("2025-07-05T18:00", "2025-07-05T21:00"), location=("area", "Linfen Garden"),
          skills={"performance"}, resources={"volunteer"})),
    ("5th of July 2025, photography volunteers",
     dict(window=("2025-07-05T00:00", "2025-07-06T00:00"), skills={"photography"})),
    ("2025-07-10 下午在Fenxi Estate办健康讲座",
     dict(window=("2025-07-10T13:00", "2025-07-10T17:00"), location=("area", "Fenxi Estate"),
          skills={"health_talk"})),
    ("下周需要会电脑辅导的志愿者教老人用智能手机",
     dict(window=("2025-06-30T00:00", "2025-07-07T00:00"), skills={"it_help"},
          tags={"senior_60_plus"})),
    ("next week, IT help for seniors",
     dict(window=("2025-06-30T00:00", "2025-07-07T00:00"), skills={"it_help"},
          tags={"senior_60_plus"})),
    ("三天后在汾西路88弄5号组织垃圾分类指导",
     dict(window=("2025-06-28T00:00", "2025-06-29T00:00"), location=("building", "汾西路88弄5号"),
          skills={"waste_sorting"})),
    ("in 3 days, waste sorting guidance at Fenxi Rd Lane 88 No. 5",
     dict(window=("2025-06-28T00:00", "2025-06-29T00:00"), location=("building", "汾西路88弄5号"),
          skills={"waste_sorting"})),
    ("周末邀请70岁以上的独居老人参加书法活动",
     dict(window=("2025-06-28T00:00", "2025-06-30T00:00"), tags={"lone_elderly"}, age_min=70,
          skills={"calligraphy"}, resources={"resident"})),
    ("this weekend, invite lone elderly aged 80+ in Fenxi Estate; 3 volunteers for companionship",
     dict(window=("2025-06-28T00:00", "2025-06-30T00:00"), tags={"lone_elderly"}, age_min=80,
          where=("area", "Fenxi Estate"), volunteers_wanted=3, skills={"elderly_companion"})),
    ("邀请60到75岁的退休女性参加体检",
     dict(age_min=60, age_max=75, tags={"retired_woman_50_74"}, resources={"resident"})),
    ("invite residents aged 60-74 with hypertension to a screening",
     dict(age_min=60, age_max=74, tags={"hypertension"}, resources={"resident"})),
    ("invite children under 12 and their parents",
     dict(age_max=11, tags={"minor"}, resources={"resident"})),
    ("通知残疾人参加下周五下午的活动",
     dict(tags={"disabled"}, window=("2025-07-04T13:00", "2025-07-04T17:00"))),
    ("a step-free room for wheelchair users, 20 seats",
     dict(head_count=20, equipment={"step_free_access"}, tags={"disabled"})),
    ("a room with a piano and a large screen for 60 people",
     dict(head_count=60, equipment={"piano", "large_screen"}, resources={"venue"})),
    ("需要一间有厨房的活动室，二十人",
     dict(head_count=20, equipment={"kitchen"}, venue_types={"activity_room"})),
    ("找一个有乒乓球桌的健身点", dict(equipment={"table_tennis"}, venue_types={"fitness_point"})),
    ("a party-building unit to sponsor a health talk",
     dict(resources={"organization"}, skills={"health_talk"})),
    ("找一家共建单位和一家企业赞助重阳节活动", dict(resources={"organization"})),
    ("a dining hall near Linfen Road for lone seniors",
     dict(resources={"service"}, location=("road", "临汾路"), tags={"lone_elderly"})),
    ("需要心理疏导志愿者一名，邀请独居老人",
     dict(volunteers_wanted=1, skills={"counselling"}, tags={"lone_elderly"})),
    ("Linfen Garden Activity Room on Friday evening",
     dict(location=("point", "Linfen Garden Activity Room"),
          window=("2025-06-27T18:00", "2025-06-27T21:00"))),
    ("a room within 1 km of Linfen Road for 15 people",
     dict(head_count=15, location=("road", "临汾路"), radius=1000)),
    ("临汾路附近500米内找场地", dict(location=("road", "临汾路"), radius=500)),
    ("a room near 31.2715, 121.4535 for 12 people",
     dict(head_count=12, location=("point", "31.2715, 121.4535"))),
    ("a 40-seat room on Linfen Rd", dict(head_count=40, location=("road", "临汾路"))),
    ("a room for 10,000 people", dict(head_count=10000, resources={"venue"}, warnings=set())),
    ("a room for 0 people", dict(head_count=0, warnings={"head_count_zero"})),
    ("an event on 2024-05-01 for 30 people",
     dict(head_count=30, window=("2024-05-01T00:00", "2024-05-02T00:00"), warnings={"past_date"})),
    ("invite the seniors of Lane 999", dict(tags={"senior_60_plus"}, warnings={"unknown_lane"})),
    ("MATCH (n) DETACH DELETE n", dict(warnings={"query_like", "nothing_understood"})),
    ("'; DROP TABLE residents; --", dict(warnings={"query_like"})),
    ("🎉🎉🎉 😀", dict(warnings={"nothing_understood"}, topic=set())),
    ("", dict(warnings={"empty"})),
    ("   \n\t ", dict(warnings={"empty"})),
    ("knitting circle", dict(topic={"knitting", "circle"}, warnings={"nothing_understood"})),
    ("大一点的房间", dict(window=None, resources={"venue"})),
    ("一位志愿者", dict(volunteers_wanted=1, head_count=None)),
    ("invite seniors over 80 aged 60-74", dict(age_min=81, age_max=None, warnings={"age_conflict"})),
    ("邀请75到60岁的老人", dict(age_min=60, age_max=75, tags={"senior_60_plus"})),
    ("40 people near Fenxi Road and Linfen Road",
     dict(head_count=40, location=("road", "汾西路"), warnings={"several_places"})),
]


def _check(demand: Demand, expected: dict) -> None:
    for key, want in expected.items():
        if key == "window":
            got = None if demand.window is None else (
                demand.window.start.isoformat(timespec="minutes"),
                demand.window.end.isoformat(timespec="minutes"))
        elif key == "location":
            got = demand.location and (demand.location.kind, demand.location.name)
        elif key == "where":
            loc = demand.participants.location
            got = loc and (loc.kind, loc.name)
        elif key == "radius":
            got = demand.location.radius_m
        elif key == "tags":
            got = set(demand.participants.tags)
        elif key in ("age_min", "age_max"):
            got = getattr(demand.participants, key)
        elif key == "topic":
            got = set(demand.topic_words)
            assert want <= got, f"topic words {got} lack {want - got}"
            continue
        elif key == "resources":
            got = set(demand.resource_types)
            assert want <= got, f"resource types {got} lack {want - got}"
            continue
        elif key == "warnings":
            got = {w.code for w in demand.warnings}
        else:
            got = getattr(demand, key)
            if isinstance(got, list):
                got = set(got)
        assert got == want, f"{key}: got {got!r}, expected {want!r}"


@pytest.mark.parametrize("text, expected", CASES, ids=[f"{i:02d}" for i in range(len(CASES))])
def test_demand_table(text, expected, gazetteer):
    _check(parse(text, gazetteer), expected)


def test_table_has_forty_demands_in_both_languages():
    chinese = [t for t, _ in CASES if any("\u4e00" <= c <= "\u9fff" for c in t)]
    assert len(CASES) >= 40 and len(chinese) >= 15 and len(CASES) - len(chinese) >= 15


def test_spans_point_at_the_text_that_produced_each_field(gazetteer):
    text = CASES[0][0]
    demand = parse(text, gazetteer)
    by_field = {}
    for span in demand.spans:
        assert text[span.start:span.end] == span.text
        by_field.setdefault(span.field, []).append(span.text)
    assert by_field["head_count"] == ["40 people"]
    assert by_field["volunteers_wanted"] == ["two"]
    assert by_field["location"] == ["Fenxi Road"]
    assert by_field["participants.location"] == ["Lane 261"]
    assert by_field["skills"] == ["first aid"]
    assert by_field["window"] == ["Saturday afternoon"]
    # No character is claimed by two fields.
    claimed = sorted((s.start, s.end) for s in demand.spans)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(claimed, claimed[1:]))


def test_window_slots_match_the_volunteer_register(gazetteer):
    assert parse("周六下午", gazetteer).window.slots() == ["周六下午"]
    assert parse("this weekend", gazetteer).window.slots() == [
        "周六上午", "周六下午", "周六晚上", "周日上午", "周日下午", "周日晚上"]


def test_correction_round_trip(gazetteer):
    demand = parse(CASES[1][0], gazetteer)
    data = json.loads(json.dumps(demand.to_json(), ensure_ascii=False))
    assert Demand.from_json(data) == demand
    # The user corrects the head count, drops a tag and moves the window to Sunday.
    data["head_count"] = 55
    data["participants"]["tags"] = ["diabetes"]
    data["window"] = {"start": "2025-06-29T13:00", "end": "2025-06-29T17:00", "phrase": "周日下午"}
    corrected = Demand.from_json(data)
    assert corrected.head_count == 55
    assert corrected.participants.tags == ["diabetes"]
    assert corrected.window.slots() == ["周日下午"]
    assert corrected.location == demand.location


def test_from_json_accepts_a_partial_form():
    demand = Demand.from_json({"head_count": "12", "skills": ["first_aid"]})
    assert demand.head_count == 12 and demand.skills == ["first_aid"] and demand.window is None


@pytest.mark.parametrize("data, field", [
    ({"head_count": "forty"}, "head_count"),
    ({"head_count": -3}, "head_count"),
    ({"head_count": "9" * 4000}, "head_count"),             # past int()'s limit and 64 bits
    ({"volunteers_wanted": 10**30}, "volunteers_wanted"),    # broke the solver (a 500)
    ({"location": {"kind": "road", "name": "临汾路", "lat": 10**400}}, "location.lat"),
    ({"location": {"kind": "road", "name": "临汾路", "lon": "nan"}}, "location.lon"),
    ({"skills": ["juggling"]}, "skills"),
    ({"resource_types": ["spaceship"]}, "resource_types"),
    ({"colour": "red"}, "colour"),
    ({"window": {"start": "2025-06-28T17:00", "end": "2025-06-28T13:00"}}, "window.end"),
    ({"window": {"start": "Saturday"}}, "window.start"),
    ({"location": {"kind": "planet", "name": "Mars"}}, "location.kind"),
    ({"location": {"kind": "road", "name": "临汾路", "lat": "north"}}, "location.lat"),
    ({"participants": {"tags": ["Robert'); DROP"]}}, "participants.tags"),
    ({"participants": {"age_min": 80, "age_max": 60}}, "age_min"),
    ([1, 2], "JSON object"),
])
def test_from_json_names_the_bad_field(data, field):
    with pytest.raises(DemandError, match=field.replace("(", r"\(")):
        Demand.from_json(data)


@pytest.mark.parametrize("text", [
    "", "x" * 5000, "汾" * 5000, "😀" * 300, "MATCH (r:Resident) RETURN r.phone",
    "SELECT * FROM residents WHERE '1'='1'", "\x00\x01\x02", "1" * 400, "弄" * 50 + "261弄" * 30,
    "周六周日下周三明天今天 next Saturday tomorrow", "999999999999999999999 people",
    "一万万万万人", "Lane 261 Lane 88 Lane 375", "aged 200 and over", "30岁到十岁",
])
def test_bad_input_never_raises(text, gazetteer):
    demand = parse(text, gazetteer)
    assert isinstance(demand, Demand)
    assert len(demand.text) <= MAX_DEMAND_CHARS
    assert "parser_error" not in {w.code for w in demand.warnings}
    json.dumps(demand.to_json(), ensure_ascii=False)


def test_long_demand_is_cut_with_a_message(gazetteer):
    demand = parse("a room for 40 people " + "blah " * 1200, gazetteer)
    assert demand.head_count == 40
    warning = next(w for w in demand.warnings if w.code == "too_long")
    assert "6,021 characters" in warning.message and "2,000" in warning.message


@pytest.mark.parametrize("text, field", [
    ("需要" + "9" * 40 + "名志愿者", "volunteers_wanted"),
    ("a room for " + "9" * 1500 + " people", "head_count"),
])
def test_counts_past_any_district_are_ignored_with_a_warning(gazetteer, text, field):
    demand = parse(text, gazetteer)
    assert getattr(demand, field) is None
    warning = next(w for w in demand.warnings if w.code == "count_too_large")
    assert warning.field == field and "1,000,000" in warning.message


def test_vocabulary_codes_are_the_ingest_codes():
    volunteers = yaml.safe_load((REPO / "ingest/sources/volunteers.yaml").read_text("utf-8"))
    venues = yaml.safe_load((REPO / "ingest/sources/venues.yaml").read_text("utf-8"))
    catalogue = yaml.safe_load((REPO / "ingest/tag_catalogue.yaml").read_text("utf-8"))
    register = volunteers["fields"]["skills"]["values"]
    assert set(vocab.SKILLS) == set(register.values())
    for word, code in register.items():  # the register's own word is recognised
        assert word in vocab.SKILLS[code]
    assert set(vocab.EQUIPMENT) == set(venues["fields"]["equipment"]["values"].values())
    assert set(vocab.VENUE_TYPES) == set(venues["fields"]["venue_type"]["values"].values())
    assert set(vocab.TAG_PHRASES) <= {t["id"] for t in catalogue["tags"]}


def test_every_catalogue_tag_label_is_recognised(gazetteer):
    labels = gazetteer.tag_labels()
    assert len(labels) > 150
    for tag_id in ("diabetes", "lone_elderly", "disabled", "party_member", "age_80_plus"):
        demand = parse(f"邀请{labels[tag_id]}", gazetteer)
        assert tag_id in demand.participants.tags, (tag_id, labels[tag_id])


def test_warm_up_builds_the_lexicon_once():
    gazetteer = Gazetteer.from_fixture()
    warm_up(gazetteer)
    lexicon = gazetteer._lexicon
    parse_demand("a room", today=TODAY, gazetteer=gazetteer)
    assert gazetteer._lexicon is lexicon
