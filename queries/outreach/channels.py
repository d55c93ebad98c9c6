"""Channels that carry a message out: an outbox table, a webhook to an SMS/call gateway, a CSV.

All three share one small interface, ``deliver(message) -> gateway id``, and every one is
idempotent on the message's ``idempotency_key``: delivering the same message twice (a retry
after a crash between delivering and recording it) hands it over once. Errors raise
``ChannelError`` with ``retryable`` saying whether trying again later can help.
"""

from __future__ import annotations

import csv
import os
import sqlite3
from pathlib import Path
from typing import Any, Mapping

from graph.errors import ConfigError, MinqingError
from queries.store import ensure_schema, now_text

OUTBOX_SCHEMA = """
CREATE TABLE IF NOT EXISTS outreach_outbox (
    idempotency_key TEXT PRIMARY KEY,
    campaign_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    phone TEXT NOT NULL,
    body TEXT NOT NULL,
    queued_at TEXT NOT NULL
);
"""
CSV_COLUMNS = ("idempotency_key", "campaign_id", "message_id", "resident_id", "name", "phone",
               "area_name", "kind", "script")


class ChannelError(MinqingError):
    """A channel could not hand a message over; ``retryable`` if a later try may succeed."""

    def __init__(self, message: str, retryable: bool = True):
        super().__init__(message)
        self.retryable = retryable


class Channel:
    """Hands messages to the outside world; subclasses implement ``deliver``."""

    name = "channel"

    def deliver(self, message: Mapping[str, Any]) -> str:
        """Hand ``message`` over once per idempotency key; return the channel's id for it."""
        raise NotImplementedError

    def statuses(self, keys: list[str]) -> dict[str, dict]:
        """Return ``{key: {"status": ..., "reply": ...}}`` for keys the channel knows about.

        Channels without delivery reports return nothing: their messages stay ``sent``.
        """
        return {}


class Outbox(Channel):
    """Queue messages in a table of the workflow store, for a sender outside Minqing."""

    name = "outbox"

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        ensure_schema(conn, OUTBOX_SCHEMA)

    def deliver(self, message):
        self.conn.execute(
            "INSERT OR IGNORE INTO outreach_outbox (idempotency_key, campaign_id, message_id, "
            "kind, phone, body, queued_at) VALUES (?,?,?,?,?,?,?)",
            (message["idempotency_key"], message["campaign_id"], message["message_id"],
             message.get("kind", "sms"), message["phone"], message["body"], now_text()))
        return message["idempotency_key"]


class Webhook(Channel):
    """POST each message to an SMS/call gateway with an ``Idempotency-Key`` header.

    The gateway must answer a repeated key with the first answer and send nothing again;
    that is what makes a re-POST after a crash or a timeout safe.
    """

    name = "webhook"

    def __init__(self, url: str, timeout_ms: int):
        import requests

        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"outreach_webhook_url must be an http(s) URL, got {url!r}.")
        self.url = url.rstrip("/")
        self.timeout_s = timeout_ms / 1000
        self.session = requests.Session()

    def deliver(self, message):
        import requests

        payload = {"to": message["phone"], "body": message["body"],
                   "kind": message.get("kind", "sms"), "campaign_id": message["campaign_id"],
                   "message_id": message["message_id"]}
        try:
            response = self.session.post(
                f"{self.url}/messages", json=payload, timeout=self.timeout_s,
                headers={"Idempotency-Key": message["idempotency_key"]})
        except requests.Timeout as e:
            raise ChannelError(f"gateway {self.url} did not answer within "
                               f"{self.timeout_s * 1000:.0f} ms (outreach_webhook_timeout_ms)"
                               ) from e
        except requests.RequestException as e:
            raise ChannelError(f"gateway {self.url} unreachable: {type(e).__name__}") from e
        if response.status_code in (200, 201, 202):
            return str(response.json().get("id") or message["idempotency_key"])
        # 429 and 5xx are the gateway's trouble and may pass; other 4xx reject the message.
        retryable = response.status_code == 429 or response.status_code >= 500
        raise ChannelError(f"gateway answered HTTP {response.status_code}: "
                           f"{response.text[:200]}", retryable=retryable)

    def statuses(self, keys):
        import requests

        result: dict[str, dict] = {}
        for start in range(0, len(keys), 500):
            try:
                response = self.session.post(f"{self.url}/messages/status",
                                             json={"keys": keys[start:start + 500]},
                                             timeout=self.timeout_s)
                response.raise_for_status()
            except requests.RequestException as e:
                raise ChannelError(f"cannot poll delivery status at {self.url}: {e}") from e
            result.update(response.json()["messages"])
        return result


class CallCentreCsv(Channel):
    """Append call scripts to one CSV per campaign for a call centre (owner-only file)."""

    name = "csv"

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._seen: dict[Path, set[str]] = {}

    def path_for(self, campaign_id: int) -> Path:
        """Return the CSV file of ``campaign_id``."""
        return self.directory / f"campaign_{campaign_id}_calls.csv"

    def _keys(self, path: Path) -> set[str]:
        if path not in self._seen:
            keys: set[str] = set()
            if path.exists():
                with path.open(encoding="utf-8", newline="") as f:
                    keys = {row["idempotency_key"] for row in csv.DictReader(f)}
            self._seen[path] = keys
        return self._seen[path]

    def deliver(self, message):
        path = self.path_for(message["campaign_id"])
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            keys = self._keys(path)
            if message["idempotency_key"] in keys:  # written before a crash: not again
                return message["idempotency_key"]
            new = not path.exists()
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8", newline="") as f:
                writer = csv.DictWriter(f, CSV_COLUMNS, extrasaction="ignore")
                if new:
                    writer.writeheader()
                writer.writerow({**message, "script": message["body"]})
                f.flush()
                os.fsync(f.fileno())
        except OSError as e:
            raise ChannelError(f"cannot write {path}: {e}") from e
        keys.add(message["idempotency_key"])
        return message["idempotency_key"]


def open_channel(name: str, settings, conn: sqlite3.Connection) -> Channel:
    """Return the channel called ``name`` configured from ``settings``."""
    if name == "outbox":
        return Outbox(conn)
    if name == "webhook":
        return Webhook(settings.outreach_webhook_url, settings.outreach_webhook_timeout_ms)
    if name == "csv":
        return CallCentreCsv(settings.data_path / "outreach")
    raise ConfigError(f"Unknown outreach channel {name!r}; use outbox, webhook or csv.")
