"""Campaign pages: list and detail with .json twins, masked phones, the opt-out form (CSRF)."""

import datetime as dt
import uuid

import pytest

from queries.outreach.campaigns import create_campaign
from queries.outreach.channels import Outbox
from queries.outreach.sending import send_campaign
from queries.store import connect
from webapp import create_app
from tests.webapp.login_helpers import log_in_clients

RESIDENTS = [
    {"resident_id": "R01", "name": "Li Xiuying", "phone": "13900000001", "area_name": "Linfen Garden"},
    {"resident_id": "R02", "name": "Zhang Wei", "phone": "13900000002", "area_name": "Linfen Garden"},
    {"resident_id": "R03", "name": "Liu Fang", "phone": "13900000003", "area_name": "Linfen Garden"},
]


@pytest.fixture
def campaign(settings):
    """A campaign in the session's workflow store (a unique name: the store is shared)."""
    conn = connect(settings)
    name = f"web-{uuid.uuid4().hex[:8]}"
    campaign_id = create_campaign(conn, name, "{{ name }}，欢迎预约筛查。", RESIDENTS).campaign_id
    quiet_free = settings.replace(outreach_quiet_start="00:00", outreach_quiet_end="00:00")
    send_campaign(conn, campaign_id, quiet_free, channel=Outbox(conn), limit=2,
                  now=dt.datetime(2025, 7, 1, 10, 0))
    conn.close()
    return {"campaign_id": campaign_id, "name": name}


@pytest.fixture
def app(settings):
    return log_in_clients(create_app(dict(settings)))


def test_list_shows_the_campaign_and_its_counts(app, campaign):
    client = app.test_client()
    html = client.get("/campaigns").get_data(as_text=True)
    assert campaign["name"] in html
    document = client.get("/campaigns.json").get_json()
    row = next(c for c in document["campaigns"] if c["campaign_id"] == campaign["campaign_id"])
    assert row["messages"] == 3
    assert (row["counts"]["sent"], row["counts"]["queued"]) == (2, 1)
    assert row["take_up"] is None  # no program: nothing to compare bookings with


def test_detail_masks_phones_on_the_page_and_in_json(app, campaign):
    client = app.test_client()
    html = client.get(f"/campaigns/{campaign['campaign_id']}").get_data(as_text=True)
    assert "139****0001" in html and "13900000001" not in html
    document = client.get(f"/campaigns/{campaign['campaign_id']}.json").get_json()
    assert [m["phone"] for m in document["messages"]] == ["139****0001", "139****0002",
                                                          "139****0003"]
    assert [m["status"] for m in document["messages"]] == ["sent", "sent", "queued"]
    assert document["counts"]["sent"] == 2 and document["messages_truncated"] is False


def test_unknown_campaign_is_a_404_in_the_json_shape(app):
    response = app.test_client().get("/campaigns/999999.json")
    assert response.status_code == 404
    assert response.get_json()["ok"] is False and "campaign list" in response.get_json()["error"]


def test_optout_form_without_csrf_token_is_refused(app, campaign):
    response = app.test_client().post(f"/campaigns/{campaign['campaign_id']}/optout",
                                      data={"resident_id": "R03"})
    assert response.status_code == 400


def test_optout_form_puts_resident_on_the_list(app, campaign, settings):
    app.config["WTF_CSRF_ENABLED"] = False
    resident = f"RX{uuid.uuid4().hex[:6]}"
    response = app.test_client().post(f"/campaigns/{campaign['campaign_id']}/optout",
                                      data={"resident_id": resident, "reason": "by phone"})
    assert response.status_code == 302
    conn = connect(settings)
    row = conn.execute("SELECT reason, actor FROM outreach_optout WHERE resident_id = ?",
                       (resident,)).fetchone()
    conn.close()
    assert tuple(row) == ("by phone", "admin")  # the logged-in user


def test_optout_without_resident_id_is_a_clear_400(app, campaign):
    app.config["WTF_CSRF_ENABLED"] = False
    response = app.test_client().post(f"/campaigns/{campaign['campaign_id']}/optout",
                                      data={"resident_id": " "})
    assert response.status_code == 400 and "resident_id" in response.get_data(as_text=True)


def test_an_official_pages_through_their_own_areas_messages_only(settings):
    """600 messages to area A02 come first; A01's official still gets A01's three, and only
    those, and the page says nothing was cut."""
    others = [{"resident_id": f"RX{i:04d}", "name": f"Other {i}", "phone": f"1370000{i:04d}",
               "area_id": "A02", "area_name": "Fenxi Estate"} for i in range(600)]
    mine = [{**r, "area_id": "A01"} for r in RESIDENTS]
    conn = connect(settings)
    campaign_id = create_campaign(conn, f"paged-{uuid.uuid4().hex[:8]}", "{{ name }}，您好。",
                                  others + mine).campaign_id
    conn.close()
    official = log_in_clients(create_app(dict(settings)), "official", ("A01",)).test_client()
    document = official.get(f"/campaigns/{campaign_id}.json").get_json()
    assert [m["resident_id"] for m in document["messages"]] == ["R01", "R02", "R03"]
    assert document["messages_truncated"] is False
    admin = log_in_clients(create_app(dict(settings)), "admin").test_client()
    everything = admin.get(f"/campaigns/{campaign_id}.json").get_json()
    assert len(everything["messages"]) == 500 and everything["messages_truncated"] is True
