"""The App Home dashboard: valid Block Kit within Slack's limits however large the
workspace, user text shown literally; and publishing it again in the background after a change."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from bot.standin.blockkit import MAX_VIEW_BLOCKS, assert_valid_home
from handlers.home.listeners import publish_home, republish_home
from handlers.home.views import ATTENTION_LIMIT, OWN_LIMIT, home_view, line_sections
from handlers.services.dashboard import Dashboard, RecentLog
from handlers.shared.blocks import as_dicts
from handlers.shared.deps import Deps
from handlers.shared.ids import HomeIds
from scoring import ScoringSettings, needs_attention, score_partners
from storage import interactions as interaction_store
from storage import partners as partner_store
from storage.db import Database
from storage.models import InteractionKind

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
USER = "U1"
NASTY = "<!channel> *bold* & _it_ `code` <@U999> " + "&<>" * 40


def workspace(size: int, *, owner_share: float = 0.4, seed: int = 3, nasty: bool = True) -> pd.DataFrame:
    """A ranking's scored frame for ``size`` active partners, with owners, as compute_ranking makes it."""
    rng = np.random.default_rng(seed)
    ids = np.arange(1, size + 1)
    names = [f"Partner {i:05d}" for i in ids]
    if nasty:
        for i in range(min(size, 50)):
            names[i] = (NASTY + " " + "y" * 200)[:200] if i % 2 else f"{NASTY[:60]} {i}"
    contacted = rng.random(size) < 0.7
    last_contact = pd.Series(
        pd.to_datetime(NOW) - pd.to_timedelta(rng.exponential(40.0, size), unit="D"),
        dtype="datetime64[ns, UTC]",
    ).where(contacted)
    partners = pd.DataFrame(
        {
            "partner_id": ids,
            "name": names,
            "tier": rng.choice(np.array(["gold", "silver", None], dtype=object), size),
            "revenue": rng.uniform(0, 10_000, size),
            "cost": rng.uniform(1, 5_000, size),
            "last_contact": last_contact,
        }
    )
    days = rng.integers(0, 90, size)
    active = rng.random(size) < 0.6
    activity = pd.DataFrame(
        {
            "partner_id": ids[active],
            "day": (pd.Timestamp(NOW).floor("D") - pd.to_timedelta(days[active], unit="D")),
            "weight": rng.uniform(1, 3, int(active.sum())),
            "count": rng.integers(1, 4, int(active.sum())),
        }
    )
    rated = rng.random(size) < 0.5
    counts = rng.integers(1, 10, int(rated.sum()))
    feedback = pd.DataFrame(
        {"partner_id": ids[rated], "score_sum": counts * rng.uniform(10, 100, len(counts)), "count": counts}
    )
    scored = score_partners(partners, activity, feedback, ScoringSettings(now=NOW))
    owners = np.where(rng.random(size) < owner_share, USER, rng.choice(np.array(["U2", "U3", None]), size))
    owner_frame = pd.DataFrame({"partner_id": ids, "owner": owners.astype(object)})
    return scored.merge(owner_frame, on="partner_id", how="left")


def recent(count: int = 5, notes: str = "Renewal talk") -> list[RecentLog]:
    return [
        RecentLog(
            partner_name=NASTY if i == 0 else f"Partner {i}",
            kind=list(InteractionKind)[i % len(InteractionKind)].value,
            occurred_at=NOW - timedelta(days=i),
            notes=notes * (200 if i == 1 else 1),
            follow_up_on=date(2026, 7, 1) if i % 2 else None,
        )
        for i in range(count)
    ]


def dashboard(
    scored: pd.DataFrame, logs: list[RecentLog] | None = None, *, has_data: bool = True
) -> Dashboard:
    return Dashboard(
        user_id=USER,
        scored=scored,
        has_data=has_data,
        window_days=90,
        attention=needs_attention(scored, NOW, stale_days=30, floor=60),
        recent=recent() if logs is None else logs,
        stale_days=30,
        floor=60,
    )


