"""Send throughput of an outreach campaign through the fake SMS gateway (a real HTTP process).

Each run creates a fresh campaign of ``--messages`` synthetic recipients and sends it through
the webhook channel to ``queries.outreach.gateway`` on loopback; the baseline in the same
process sends an equal campaign through the outbox table, so the ratio is the cost of the
HTTP round trip (one POST per message, each state change committed before and after it).

    .venv/bin/python bench/outreach_send.py [--messages 2000] [--runs 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import socket
import tempfile
from pathlib import Path

from harness import median, report, timed

from graph.settings import load_settings
from queries.outreach.campaigns import create_campaign
from queries.outreach.channels import Outbox, Webhook
from queries.outreach.gateway import start_gateway
from queries.outreach.sending import send_campaign
from queries.store import connect


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    recipients = [{"resident_id": f"R{i:07d}", "name": f"居民{i}", "phone": f"139{i:08d}",
                   "area_name": "Linfen Garden"} for i in range(args.messages)]
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings({"data_dir": tmp, "outreach_quiet_start": "00:00",
                                  "outreach_quiet_end": "00:00",
                                  "outreach_daily_cap_per_campaign": 10 ** 9,
                                  "outreach_daily_cap_per_channel": 10 ** 9})
        conn = connect(Path(tmp) / "workflow.sqlite3")
        port = _free_port()
        gateway = start_gateway(port, Path(tmp) / "gateway.sqlite3")
        try:
            webhook_rates, outbox_rates = [], []
            for run in range(args.runs):
                for channel, rates in ((Webhook(f"http://127.0.0.1:{port}", 5000), webhook_rates),
                                       (Outbox(conn), outbox_rates)):
                    campaign = create_campaign(conn, f"bench-{channel.name}-{run}",
                                               "{{ name }}您好，免费筛查可以预约了。", recipients,
                                               channel=channel.name).campaign_id
                    # A fixed day per run keeps the daily caps of earlier runs out of the way.
                    seconds, result = timed(send_campaign, conn, campaign, settings,
                                            channel=channel,
                                            now=dt.datetime(2025, 7, 1 + run, 10, 0))
                    assert result.sent == args.messages, result
                    rates.append(args.messages / seconds)
        finally:
            gateway.kill()
            gateway.wait()
            conn.close()
    n = args.runs
    report("outreach_webhook_send_rate", median(webhook_rates), "messages/s", n, "sqlite",
           messages=args.messages)
    report("outreach_outbox_send_rate_baseline", median(outbox_rates), "messages/s", n,
           "sqlite", messages=args.messages)
    report("outreach_webhook_vs_outbox_time", median(outbox_rates) / median(webhook_rates),
           "ratio", n, "sqlite")


if __name__ == "__main__":
    main()
