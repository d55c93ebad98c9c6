"""Outreach under gateway faults, against the fake gateway as a real HTTP process.

The gateway is down (process killed mid-campaign: connection refused), slow (answers after
the client's timeout, having recorded the message), or fails intermittently with HTTP 500
(before recording, or after: it has the message but the client hears an error) or 429, and
then recovers. For each: no message lost (every recipient ends ``sent`` or ``delivered``),
none sent twice (the gateway's own log holds each idempotency key, phone and text exactly
once; re-POSTs of a key it already had are counted, not sent), and while the fault lasts
the campaign status (`minqing campaign status`, a real process) says what failed and why.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest
import requests

from queries.outreach.campaigns import create_campaign, messages, status_counts
from queries.outreach.channels import Webhook
from queries.outreach.gateway import start_gateway
from queries.outreach.sending import send_campaign
from queries.store import connect
from tests.conftest import free_port, settings_env
from tests.faults.conftest import repetitions
from tests.queries.outreach.conftest import RECIPIENTS_CYPHER

TEMPLATE = "{{ name }}您好，社区免费筛查可以预约了。"
MORNING = dt.datetime(2025, 7, 1, 9, 0)
TIMEOUT_MS = 400


class RestartableGateway:
    """The fake gateway on a fixed port and data file, which a test may kill and restart."""

    def __init__(self, port: int, data, seed: int):
        self.port, self.data, self.seed = port, data, seed
        self.url = f"http://127.0.0.1:{port}"
        self.process = None

    def start(self, **mode) -> None:
        self.process = start_gateway(self.port, self.data, seed=self.seed, **mode)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)

    def received(self) -> list[dict]:
        return requests.get(f"{self.url}/messages", timeout=5).json()["messages"]

    def set_mode(self, **state) -> None:
        requests.post(f"{self.url}/admin/mode", json=state, timeout=5).raise_for_status()


@pytest.fixture
def gateway(tmp_path):
    """A fake gateway process on a free port, recording into tmp_path; killed afterwards."""
    gateway = RestartableGateway(free_port(), tmp_path / "gateway.sqlite3", seed=9)
    gateway.start()
    yield gateway
    if gateway.process.poll() is None:
        gateway.kill()


@pytest.fixture
def fault_settings(settings, gateway, tmp_path):
    """No quiet hours, a short timeout, quick retries, enough tries to outlast the faults."""
    return settings.replace(outreach_quiet_start="00:00", outreach_quiet_end="00:00",
                            outreach_webhook_timeout_ms=TIMEOUT_MS, outreach_retry_base_s=1,
                            outreach_retry_max_s=4, outreach_max_attempts=40,
                            outreach_webhook_url=gateway.url, data_dir=str(tmp_path / "data"))


@pytest.fixture
def campaign(small_graph, fault_settings, request):
    """A webhook campaign to the fixture graph's twelve residents; (store, campaign_id)."""
    store = connect(fault_settings)
    recipients = small_graph.read(RECIPIENTS_CYPHER).rows
    campaign_id = create_campaign(store, request.node.name[:60], TEMPLATE, recipients,
                                  channel="webhook").campaign_id
    yield store, campaign_id
    store.close()


def send(store, campaign_id, settings, now, **options):
    """One run of the send loop at local time ``now`` through a fresh webhook client."""
    channel = Webhook(settings.outreach_webhook_url, settings.outreach_webhook_timeout_ms)
    return send_campaign(store, campaign_id, settings, channel=channel, now=now, **options)


def send_in_own_connection(campaign_id, settings, now) -> None:
    """``send`` from another thread: SQLite connections stay in the thread that opened them."""
    store = connect(settings)
    try:
        send(store, campaign_id, settings, now)
    finally:
        store.close()


def send_until_all_sent(store, campaign_id, settings, now, runs: int = 10) -> int:
    """Re-run the send loop, past each backoff, until every message is sent; return runs."""
    for run in range(1, runs + 1):
        send(store, campaign_id, settings, now)
        counts = status_counts(store, campaign_id)
        # `campaign status` polls delivery reports: some sent messages are delivered by now
        if counts["sent"] + counts["delivered"] == sum(counts.values()):
            return run
        now += dt.timedelta(seconds=settings.outreach_retry_max_s + 1)
    raise AssertionError(f"not all sent after {runs} runs: {status_counts(store, campaign_id)}")


def assert_each_sent_once(store, campaign_id, gateway) -> int:
    """Every message sent, and the gateway holds each exactly once; return re-POSTs."""
    rows = messages(store, campaign_id)
    assert len(rows) == 12 and {m["status"] for m in rows} <= {"sent", "delivered"}
    received = gateway.received()
    assert sorted(r["key"] for r in received) == sorted(m["idempotency_key"] for m in rows)
    assert Counter(r["to_number"] for r in received) == Counter(m["phone"] for m in rows)
    assert Counter(r["body"] for r in received) == Counter(m["body"] for m in rows)
    return sum(r["posts"] for r in received) - len(received)


