"""The send loop against a real fake-gateway process: quiet hours, daily caps, retries with
backoff, timeouts, undeliverable numbers, replies, and the CSV channel's dedup."""

import csv
import datetime as dt

import pytest
import requests

from queries.outreach.campaigns import create_campaign, messages, status_counts
from queries.outreach.channels import CallCentreCsv, Outbox, Webhook
from queries.outreach.sending import (backoff_delay, quiet_until, send_campaign,
                                      sync_statuses)

TEMPLATE = "{{ name }}您好，社区免费筛查可以预约了，回复1预约。"
MORNING = dt.datetime(2025, 7, 1, 9, 0)


def webhook(gateway, settings):
    return Webhook(gateway.url, settings.outreach_webhook_timeout_ms)


def test_quiet_hours_wrap_midnight(outreach_settings):
    s = outreach_settings.replace(outreach_quiet_start="21:00", outreach_quiet_end="08:00")
    assert quiet_until(s, dt.datetime(2025, 7, 1, 22, 30)) == dt.datetime(2025, 7, 2, 8, 0)
    assert quiet_until(s, dt.datetime(2025, 7, 2, 7, 59)) == dt.datetime(2025, 7, 2, 8, 0)
    assert quiet_until(s, dt.datetime(2025, 7, 2, 8, 0)) is None
    assert quiet_until(outreach_settings, dt.datetime(2025, 7, 1, 3, 0)) is None  # none set


def test_nothing_is_sent_in_quiet_hours(store, recipients, outreach_settings):
    s = outreach_settings.replace(outreach_quiet_start="21:00", outreach_quiet_end="08:00")
    campaign = create_campaign(store, "evening", TEMPLATE, recipients).campaign_id
    night = send_campaign(store, campaign, s, channel=Outbox(store),
                          now=dt.datetime(2025, 7, 1, 22, 30))
    assert night.attempted == 0 and "quiet hours" in night.stopped
    assert "2025-07-02 08:00" in night.stopped
    assert store.execute("SELECT count(*) FROM outreach_outbox").fetchone()[0] == 0
    morning = send_campaign(store, campaign, s, channel=Outbox(store),
                            now=dt.datetime(2025, 7, 2, 8, 5))
    assert morning.sent == 12 and morning.stopped is None


def test_bad_quiet_hours_setting_is_named(store, recipients, outreach_settings):
    from graph.errors import ConfigError

    campaign = create_campaign(store, "x", TEMPLATE, recipients[:1]).campaign_id
    with pytest.raises(ConfigError, match="outreach_quiet_start"):
        send_campaign(store, campaign, outreach_settings.replace(outreach_quiet_start="9pm"),
                      channel=Outbox(store), now=MORNING)


def test_daily_cap_per_campaign_then_next_day(store, recipients, outreach_settings):
    s = outreach_settings.replace(outreach_daily_cap_per_campaign=5)
    campaign = create_campaign(store, "capped", TEMPLATE, recipients).campaign_id
    first = send_campaign(store, campaign, s, channel=Outbox(store), now=MORNING)
    assert first.sent == 5 and "outreach_daily_cap_per_campaign" in first.stopped
    later = send_campaign(store, campaign, s, channel=Outbox(store),
                          now=MORNING + dt.timedelta(hours=3))
    assert later.sent == 0
    tomorrow = send_campaign(store, campaign, s, channel=Outbox(store),
                             now=MORNING + dt.timedelta(days=1))
    assert tomorrow.sent == 5
    assert status_counts(store, campaign)["sent"] == 10


def test_daily_cap_per_channel_spans_campaigns(store, recipients, outreach_settings):
    s = outreach_settings.replace(outreach_daily_cap_per_channel=7)
    a = create_campaign(store, "a", TEMPLATE, recipients[:5]).campaign_id
    b = create_campaign(store, "b", TEMPLATE, recipients[5:]).campaign_id
    assert send_campaign(store, a, s, channel=Outbox(store), now=MORNING).sent == 5
    second = send_campaign(store, b, s, channel=Outbox(store), now=MORNING)
    assert second.sent == 2 and "outreach_daily_cap_per_channel" in second.stopped


def test_backoff_schedule(outreach_settings):
    s = outreach_settings.replace(outreach_retry_base_s=60, outreach_retry_max_s=300)
    assert [backoff_delay(s, n).total_seconds() for n in (1, 2, 3, 4, 5)] == \
        [60, 120, 240, 300, 300]


def test_gateway_errors_retry_with_backoff_then_succeed_once(store, recipients, gateway,
                                                             outreach_settings):
    s = outreach_settings.replace(outreach_retry_base_s=60)
    campaign = create_campaign(store, "retry", TEMPLATE, recipients[:4],
                               channel="webhook").campaign_id
    gateway.set_mode(mode="500")
    down = send_campaign(store, campaign, s, channel=webhook(gateway, s), now=MORNING)
    assert (down.attempted, down.failed, down.sent) == (4, 4, 0)
    failed = messages(store, campaign)
    assert {m["status"] for m in failed} == {"failed"}
    assert all("HTTP 500" in m["last_error"] for m in failed)
    assert {m["next_attempt_at"] for m in failed} == {"2025-07-01T09:01:00"}
    gateway.set_mode(mode="ok")
    early = send_campaign(store, campaign, s, channel=webhook(gateway, s),
                          now=MORNING + dt.timedelta(seconds=30))
    assert early.attempted == 0  # not due yet
    due = send_campaign(store, campaign, s, channel=webhook(gateway, s),
                        now=MORNING + dt.timedelta(seconds=61))
    assert due.sent == 4
    received = gateway.received()
    assert sorted(r["key"] for r in received) == sorted(m["idempotency_key"] for m in failed)
    assert {r["posts"] for r in received} == {1}
    assert {m["attempts"] for m in messages(store, campaign)} == {2}


