"""No double send across a crash: an injected crash between the POST and the status update,
and a real ``minqing campaign send`` process killed with SIGKILL mid-run."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time

from queries.outreach.campaigns import create_campaign, messages, status_counts
from queries.outreach.channels import Webhook
from queries.outreach.sending import send_campaign
from queries.store import connect

TEMPLATE = "{{ name }}您好，社区免费筛查可以预约了。"
MORNING = dt.datetime(2025, 7, 1, 9, 0)


class Crash(BaseException):
    """Stands for the process dying: not an Exception, so nothing on the way catches it."""


class CrashAfterPost(Webhook):
    """A webhook that dies right after the gateway accepted its ``crash_at``-th message."""

    def __init__(self, url, timeout_ms, crash_at):
        super().__init__(url, timeout_ms)
        self.calls = 0
        self.crash_at = crash_at

    def deliver(self, message):
        gateway_id = super().deliver(message)
        self.calls += 1
        if self.calls == self.crash_at:
            raise Crash()
        return gateway_id


def test_crash_between_post_and_status_update_sends_once(store, recipients, gateway,
                                                         outreach_settings):
    campaign = create_campaign(store, "crash", TEMPLATE, recipients,
                               channel="webhook").campaign_id
    crashing = CrashAfterPost(gateway.url, 2000, crash_at=5)
    try:
        send_campaign(store, campaign, outreach_settings, channel=crashing, now=MORNING)
    except Crash:
        pass
    counts = status_counts(store, campaign)
    assert (counts["sent"], counts["sending"], counts["queued"]) == (4, 1, 7)
    assert len(gateway.received()) == 5  # the gateway has the one we never recorded

    report = send_campaign(store, campaign, outreach_settings,
                           channel=Webhook(gateway.url, 2000), now=MORNING)
    assert (report.recovered, report.sent) == (1, 8)
    received = gateway.received()
    keys = sorted(m["idempotency_key"] for m in messages(store, campaign))
    assert sorted(r["key"] for r in received) == keys  # each message exactly once
    assert sorted(r["posts"] for r in received) == [1] * 11 + [2]  # one re-POST, deduped
    assert status_counts(store, campaign)["sent"] == 12


def test_sigkilled_sender_is_resumed_without_double_send(recipients, gateway, outreach_settings,
                                                         tmp_path):
    data_dir = tmp_path / "data"
    store = connect(data_dir / "workflow.sqlite3")
    campaign = create_campaign(store, "killed", TEMPLATE, recipients,
                               channel="webhook").campaign_id
    gateway.set_mode(delay_ms=150)  # each send takes a while: room to kill mid-run
    env = {**os.environ, "MINQING_DATA_DIR": str(data_dir),
           "MINQING_CONFIG_FILE": str(tmp_path / "none.toml"),
           "MINQING_OUTREACH_WEBHOOK_URL": gateway.url,
           "MINQING_OUTREACH_QUIET_START": "00:00", "MINQING_OUTREACH_QUIET_END": "00:00"}
    sender = subprocess.Popen(
        [sys.executable, "-c", "from graph.cli import main; main()", "campaign", "send",
         str(campaign)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(gateway.received()) < 5 and time.monotonic() < deadline:
        time.sleep(0.02)
    sender.send_signal(signal.SIGKILL)
    sender.wait(timeout=10)
    assert sender.returncode == -signal.SIGKILL
    before = status_counts(store, campaign)
    assert 0 < before["sent"] + before["sending"] < 12, before  # really killed mid-run
    print("after SIGKILL:", before)

    gateway.set_mode(delay_ms=0)
    resumed = subprocess.run(
        [sys.executable, "-c", "from graph.cli import main; main()", "campaign", "send",
         str(campaign)], env=env, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert "recovered" in resumed.stdout
    received = gateway.received()
    keys = sorted(m["idempotency_key"] for m in messages(store, campaign))
    assert sorted(r["key"] for r in received) == keys
    assert status_counts(store, campaign)["delivered"] == 12
    store.close()
