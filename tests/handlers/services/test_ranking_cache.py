"""The ranking cache, on SQLite and PostgreSQL: a ranking kept up to date by reading only the
changed partners' rows equals one computed from every row, and every cache (another replica, the
CLI) sees a change the moment it is committed."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from handlers.services import rankings
from handlers.services.rankings import RankingCache, compute_ranking
from storage import feedback, interactions, partners, projects
from storage import ranking as ranking_store
from storage.db import Database
from storage.models import InteractionKind, PartnerStatus, ProjectStatus
from tests.storage.transfers import load

NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
MORNING = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # before midday UTC: today's decay is capped at 1
COMPARED = ["partner_id", "score", "rank", "engagement", "recency", "satisfaction", "delivery", "rank_change"]


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def workspace(database: Database, team_id: str) -> dict[str, int]:
    """Forty partners with two windows of communications and feedback, and some projects."""
    draw = random.Random(7)
    names = [f"Partner {i:02d}" for i in range(40)]
    load(database, "partners", "name,tier\n" + "".join(f"{n},gold\n" for n in names), team_id)
    kinds = ["call", "email", "meeting", "qbr", "note"]
    rows = []
    for _ in range(600):
        when = NOW - timedelta(hours=draw.uniform(0, 24 * 200))
        rows.append(f"{draw.choice(names)},{draw.choice(kinds)},{when.isoformat()},\n")
    load(database, "interactions", "partner,kind,occurred_at,notes\n" + "".join(rows), team_id)
    answers = []
    for _ in range(120):
        when = NOW - timedelta(days=draw.uniform(0, 170))
        answers.append(f"{draw.choice(names)},{draw.randint(1, 5)},{when.isoformat()}\n")
    load(database, "feedback", "partner,csat,submitted_at\n" + "".join(answers), team_id)
    with database.read() as session:
        return {n: partners.get_partner_by_name(session, team_id, n).id for n in names}  # type: ignore[union-attr]


def same_ranking(left: rankings.Ranking, right: rankings.Ranking) -> None:
    def table(ranking: rankings.Ranking) -> pd.DataFrame:
        return ranking.scored[COMPARED].sort_values("partner_id").reset_index(drop=True)

    pd.testing.assert_frame_equal(table(left), table(right), check_exact=False, rtol=1e-9)


def count_reads(monkeypatch: pytest.MonkeyPatch) -> list:
    """The partner_ids of every read_inputs call (None: every row)."""
    seen: list = []
    original = rankings.read_inputs

    def spy(*args: object, **kwargs: object) -> rankings.RankingInputs:
        seen.append(kwargs.get("partner_ids"))
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(rankings, "read_inputs", spy)
    return seen


def changes(database: Database, team_id: str, ids: dict[str, int]) -> list[Callable[[], None]]:
    """Changes a partner manager makes, each touching one or two partners."""

    def log() -> None:
        with database.transaction() as session:
            interactions.log_interaction(
                session, team_id, partner_id=ids["Partner 03"], kind=InteractionKind.MEETING,
                occurred_at=NOW - timedelta(hours=1), notes="", user_id="U1",
            )  # fmt: skip

    def answer() -> None:
        with database.transaction() as session:
            feedback.record_feedback(
                session, team_id, partner_id=ids["Partner 07"], csat=1, nps=None, comment="",
                user_team_id=team_id, user_id="U2", anonymous=False, submitted_at=NOW - timedelta(hours=2),
            )  # fmt: skip

    def move() -> None:  # an old communication moved into the other window and to another partner
        with database.transaction() as session:
            record = interactions.recent_interactions(session, team_id, ids["Partner 11"], limit=1)[0]
            interactions.update_interaction(
                session, record, partner_id=ids["Partner 12"], kind=InteractionKind.QBR,
                occurred_at=NOW - timedelta(days=120), notes="", follow_up_on=None,
            )  # fmt: skip

    def archive() -> None:
        with database.transaction() as session:
            partner = partners.get_partner(session, team_id, ids["Partner 20"])
            assert partner is not None
            partners.set_status(session, partner, PartnerStatus.ARCHIVED)

    def add() -> None:
        with database.transaction() as session:
            partners.add_partner(session, team_id, "Newcomer")

    def win() -> None:
        with database.transaction() as session:
            project, _ = projects.add_project(
                session, team_id, partner_id=ids["Partner 30"], name="Joint launch", created_by="U1"
            )
            projects.close_project(session, project, ProjectStatus.WON, on=NOW.date(), by="U1")

    def undo() -> None:
        with database.transaction() as session:
            record = interactions.recent_interactions(session, team_id, ids["Partner 05"], limit=1)[0]
            interactions.delete_interaction(session, team_id, record.id)

    return [log, answer, move, archive, add, win, undo]


def test_a_ranking_kept_up_to_date_equals_one_computed_from_every_row(
    database: Database, team_id: str, workspace: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(NOW)
    cache = RankingCache(database, clock)
    cache.get(team_id)
    reads = count_reads(monkeypatch)
    for change in changes(database, team_id, workspace):
        change()
        clock.now += timedelta(seconds=30)
        same_ranking(cache.get(team_id, fresh=True), compute_ranking(database, team_id, now=clock.now))
    by_cache, by_full = reads[0::2], reads[1::2]
    assert by_full == [None] * len(by_full)  # compute_ranking, for the comparison
    ids = workspace
    expected = [[ids["Partner 03"]], [ids["Partner 07"]], sorted([ids["Partner 11"], ids["Partner 12"]]),
                [ids["Partner 20"]], "the newcomer", [ids["Partner 30"]], [ids["Partner 05"]]]  # fmt: skip
    assert len(by_cache) == len(expected)
    for read, wanted in zip(by_cache, expected, strict=True):
        assert read == wanted if wanted != "the newcomer" else (read is not None and len(read) == 1)


def test_a_question_repeated_with_nothing_changed_reads_nothing_again(
    database: Database, team_id: str, workspace: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = RankingCache(database, Clock(NOW))
    first = cache.get(team_id, fresh=True)
    reads = count_reads(monkeypatch)
    assert cache.get(team_id, fresh=True) is first
    assert reads == []


def test_another_process_sees_a_change_at_once(
    database: Database, team_id: str, workspace: dict[str, int]
) -> None:
    clock = Clock(NOW)
    replica, cli = RankingCache(database, clock), RankingCache(database, clock)
    before = replica.get(team_id, fresh=True)
    cli.get(team_id)
    changes(database, team_id, workspace)[0]()  # logged through neither cache
    after = replica.get(team_id, fresh=True)
    assert after is not before
    same_ranking(after, compute_ranking(database, team_id, now=NOW))


def test_new_weights_a_new_day_or_an_old_ranking_mean_every_row_is_read(
    database: Database, team_id: str, workspace: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(NOW)
    cache = RankingCache(database, clock)
    cache.get(team_id)
    reads = count_reads(monkeypatch)
    with database.transaction() as session:
        new = {"satisfaction": 1.0, "engagement": 3.0, "recency": 1.0, "business": 1.0, "delivery": 1.0}
        ranking_store.save_weights(session, team_id, new, old=new, changed_by="UADMIN", now=NOW)
    cache.get(team_id, fresh=True)
    clock.now = datetime.combine(NOW.date() + timedelta(days=1), datetime.min.time(), UTC)
    cache.get(team_id, fresh=True)
    clock.now += timedelta(seconds=rankings.MAX_AGE_SECONDS + 1)
    monkeypatch.setattr(rankings.time, "monotonic", lambda: 10**9)
    cache.get(team_id, fresh=True)
    assert reads == [None, None, None]
    assert clock.now.date() == date(2026, 12, 1)


def test_show_is_answered_at_once_and_updated_behind(
    database: Database, team_id: str, workspace: dict[str, int]
) -> None:
    cache = RankingCache(database, Clock(NOW))
    before = cache.get(team_id)
    changes(database, team_id, workspace)[0]()
    assert cache.get(team_id) is before  # the previous ranking, once, while it is brought up to date
    updated = cache.get(team_id, fresh=True)
    same_ranking(updated, compute_ranking(database, team_id, now=NOW))


def test_warming_ranks_workspaces_before_their_first_question(
    database: Database, team_id: str, workspace: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = RankingCache(database, Clock(NOW))
    assert cache.warm([team_id], budget_seconds=60) == 1
    assert cache.warm([team_id], budget_seconds=0) == 0  # a spent budget ranks nothing more
    reads = count_reads(monkeypatch)
    same_ranking(cache.get(team_id, fresh=True), compute_ranking(database, team_id, now=NOW))
    assert reads == [None]  # only compute_ranking's own read: the question was answered from memory


def test_a_log_today_keeps_the_window_before_and_an_edit_into_it_does_not(
    database: Database, team_id: str, workspace: dict[str, int]
) -> None:
    cache = RankingCache(database, Clock(NOW))
    cache.get(team_id)
    kept = cache._entries[team_id, 90].inputs.previous_scored
    log, _, move, *_ = changes(database, team_id, workspace)
    log()
    cache.get(team_id, fresh=True)
    assert cache._entries[team_id, 90].inputs.previous_scored is kept
    move()
    same_ranking(cache.get(team_id, fresh=True), compute_ranking(database, team_id, now=NOW))
    assert cache._entries[team_id, 90].inputs.previous_scored is not kept


def test_a_first_log_for_a_partner_with_nothing_before_keeps_the_window_before(
    database: Database, team_id: str, workspace: dict[str, int]
) -> None:
    """No rows in the window before, then or now (its frames are empty for that partner): the
    window before's scores are still kept."""
    cache = RankingCache(database, Clock(NOW))
    with database.transaction() as session:
        newcomer = partners.add_partner(session, team_id, "Quiet Ltd")
        session.flush()
        newcomer_id = newcomer.id
    cache.get(team_id, fresh=True)
    kept = cache._entries[team_id, 90].inputs.previous_scored
    with database.transaction() as session:
        interactions.log_interaction(
            session, team_id, partner_id=newcomer_id, kind=InteractionKind.NOTE,
            occurred_at=NOW - timedelta(minutes=5), notes="", user_id="U1",
        )  # fmt: skip
    same_ranking(cache.get(team_id, fresh=True), compute_ranking(database, team_id, now=NOW))
    assert cache._entries[team_id, 90].inputs.previous_scored is kept


