"""Ways of sending requests and timing the answers: one after another, N at a time, and "until the
answer is visible" (in the acknowledgement or, later, on the response_url)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import requests

from bench import slack
from bench.proc import Server
from bench.standin import StandIn


def sequential(
    url: str, prepared: Sequence[slack.Prepared], *, deadline: float, timeout: float = 30.0
) -> list[slack.Answer]:
    """Send each request after the previous answer; stops early at ``deadline`` (monotonic)."""
    answers: list[slack.Answer] = []
    with requests.Session() as session:
        for item in prepared:
            if time.monotonic() > deadline:
                break
            answers.append(slack.send(session, url, item, timeout=timeout))
    return answers


def concurrent(
    url: str, prepared: Sequence[slack.Prepared], *, concurrency: int, deadline: float, timeout: float = 30.0
) -> tuple[list[slack.Answer], float]:
    """``concurrency`` clients, each sending its next request as soon as its previous one is answered,
    until all are sent or ``deadline`` (monotonic) passes. Returns the answers and the wall time
    from the first send to the last answer."""
    answers: list[slack.Answer | None] = [None] * len(prepared)
    position = iter(range(len(prepared)))
    lock = threading.Lock()

    def client() -> None:
        with requests.Session() as session:
            while time.monotonic() < deadline:
                with lock:
                    index = next(position, None)
                if index is None:
                    return
                answers[index] = slack.send(session, url, prepared[index], timeout=timeout)

    threads = [threading.Thread(target=client, name=f"client-{i}", daemon=True) for i in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()) + timeout + 5)
    wall = time.perf_counter() - started
    return [a for a in answers if a is not None], wall


def warm_up(server: Server, team: str, standin: StandIn, count: int = 10) -> None:
    """A few ``/partner help`` requests: connections, imports and Bolt's first-request work."""
    prepared = [
        slack.command(server.secret, "help", team=team, response_url=standin.new_response_url()[1])
        for _ in range(count)
    ]
    sequential(server.events_url, prepared, deadline=time.monotonic() + 60)


def unknown_subcommand(payload: Any, word: str) -> bool:
    return any(f"I don't know `{word}`" in t for t in slack.texts(payload))


@dataclass
class Visible:
    seconds: float | None  # request sent → answer visible; None when it never was
    where: str  # "ack", "response_url", "not implemented", "timeout", "http <status>"
    payload: Any = None
    ack_seconds: float | None = None


def until_visible(
    server: Server,
    standin: StandIn,
    text: str,
    *,
    team: str,
    accept: Callable[[Any], bool],
    word: str,
    timeout: float,
    session: requests.Session,
) -> Visible:
    """Send ``/partner <text>`` and time it until a message that ``accept`` takes is visible: the
    acknowledgement's body, or a POST to the command's response_url (its arrival time)."""
    rid, response_url = standin.new_response_url()
    prepared = slack.command(server.secret, text, team=team, response_url=response_url)
    answer = slack.send(session, server.events_url, prepared, timeout=timeout)
    if answer.status != 200:
        return Visible(None, f"http {answer.status or answer.error}", answer.text[:300], answer.elapsed)
    body = answer.json()
    if body is not None and accept(body):
        return Visible(answer.elapsed, "ack", body, answer.elapsed)
    if body is not None and unknown_subcommand(body, word):
        return Visible(None, "not implemented", body, answer.elapsed)

    def done(payload: Any) -> bool:
        return accept(payload) or unknown_subcommand(payload, word)

    post = standin.wait_for(rid, done, deadline=answer.sent + timeout)
    if post is None:
        seen = [p.body for p in standin.posts(rid)]
        return Visible(None, "timeout", {"ack": body, "posts": seen[-3:]}, answer.elapsed)
    if unknown_subcommand(post.body, word):
        return Visible(None, "not implemented", post.body, answer.elapsed)
    return Visible(post.arrived - answer.sent, "response_url", post.body, answer.elapsed)


def names_in(payload: Any, names: Sequence[str], enough: int) -> int:
    """How many of ``names`` appear in the payload's texts (stops counting at ``enough``)."""
    joined = "\n".join(slack.texts(payload))
    found = 0
    for name in names:
        if name in joined:
            found += 1
            if found >= enough:
                break
    return found