def texts(view: dict[str, Any]) -> str:
    return json.dumps(view, ensure_ascii=False)


def section_texts(view: dict[str, Any]) -> list[str]:
    found = []
    for block in view["blocks"]:
        if block["type"] == "section":
            found.append(block["text"]["text"])
        elif block["type"] == "context":
            found.extend(e["text"] for e in block["elements"])
    return found


# --- the dashboard -----------------------------------------------------------------------------


def test_five_thousand_partners_stay_within_block_kit_limits() -> None:
    scored = workspace(5_000)
    d = dashboard(scored)
    started = time.perf_counter()
    view = home_view(d)
    elapsed = time.perf_counter() - started
    assert_valid_home(view)
    assert len(view["blocks"]) <= MAX_VIEW_BLOCKS
    assert elapsed < 2, f"building the Home tab took {elapsed:.2f}s"

    shown = "\n".join(section_texts(view))
    mine = int((scored["owner"] == USER).sum())
    assert f"*Your partners* ({mine:,})" in shown
    assert f"…and {mine - OWN_LIMIT:,} more of yours." in shown
    assert shown.count("rank ") == OWN_LIMIT  # one line per listed partner of yours
    top = scored.sort_values("rank").head(5)
    for position, name in enumerate(top["name"], 1):
        assert f"*{position}.* *" in shown and name.split()[0] in shown
    attention = d.attention
    assert f"*Needs attention* ({len(attention):,})" in shown
    assert f"…and {len(attention) - ATTENTION_LIMIT:,} more." in shown
    assert "5,000 active partners" in shown


def test_the_users_own_partners_come_first_in_needs_attention() -> None:
    scored = workspace(500, owner_share=0.05)
    view = home_view(dashboard(scored))
    blocks = view["blocks"]
    heading = next(i for i, b in enumerate(blocks) if b.get("text", {}).get("text", "").startswith("*Needs"))
    lines = [line for line in blocks[heading + 1]["text"]["text"].splitlines() if line.startswith("• ")]
    yours = [i for i, line in enumerate(lines) if line.endswith("· yours")]
    assert yours and yours == list(range(len(yours))), lines


def test_everything_owned_by_one_person_with_the_longest_names_still_fits() -> None:
    scored = workspace(5_000, owner_share=1.0)
    scored["name"] = [(f"{i} " + NASTY * 3)[:200] for i in range(len(scored))]
    logs = recent(5, notes=NASTY * 100)
    view = home_view(dashboard(scored, logs))
    assert_valid_home(view)
    assert len(view["blocks"]) <= MAX_VIEW_BLOCKS
    assert "<!channel>" not in texts(view) and "<@U999>" not in texts(view)


def test_user_text_is_shown_literally() -> None:
    view = home_view(dashboard(workspace(60)))
    assert_valid_home(view)
    dumped = texts(view)
    assert "<!channel>" not in dumped
    assert "&lt;!channel&gt; *\u200dbold*\u200d" in dumped  # escaped, formatting neutralised


def test_recent_communications_show_kind_partner_notes_and_follow_up() -> None:
    view = home_view(dashboard(workspace(20, nasty=False), recent(5)))
    shown = "\n".join(section_texts(view))
    assert "*Your latest communications* (last 5)" in shown
    assert "Call with *&lt;!channel&gt;" in shown
    assert "Email with *Partner 1*" in shown and "· follow up on 2026-07-01" in shown
    assert "<!date^" in shown  # dates in each reader's own time zone
    long_line = next(line for line in shown.splitlines() if "Email with *Partner 1*" in line)
    assert len(long_line) < 400 and "…" in long_line


