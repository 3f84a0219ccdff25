"""Installed in many workspaces: the tables are slack_sdk's, each workspace's scheduled work goes
out with its own token, an uninstalled workspace gets nothing, and rotating tokens are refreshed
before they run out. On SQLite and PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import MetaData, Table

from bot.app import slack_client
from bot.installs import InstalledClients
from bot.scheduler import Scheduler
from bot.settings import Settings
from bot.standin.http import HttpStandIn
from handlers.shared.deps import Deps
from storage.db import Database
from storage.models import Base
from tests.handlers.digests.test_digest_runner import NOW, Clock, posts, runs, seed, subscribe

CLIENT_ID, CLIENT_SECRET = "123.456", "standin-secret"


def _shape(table: Table) -> tuple[list[tuple[str, str, bool, bool]], set[tuple[str, tuple[str, ...]]]]:
    columns = [(c.name, repr(c.type), bool(c.nullable), bool(c.primary_key)) for c in table.columns]
    indexes = {(i.name or "", tuple(c.name for c in i.columns)) for i in table.indexes}
    return columns, indexes


@pytest.mark.parametrize(
    "name, build",
    [
        ("slack_installations", SQLAlchemyInstallationStore.build_installations_table),
        ("slack_bots", SQLAlchemyInstallationStore.build_bots_table),
        ("slack_oauth_states", SQLAlchemyOAuthStateStore.build_oauth_states_table),
    ],
)
def test_the_installation_tables_are_exactly_slack_sdks(name, build) -> None:
    """Our declaration (under Alembic) must be what slack_sdk's stores read and write: a new
    slack_sdk that adds a column fails here, not in a workspace's install."""
    theirs = build(MetaData(), name)
    assert _shape(Base.metadata.tables[name]) == _shape(theirs)


@pytest.fixture
def standin() -> Iterator[HttpStandIn]:
    with HttpStandIn() as running:
        yield running
    assert not running.invalid, running.invalid


@pytest.fixture
def settings(standin: HttpStandIn, database: Database) -> Settings:
    return Settings(
        database_url=database.url.render_as_string(hide_password=False),
        slack_signing_secret="secret",
        slack_client_id=CLIENT_ID,
        slack_client_secret=CLIENT_SECRET,
        slack_api_url=standin.api_url,
    )


def install(database: Database, team_id: str, token: str, **bot: object) -> None:
    """What the OAuth flow stores once someone in ``team_id`` approves the install."""
    store = SQLAlchemyInstallationStore(client_id=CLIENT_ID, engine=database.engine)
    store.save(
        Installation(
            app_id="AAPP",
            team_id=team_id,
            team_name=f"Workspace {team_id}",
            bot_token=token,
            bot_id="BBOT",
            bot_user_id="UBOT",
            bot_scopes="commands,chat:write",
            user_id="UINSTALLER",
            installed_at=time.time(),
            **bot,  # type: ignore[arg-type]
        )
    )


def test_each_workspaces_digests_go_out_with_its_own_token_and_none_for_an_uninstalled_one(
    database: Database, settings: Settings, standin: HttpStandIn, team_id: str, other_team_id: str
) -> None:
    gone = "TGONE" + team_id[-6:]
    for team in (team_id, other_team_id, gone):
        seed(database, team)
    mine = subscribe(database, team_id, "CMINE")
    theirs = subscribe(database, other_team_id, "CTHEIRS")
    orphan = subscribe(database, gone, "CGONE")
    install(database, team_id, f"xoxb-{team_id}")
    install(database, other_team_id, f"xoxb-{other_team_id}")
    clients = InstalledClients(settings, database, slack_client(settings, patient=True))
    scheduler = Scheduler(Deps(db=database, clock=Clock(NOW + timedelta(seconds=2))), clients)

    for subscription in (mine, theirs, orphan):
        scheduler.run_due(subscription)

    (to_mine,) = posts(standin, "CMINE")
    (to_theirs,) = posts(standin, "CTHEIRS")
    assert to_mine.token == f"xoxb-{team_id}" and to_theirs.token == f"xoxb-{other_team_id}"
    assert not standin.calls_to("chat.postMessage", lambda c: c.args.get("channel") == "CGONE")
    (run,) = runs(database, orphan).values()
    assert run.status == "skipped" and "no longer installed" in (run.outcome or "")


def test_a_rotating_token_is_refreshed_before_it_runs_out_and_kept(
    database: Database, settings: Settings, standin: HttpStandIn, team_id: str
) -> None:
    # A real exchange first, so the stand-in knows the refresh token.
    code = standin.installs.offer(team_id, rotating=True)
    granted = standin.installs.exchange(
        {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "code": code}
    )
    install(
        database,
        team_id,
        granted["access_token"],
        bot_refresh_token=granted["refresh_token"],
        bot_token_expires_at=int(time.time()) + 60,  # within the two hours before expiry
    )
    clients = InstalledClients(settings, database, slack_client(settings))

    client = clients.for_team(team_id)

    assert client is not None and client.token != granted["access_token"]
    assert standin.installs.team_of(client.token) == team_id
    assert standin.installs.exchanges == [("code", team_id), ("refresh_token", team_id)]
    stored = SQLAlchemyInstallationStore(client_id=CLIENT_ID, engine=database.engine).find_bot(
        enterprise_id=None, team_id=team_id
    )
    assert isinstance(stored, Bot) and stored.bot_token == client.token
    assert stored.bot_refresh_token != granted["refresh_token"]
    # Refreshed once: the new token has hours left, so the next lookup uses it as it is.
    assert clients.for_team(team_id).token == client.token  # type: ignore[union-attr]
    assert len(standin.installs.exchanges) == 2


def test_a_workspace_never_installed_has_no_client(
    database: Database, settings: Settings, team_id: str
) -> None:
    clients = InstalledClients(settings, database, slack_client(settings))
    assert clients.for_team(team_id) is None
