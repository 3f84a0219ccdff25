"""Ways of sending requests and timing the answers: one after another, N at a time, and "until the
answer is visible" (in the acknowledgement or, later, on the response_url)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from bench import slack
from bench.proc import Server
from bot.standin.http import HttpStandIn
from bot.standin.records import RESPONSE_METHOD, Call
from bot.standin.texts import texts


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


def warm_up(server: Server, team: str, standin: HttpStandIn, count: int = 10) -> None:
    """A few ``/partner help`` requests: connections, imports and Bolt's first-request work."""
    prepared = [
        slack.command(
            server.secret,
            "help",
            team=team,
            response_url=standin.new_response_url(),
            trigger_id=standin.new_trigger_id(),
        )
        for _ in range(count)
    ]
    sequential(server.events_url, prepared, deadline=time.monotonic() + 60)


def unknown_subcommand(payload: Any, word: str) -> bool:
    return any(f"I don't know `{word}`" in t for t in texts(payload))


@dataclass
class Visible:
    seconds: float | None  # request sent → answer visible; None when it never was
    where: str  # "ack", "response_url", "not implemented", "timeout", "http <status>"
    payload: Any = None
    ack_seconds: float | None = None


def until_visible(
    server: Server,
    standin: HttpStandIn,
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
    response_url = standin.new_response_url()
    path = urlsplit(response_url).path
    prepared = slack.command(
        server.secret, text, team=team, response_url=response_url, trigger_id=standin.new_trigger_id()
    )
    answer = slack.send(session, server.events_url, prepared, timeout=timeout)
    if answer.status != 200:
        return Visible(None, f"http {answer.status or answer.error}", answer.text[:300], answer.elapsed)
    body = answer.json()
    if body is not None and accept(body):
        return Visible(answer.elapsed, "ack", body, answer.elapsed)
    if body is not None and unknown_subcommand(body, word):
        return Visible(None, "not implemented", body, answer.elapsed)

    def done(call: Call) -> bool:
        return call.path == path and (accept(call.args) or unknown_subcommand(call.args, word))

    left = answer.sent + timeout - time.monotonic()
    post = standin.first_call(RESPONSE_METHOD, where=done, timeout=max(0.0, left), answered=False)
    if post is None:
        seen = [c.args for c in standin.responses_to(response_url)]
        return Visible(None, "timeout", {"ack": body, "posts": seen[-3:]}, answer.elapsed)
    if unknown_subcommand(post.args, word):
        return Visible(None, "not implemented", post.args, answer.elapsed)
    # Call.time is when the stand-in had read the whole post: the answer became visible then.
    return Visible(post.time - answer.sent, "response_url", post.args, answer.elapsed)


def names_in(payload: Any, names: Sequence[str], enough: int) -> int:
    """How many of ``names`` appear in the payload's texts (stops counting at ``enough``)."""
    joined = "\n".join(texts(payload))
    found = 0
    for name in names:
        if name in joined:
            found += 1
            if found >= enough:
                break
    return found
