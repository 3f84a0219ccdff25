"""``partnerbot serve --workers N``: several processes on one port, sharing the database; every
acknowledged log survives a kill -9 of all of them; SIGTERM stops them all cleanly.

Runs against the real server on SQLite and PostgreSQL; each test has its own workspace.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.standin.http import HttpStandIn

from .conftest import ServerProcess, export_rows, serve_env
from .slack_client import SlackClient

pytestmark = pytest.mark.e2e
LOGS = 24


def workers_of(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        return [int(child) for child in children.read().split()]


@pytest.fixture
def two_workers(standin: HttpStandIn, database_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    process = ServerProcess(serve_env(standin, database_url), tmp_path, ("--workers", "2")).start()
    yield process.wait_ready()
    for pid in [*workers_of(process.pid), process.pid] if process.proc.poll() is None else []:
        os.kill(pid, signal.SIGKILL)
    process.kill()


def test_two_workers_log_concurrently_and_every_ack_survives_kill_9(
    two_workers: ServerProcess, standin: HttpStandIn, team: str, database_url: str
) -> None:
    assert len(workers_of(two_workers.pid)) == 2
    slack = SlackClient(two_workers.url, two_workers.secret, standin)
    slack.add_partner("Acme Corp", team=team)
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(
            pool.map(
                lambda n: slack.send_command(
                    f"log Acme Corp call check-in {n}", team=team, trigger_id=standin.new_trigger_id()
                ),
                range(LOGS),
            )
        )
    assert all(a.status == 200 and "Logged a *call*" in a.text for a in answers), [a.text for a in answers]
    for pid in [two_workers.pid, *workers_of(two_workers.pid)]:
        os.kill(pid, signal.SIGKILL)  # no process finishes anything it had not committed
    two_workers.wait_exit()
    notes = sorted(row["notes"] for row in export_rows(database_url, "interactions", team))
    assert notes == sorted(f"check-in {n}" for n in range(LOGS))


def test_sigterm_stops_every_worker_cleanly(two_workers: ServerProcess) -> None:
    workers = workers_of(two_workers.pid)
    two_workers.assert_stops_cleanly()
    for pid in workers:
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]


def test_socket_mode_refuses_more_than_one_worker(
    standin: HttpStandIn, database_url: str, tmp_path: Path
) -> None:
    env = serve_env(standin, database_url, SLACK_APP_TOKEN="xapp-1-A1-1-abc")
    process = ServerProcess(env, tmp_path, ("--workers", "2")).start()
    assert process.wait_exit() == 2, process.output
    assert "in Socket Mode" in process.output and "run one worker" in process.output