def test_an_empty_workspace_invites_a_first_partner_and_a_first_log() -> None:
    empty = workspace(1).iloc[0:0]
    view = home_view(dashboard(empty, []))
    assert_valid_home(view)
    shown = "\n".join(section_texts(view))
    assert "No active partners yet" in shown
    assert "You haven't logged anything yet" in shown
    assert "You don't own any active partners yet" in shown
    assert "No partner needs attention" in shown


def test_a_window_without_activity_has_no_top_list() -> None:
    view = home_view(dashboard(workspace(30), has_data=False))
    assert_valid_home(view)
    assert "so there is no ranking yet" in "\n".join(section_texts(view))


def test_the_three_buttons_come_first() -> None:
    view = home_view(dashboard(workspace(10)))
    actions = view["blocks"][1]
    assert actions["type"] == "actions"
    assert [(e["text"]["text"], e["action_id"]) for e in actions["elements"]] == [
        ("Log communication", HomeIds.LOG_BUTTON.value),
        ("Add partner", HomeIds.ADD_BUTTON.value),
        ("Give feedback", HomeIds.FEEDBACK_BUTTON.value),
    ]


def test_lines_are_packed_into_sections_under_the_text_limit() -> None:
    lines = [f"• line {i} " + "x" * 900 for i in range(40)]
    blocks = as_dicts(line_sections(lines))
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks)
    joined = "\n".join(b["text"]["text"] for b in blocks)
    assert all(f"• line {i} " in joined for i in range(40))
    assert len(blocks) < 40


# --- publishing ----------------------------------------------------------------------------------


class RecordingClient:
    """Stands in for WebClient: records views.publish. users.info (the person's time zone) goes to
    a closed port and fails at once: the tab then counts days in UTC."""

    token = "xoxb-test"
    base_url = "http://127.0.0.1:9/"

    def __init__(self) -> None:
        self.published: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def views_publish(self, *, user_id: str, view: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.published.append({"user_id": user_id, "view": view})
        return {"ok": True}


def test_publish_and_republish_after_a_log(database: Database, team_id: str) -> None:
    svc = Deps(db=database)
    with database.transaction() as session:
        acme = partner_store.add_partner(session, team_id, NASTY[:100], owner=USER)
        partner_store.add_partner(session, team_id, "Globex")
        acme_id = acme.id
    client = RecordingClient()
    publish_home(client, svc, team_id, USER)  # type: ignore[arg-type]
    (first,) = client.published
    assert_valid_home(first["view"])
    before = "\n".join(section_texts(first["view"]))
    assert "You haven't logged anything yet" in before
    assert "never contacted · needs attention" in before

    # Warm, fresh cache: without republish_home waiting for a new ranking, the old scores would show.
    svc.rankings.get(team_id)
    with database.transaction() as session:
        interaction_store.log_interaction(
            session,
            team_id,
            partner_id=acme_id,
            kind=InteractionKind.MEETING,
            occurred_at=svc.now(),
            notes="Quarterly plan",
            user_id=USER,
        )
    republish_home(client, svc, team_id, USER)  # type: ignore[arg-type]  (returns at once)
    assert svc.background.wait(15)
    assert len(client.published) == 2
    after = client.published[-1]
    assert after["user_id"] == USER
    assert_valid_home(after["view"])
    shown = "\n".join(section_texts(after["view"]))
    assert "Meeting with *&lt;!channel&gt;" in shown and "Quarterly plan" in shown
    acme_line = next(line for line in shown.splitlines() if line.startswith("• *&lt;!channel&gt;"))
    assert "needs attention" not in acme_line and "last contact <!date^" in acme_line


def test_no_republish_for_someone_who_never_opened_home(database: Database, team_id: str) -> None:
    """Republishing recomputes the ranking: not worth it for a tab nobody has looked at."""
    svc = Deps(db=database)
    client = RecordingClient()
    republish_home(client, svc, team_id, "UNEVERSEEN")  # type: ignore[arg-type]
    assert svc.background.wait(5)
    assert client.published == []