def test_a_ranking_kept_up_to_date_in_the_morning_equals_one_computed_from_every_row(
    database: Database, team_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before midday UTC today's communications decay by nothing yet: twenty partners with the
    same email this morning tie on engagement, and must still tie after one of them is rated
    half a minute later (aged by the elapsed time, the others would fall behind it)."""
    names = [f"Early {i:02d}" for i in range(20)]
    load(database, "partners", "name\n" + "".join(f"{n}\n" for n in names), team_id)
    rows = "".join(f"{n},email,{(MORNING - timedelta(hours=1)).isoformat()},\n" for n in names)
    load(database, "interactions", "partner,kind,occurred_at,notes\n" + rows, team_id)
    clock = Clock(MORNING)
    cache = RankingCache(database, clock)
    cache.get(team_id)
    clock.now += timedelta(seconds=30)
    with database.transaction() as session:
        first = partners.get_partner_by_name(session, team_id, names[0])
        assert first is not None
        feedback.record_feedback(
            session, team_id, partner_id=first.id, csat=5, nps=None, comment="", user_team_id=team_id,
            user_id="U2", anonymous=False, submitted_at=clock.now - timedelta(seconds=1),
        )  # fmt: skip
    reads = count_reads(monkeypatch)
    same_ranking(cache.get(team_id, fresh=True), compute_ranking(database, team_id, now=clock.now))
    assert reads[0] == [first.id]  # brought up to date from that partner's rows alone
