"""Search text: codes written out in English and Chinese, no personal details, any label."""

import pytest

from graph.schema import SchemaError, searchable_labels
from models.search_text import chinese_names, search_text

VENUE = {"venue_id": "VN1", "name": "闻喜会议室", "venue_type": "meeting_room",
         "capacity": 40, "equipment": ["projector", "step_free_access"],
         "opening_hours": "Sat 09:00-12:00", "owner": "闻喜居委会", "lat": 31.2, "lon": 121.4}


def test_venue_text_has_both_languages_and_capacity():
    text = search_text("Venue", VENUE)
    for words in ("闻喜会议室", "meeting room", "会议室", "projector", "投影仪",
                  "step free access", "无障碍通道", "capacity 40", "Sat 09:00-12:00"):
        assert words in text
    assert "31.2" not in text and "VN1" not in text


def test_volunteer_skills_languages_and_slots():
    text = search_text("Volunteer", {
        "volunteer_id": "SHV1", "skills": ["first_aid", "sign_language"],
        "languages": ["shanghainese"], "availability": ["周六下午"], "hours_served": 12.5})
    for words in ("first aid 急救", "sign language 手语", "shanghainese 上海话",
                  "周六下午 Saturday afternoon"):
        assert words in text
    assert "12.5" not in text


def test_organization_leaves_out_contact_and_phone():
    text = search_text("Organization", {
        "org_id": "O1", "name": "静安区某学校", "kind": "school", "party_unit": True,
        "resources": ["rooms", "volunteers"], "expertise": ["义诊"], "contact": "张三",
        "phone": "13900000000"})
    for words in ("school 学校", "party-building unit", "rooms 场地", "义诊 free medical"):
        assert words in text
    assert "张三" not in text and "13900000000" not in text


def test_mapping_files_give_the_chinese_names():
    names = chinese_names()
    assert names["Volunteer"]["skills"]["first_aid"] == "急救"
    assert names["ServicePoint"]["type"]["dining_hall"] == "长者食堂"


@pytest.mark.parametrize("label_name", searchable_labels())
def test_every_searchable_label_gets_text(label_name):
    props = {"name": "Sample name", "description": "Some words", "status": "in_service",
             "embedding": [0.1], "search_text": "old", "phone": "123"}
    text = search_text(label_name, props)
    assert "Some words" in text
    # A volunteer's name is personal data; it stays on the Resident, out of search.
    assert ("Sample name" in text) is (label_name != "Volunteer")
    assert "old" not in text and "123" not in text and "0.1" not in text


def test_unknown_label_fails_loudly():
    with pytest.raises(SchemaError):
        search_text("Nope", {})
