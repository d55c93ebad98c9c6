"""Fixtures for the outreach tests: recipients from the fixture graph, a private workflow
store, settings without quiet hours, and a real fake-gateway process."""

from __future__ import annotations

import pytest
import requests

from queries.outreach.gateway import start_gateway
from queries.store import connect
from tests.conftest import free_port

# The silent group's member shape, read from the fixture graph (queries.programs builds the
# real silent group; these tests need only recipients of the same shape).
RECIPIENTS_CYPHER = (
    "MATCH (r:Resident)-[:LIVES_IN]->(b:Building)-[:IN_AREA]->(a:ResidentialArea) "
    "RETURN r.resident_id AS resident_id, r.name AS name, r.phone AS phone, "
    "b.address AS address, a.area_id AS area_id, a.name AS area_name "
    "ORDER BY resident_id")


@pytest.fixture
def recipients_cypher() -> str:
    """The query behind ``recipients`` (the lint test checks it)."""
    return RECIPIENTS_CYPHER


@pytest.fixture
def recipients(small_graph) -> list[dict]:
    """The fixture graph's twelve residents as silent-group members."""
    return small_graph.read(RECIPIENTS_CYPHER).rows


@pytest.fixture
def store(tmp_path):
    """A private, empty workflow store."""
    conn = connect(tmp_path / "workflow.sqlite3")
    yield conn
    conn.close()


@pytest.fixture
def outreach_settings(settings, tmp_path):
    """Session settings with no quiet hours, a short timeout and a private data_dir."""
    return settings.replace(outreach_quiet_start="00:00", outreach_quiet_end="00:00",
                            outreach_webhook_timeout_ms=2000, data_dir=str(tmp_path))


class Gateway:
    """A running fake gateway process and a few calls to inspect and steer it."""

    def __init__(self, port: int, process):
        self.url = f"http://127.0.0.1:{port}"
        self.process = process

    def received(self) -> list[dict]:
        return requests.get(f"{self.url}/messages", timeout=5).json()["messages"]

    def set_mode(self, **state) -> None:
        requests.post(f"{self.url}/admin/mode", json=state, timeout=5).raise_for_status()


@pytest.fixture
def gateway(tmp_path):
    """A fake gateway process on a free port, recording into tmp_path; killed afterwards."""
    port = free_port()
    process = start_gateway(port, tmp_path / "gateway.sqlite3")
    yield Gateway(port, process)
    process.kill()
    process.wait(timeout=10)
