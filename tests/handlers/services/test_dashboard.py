"""The Home tab's data: the ranking, who needs attention and the person's own latest logs."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.standin.blockkit import assert_valid_home
from handlers.home.views import home_view
from handlers.services.dashboard import load_dashboard
from handlers.shared.deps import Deps
from storage import partners as partner_store
from storage.db import Database

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
USER = "U1"


def test_dashboard_reads_the_ranking_and_the_users_logs(database: Database, team_id: str) -> None:
    svc = Deps(db=database, clock=lambda: NOW)
    with database.transaction() as session:
        partner_store.add_partner(session, team_id, "Acme", owner=USER)
    d = load_dashboard(database, team_id, USER, svc.rankings.get(team_id), now=svc.now())
    assert d.partner_count == 1 and list(d.attention["name"]) == ["Acme"] and d.recent == []
    assert_valid_home(home_view(d))