def cli(settings, *args) -> subprocess.CompletedProcess:
    """Run ``minqing <args>`` as its own process with ``settings``."""
    env = {**os.environ, **settings_env(settings)}
    return subprocess.run([sys.executable, "-c", "from graph.cli import main; main()", *args],
                          env=env, capture_output=True, text=True, timeout=120)


def status_says(settings, campaign_id, reason: str) -> dict:
    """`minqing campaign status --json` names the failed messages and ``reason``."""
    done = cli(settings, "campaign", "status", str(campaign_id), "--json")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    report = json.loads(done.stdout)
    assert report["counts"]["failed"] == len(report["failed"]) > 0
    for failed in report["failed"]:
        assert reason in failed["last_error"], failed
        assert failed["next_attempt_at"], "a retryable failure must have a retry time"
    return report


@pytest.mark.parametrize("cycle", range(repetitions(1, 3)))
def test_gateway_down_mid_campaign_then_back(campaign, gateway, fault_settings, cycle):
    store, campaign_id = campaign
    gateway.set_mode(delay_ms=150)  # room to kill it mid-campaign
    run = threading.Thread(target=send_in_own_connection,
                           args=(campaign_id, fault_settings, MORNING))
    run.start()
    deadline = time.monotonic() + 60
    while len(gateway.received()) < 3 + cycle and time.monotonic() < deadline:
        time.sleep(0.02)
    gateway.kill()  # connection refused from now on; the message in flight may be recorded
    run.join(timeout=60)
    assert not run.is_alive()
    counts = status_counts(store, campaign_id)
    assert counts["failed"] > 0 and counts["sent"] > 0, counts
    assert counts["sent"] + counts["failed"] == 12
    status_says(fault_settings, campaign_id, "unreachable")

    gateway.start()
    later = MORNING + dt.timedelta(seconds=fault_settings.outreach_retry_max_s + 1)
    send_until_all_sent(store, campaign_id, fault_settings, later)
    assert_each_sent_once(store, campaign_id, gateway)


def test_slow_gateway_timeouts_are_retried_with_the_same_key(campaign, gateway,
                                                             fault_settings):
    store, campaign_id = campaign
    gateway.set_mode(mode="slow", delay_ms=TIMEOUT_MS * 3)
    slow = send(store, campaign_id, fault_settings, MORNING, limit=4)
    assert (slow.attempted, slow.failed) == (4, 4)
    assert len(gateway.received()) == 4  # recorded although the client gave up waiting
    status_says(fault_settings, campaign_id, "outreach_webhook_timeout_ms")

    gateway.set_mode(mode="ok", delay_ms=0)
    later = MORNING + dt.timedelta(seconds=fault_settings.outreach_retry_max_s + 1)
    send_until_all_sent(store, campaign_id, fault_settings, later)
    assert assert_each_sent_once(store, campaign_id, gateway) == 4  # four re-POSTs, deduped


@pytest.mark.parametrize("fail_status,after_record", [(500, False), (500, True),
                                                      (429, False), (503, True)])
@pytest.mark.parametrize("outage_runs", range(repetitions(1, 4)))
def test_intermittent_errors_then_recovery(campaign, gateway, fault_settings, fail_status,
                                           after_record, outage_runs):
    store, campaign_id = campaign
    gateway.set_mode(fail_rate=0.5, fail_status=fail_status, fail_after_record=after_record)
    now = MORNING
    first = send(store, campaign_id, fault_settings, now)
    assert 0 < first.failed < 12, first  # intermittent: some through, some not
    assert all(f"HTTP {fail_status}" in e for e in first.errors)
    status_says(fault_settings, campaign_id, f"gateway answered HTTP {fail_status}")
    for _ in range(outage_runs):  # full mode: longer outages, more retries under the fault
        now += dt.timedelta(seconds=fault_settings.outreach_retry_max_s + 1)
        send(store, campaign_id, fault_settings, now)

    gateway.set_mode(fail_rate=0.0)
    now += dt.timedelta(seconds=fault_settings.outreach_retry_max_s + 1)
    send_until_all_sent(store, campaign_id, fault_settings, now)
    reposts = assert_each_sent_once(store, campaign_id, gateway)
    if after_record:
        assert reposts >= first.failed  # the gateway had them: re-POSTed and deduped
    else:
        assert reposts == 0  # refused before recording: the retry is the first delivery


def test_status_and_send_report_while_the_gateway_is_down(campaign, gateway, fault_settings):
    store, campaign_id = campaign
    gateway.kill()
    done = cli(fault_settings, "campaign", "send", str(campaign_id))
    assert "Traceback" not in done.stderr
    assert done.returncode == 0, done.stderr
    assert "0 sent, 12 failed" in done.stdout and "unreachable" in done.stdout
    shown = cli(fault_settings, "campaign", "status", str(campaign_id))
    assert shown.returncode == 0, shown.stderr
    assert "unreachable" in shown.stdout and "retry after" in shown.stdout
    status_says(fault_settings, campaign_id, "unreachable")
