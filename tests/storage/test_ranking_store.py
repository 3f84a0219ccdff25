"""The grouped ranking queries and workspace weights, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from scoring import KIND_WEIGHTS, ScoringSettings, score_partners
from storage import feedback, interactions, partners, ranking
from storage.db import Database
from storage.models import InteractionKind, PartnerStatus

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
SINCE = NOW - timedelta(days=90)


@pytest.fixture
def workspace(database: Database, team_id: str) -> dict[str, int]:
    ids = {}
    with database.transaction() as session:
        for name in ("Acme", "Globex", "Initech", "Archived"):
            ids[name] = partners.add_partner(
                session, team_id, name, revenue=Decimal("300"), cost=Decimal("100")
            ).id
        partners.set_status(
            session, partners.get_partner(session, team_id, ids["Archived"]), PartnerStatus.ARCHIVED
        )
        logs = [
            ("Acme", InteractionKind.MEETING, 1),
            ("Acme", InteractionKind.MEETING, 1),
            ("Acme", InteractionKind.EMAIL, 3),
            ("Globex", InteractionKind.CALL, 40),
            ("Globex", InteractionKind.CALL, 200),
            ("Archived", InteractionKind.CALL, 1),
        ]
        for name, kind, days in logs:
            interactions.log_interaction(
                session,
                team_id,
                partner_id=ids[name],
                kind=kind,
                occurred_at=NOW - timedelta(days=days, hours=1),
                notes="",
                user_id="U1",
            )
        for csat, nps, days in ((5, 10, 2), (4, None, 5), (1, 0, 300)):
            feedback.record_feedback(
                session,
                team_id,
                partner_id=ids["Acme"],
                csat=csat,
                nps=nps,
                comment="",
                user_team_id=team_id,
                user_id=f"U{csat}",
                anonymous=False,
                submitted_at=NOW - timedelta(days=days),
            )
    return ids


def test_frames_hold_one_row_per_active_partner(
    database: Database, team_id: str, workspace: dict[str, int]
) -> None:
    with database.read() as session:
        frames = ranking.ranking_frames(
            session, team_id, since=SINCE, until=NOW, kind_weights=KIND_WEIGHTS, half_life_days=30.0
        )
        buckets = ranking.activity_frame(session, team_id, since=SINCE, until=NOW, kind_weights=KIND_WEIGHTS)
    people = frames.partners.set_index("name")
    assert sorted(people.index) == ["Acme", "Globex", "Initech"]
    assert people.loc["Acme", "last_contact"] == NOW - timedelta(days=1, hours=1)
    assert people.loc["Globex", "last_contact"] == NOW - timedelta(days=40, hours=1)
    assert str(people.loc["Acme", "last_contact"].tz) == "UTC"
    assert people["last_contact"].isna().tolist() == [False, False, True]
    assert people.loc["Acme", "revenue"] == 300.0
    acme = buckets[buckets["partner_id"] == workspace["Acme"]]
    assert acme["weight"].sum() == 3 + 3 + 1 and acme["count"].sum() == 3
    assert len(acme) == 2  # two meetings on one day, an email on another
    # The 200-day-old call is outside the window. (The archived partner's call is in the frame;
    # scoring ignores partners it is not asked to rank.)
    assert buckets["count"].sum() == 5
    assert frames.activity["count"].sum() == 5
    fb = frames.feedback.set_index("partner_id")
    assert fb.loc[workspace["Acme"], "count"] == 2
    assert fb.loc[workspace["Acme"], "score_sum"] == pytest.approx(100 + 75)


def test_frames_score_end_to_end(database: Database, team_id: str, workspace: dict[str, int]) -> None:
    with database.read() as session:
        frames = ranking.ranking_frames(
            session, team_id, since=SINCE, until=NOW, kind_weights=KIND_WEIGHTS, half_life_days=30.0
        )
    scored = score_partners(frames.partners, frames.activity, frames.feedback, ScoringSettings(now=NOW))
    assert scored["name"].tolist()[0] == "Acme"
    assert scored["score"].between(0, 100).all()


def test_last_contact_respects_the_window_end(
    database: Database, team_id: str, workspace: dict[str, int]
) -> None:
    with database.read() as session:
        frame = ranking.partners_frame(session, team_id, until=NOW - timedelta(days=30)).set_index("name")
    assert frame["last_contact"].isna().to_dict() == {"Acme": True, "Globex": False, "Initech": True}


def test_stale_partners_never_contacted_first(
    database: Database, team_id: str, workspace: dict[str, int]
) -> None:
    with database.read() as session:
        found, total = ranking.stale_partners(session, team_id, before=NOW - timedelta(days=30), limit=10)
        capped, _ = ranking.stale_partners(session, team_id, before=NOW - timedelta(days=30), limit=1)
        none, zero = ranking.stale_partners(session, "T-elsewhere", before=NOW, limit=10)
    assert [p.name for p in found] == ["Initech", "Globex"]
    assert total == 2 and len(capped) == 1 and (none, zero) == ([], 0)
    assert found[1].last_contact == NOW - timedelta(days=40, hours=1)


def test_weights_are_saved_with_their_history(database: Database, team_id: str, other_team_id: str) -> None:
    old = {"satisfaction": 0.4, "engagement": 0.35, "recency": 0.15, "business": 0.1}
    new = {**old, "satisfaction": 0.6}
    with database.transaction() as session:
        assert ranking.stored_weights(session, team_id) is None
        ranking.save_weights(session, team_id, new, old=old, changed_by="U1", now=NOW)
    with database.read() as session:
        assert ranking.stored_weights(session, team_id) == new
        assert ranking.stored_weights(session, other_team_id) is None
        (change,) = ranking.weight_history(session, team_id)
    assert (change.changed_by, change.old["satisfaction"], change.new["satisfaction"]) == ("U1", 0.4, 0.6)
    assert change.changed_at == NOW


@pytest.mark.parametrize("hours", [0, 5, 13, 23])
def test_decay_in_the_database_matches_scorings_buckets(
    database: Database, team_id: str, workspace: dict[str, int], hours: int
) -> None:
    """The database's per-partner decay gives the same engagement as scoring's per-day buckets,
    at any time of day (today's bucket midday may be ahead of now)."""
    now = NOW.replace(hour=hours)
    with database.read() as session:
        frames = ranking.ranking_frames(
            session,
            team_id,
            since=now - timedelta(days=90),
            until=now,
            kind_weights=KIND_WEIGHTS,
            half_life_days=30.0,
        )
        buckets = ranking.activity_frame(
            session, team_id, since=now - timedelta(days=90), until=now, kind_weights=KIND_WEIGHTS
        )
    settings = ScoringSettings(now=now)
    in_database = score_partners(frames.partners, frames.activity, frames.feedback, settings)
    in_pandas = score_partners(frames.partners, buckets, frames.feedback, settings)
    left = in_database.set_index("partner_id")
    right = in_pandas.set_index("partner_id")
    assert left["engagement_raw"].to_numpy() == pytest.approx(
        right.loc[left.index, "engagement_raw"].to_numpy()
    )
    assert left["rank"].tolist() == right.loc[left.index, "rank"].tolist()