def test_max_attempts_leaves_failed_messages_visible(store, recipients, gateway,
                                                     outreach_settings):
    s = outreach_settings.replace(outreach_max_attempts=2, outreach_retry_base_s=10)
    campaign = create_campaign(store, "give-up", TEMPLATE, recipients[:2],
                               channel="webhook").campaign_id
    gateway.set_mode(mode="500")
    for minutes in (0, 1, 2, 3):
        send_campaign(store, campaign, s, channel=webhook(gateway, s),
                      now=MORNING + dt.timedelta(minutes=minutes))
    rows = messages(store, campaign)
    assert [(m["status"], m["attempts"], m["next_attempt_at"]) for m in rows] == \
        [("failed", 2, None)] * 2
    assert all(m["last_error"].startswith("gateway answered HTTP 500") for m in rows)
    events = store.execute("SELECT count(*) FROM outreach_event WHERE status = 'failed'")
    assert events.fetchone()[0] == 4


def test_timeout_is_retried_with_the_same_key_and_sent_once(store, recipients, gateway,
                                                            outreach_settings):
    s = outreach_settings.replace(outreach_webhook_timeout_ms=300, outreach_retry_base_s=1)
    campaign = create_campaign(store, "slow", TEMPLATE, recipients[:2],
                               channel="webhook").campaign_id
    gateway.set_mode(mode="slow", delay_ms=1500)
    slow = send_campaign(store, campaign, s, channel=webhook(gateway, s), now=MORNING)
    assert slow.failed == 2 and "outreach_webhook_timeout_ms" in slow.errors[0]
    assert len(gateway.received()) == 2  # the gateway heard them although we timed out
    gateway.set_mode(mode="ok", delay_ms=0)
    retry = send_campaign(store, campaign, s, channel=webhook(gateway, s),
                          now=MORNING + dt.timedelta(seconds=5))
    assert retry.sent == 2
    received = gateway.received()
    assert len(received) == 2 and {r["posts"] for r in received} == {2}


def test_delivery_reports_and_replies(store, recipients, gateway, outreach_settings):
    people = recipients[:3] + [dict(recipients[3], phone="5551234")]  # not a mobile number
    campaign = create_campaign(store, "reports", TEMPLATE, people,
                               channel="webhook").campaign_id
    channel = webhook(gateway, outreach_settings)
    assert send_campaign(store, campaign, outreach_settings, channel=channel,
                         now=MORNING).sent == 4
    key = messages(store, campaign)[0]["idempotency_key"]
    requests.post(f"{gateway.url}/messages/{key}/reply", json={"text": "1"}, timeout=5)
    changed = sync_statuses(store, campaign, outreach_settings, channel=channel)
    assert changed == {"delivered": 2, "failed": 1, "replied": 1}
    rows = {m["resident_id"]: m for m in messages(store, campaign)}
    assert rows["R01"]["status"] == "replied" and rows["R01"]["reply_text"] == "1"
    assert rows["R04"]["status"] == "failed" and rows["R04"]["next_attempt_at"] is None


def test_unreachable_gateway_is_a_retryable_failure(store, recipients, outreach_settings):
    from tests.conftest import free_port

    campaign = create_campaign(store, "nowhere", TEMPLATE, recipients[:1],
                               channel="webhook").campaign_id
    channel = Webhook(f"http://127.0.0.1:{free_port()}", 500)
    report = send_campaign(store, campaign, outreach_settings, channel=channel, now=MORNING)
    assert report.failed == 1 and "unreachable" in report.errors[0]
    assert messages(store, campaign)[0]["next_attempt_at"] is not None


def test_call_centre_csv_writes_each_call_once(store, recipients, outreach_settings, tmp_path):
    campaign = create_campaign(store, "calls", "请致电{{ name }}，介绍筛查项目。", recipients[:3],
                               kind="call", channel="csv").campaign_id
    channel = CallCentreCsv(tmp_path / "calls")
    first = messages(store, campaign)[0]
    channel.deliver({**first, "kind": "call"})  # handed over, then "crashed" before recording
    report = send_campaign(store, campaign, outreach_settings,
                           channel=CallCentreCsv(tmp_path / "calls"), now=MORNING)
    assert report.sent == 3
    path = channel.path_for(campaign)
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["resident_id"] for r in rows] == ["R01", "R02", "R03"]
    assert rows[0]["script"] == "请致电Li Xiuying，介绍筛查项目。"
    assert path.stat().st_mode & 0o077 == 0
