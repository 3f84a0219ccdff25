"""The rules of who may do what: every listener the app registers is classified (so a new one
cannot skip the question), a refusal names who can and escapes what people typed, and a
workspace's stored change that this version does not know leaves the default in place."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from handlers import register_all
from handlers.shared.command import known_subcommands
from handlers.shared.deps import Deps
from handlers.shared.errors import UserError
from handlers.shared.people import People
from handlers.shared.people import Person as SlackPerson
from handlers.shared.permissions import (
    COMMAND,
    LISTENERS,
    RULES,
    Act,
    Person,
    Role,
    allowed_roles,
    form_text,
    refusal,
    require,
    roles,
)
from storage import permissions as permission_store
from storage.db import Database

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)


class Recorder:
    """Stands in for Bolt's App: records what each feature's register(app) listens to."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def _listen(self, kind: str) -> Callable[[Any], Callable[[Callable[..., Any]], Callable[..., Any]]]:
        def matcher(what: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
            if isinstance(what, dict):  # an event with a subtype: {"type": "message", "subtype": …}
                what = "/".join(str(what[k]) for k in ("type", "subtype") if k in what)
            self.seen.add(f"{kind}:{what}")
            return lambda listener: listener

        return matcher

    def __getattr__(self, kind: str) -> Any:
        return self._listen(kind)


def test_every_listener_and_sub_command_says_which_actions_it_checks() -> None:
    app = Recorder()
    register_all(app)  # type: ignore[arg-type]
    registered = {seen for seen in app.seen if not seen.startswith("command:")}
    registered |= {COMMAND + name for name in known_subcommands()}
    unclassified = sorted(registered - set(LISTENERS))
    assert not unclassified, (
        f"say in handlers/shared/permissions.py LISTENERS what these check: {unclassified}"
    )
    assert not sorted(set(LISTENERS) - registered), "LISTENERS names listeners the app no longer has"
    checked = {act for acts in LISTENERS.values() for act in acts}
    assert checked == set(Act)  # every action is checked somewhere


def test_actions_about_nothing_in_particular_cannot_be_left_to_owners() -> None:
    for act, rule in RULES.items():
        assert rule.default in allowed_roles(act)
        assert (Role.OWNERS in allowed_roles(act)) == rule.has_owner


def test_a_refusal_names_who_can_and_escapes_the_partner_name() -> None:
    partner = SimpleNamespace(name="<b>Acme</b> & *co*", owner="U0OWNER")
    said = refusal(Act.ARCHIVE_PARTNER, Role.OWNERS, partner)
    assert said.startswith("Only the partner's owner (<@U0OWNER>) or an admin can archive *")
    assert "&lt;b&gt;Acme&lt;/b&gt; &amp;" in said and "<b>" not in said
    ownerless = refusal(Act.EDIT_PARTNER, Role.OWNERS, SimpleNamespace(name="Beta", owner=None))
    assert ownerless == "Only the partner's owner (it has none yet) or an admin can edit *Beta*."
    undo = refusal(Act.CHANGE_COMMUNICATION, Role.OWNERS, partner, creator="U0ANN")
    assert undo.startswith("Only whoever logged it (<@U0ANN>), the partner's owner (<@U0OWNER>) or an admin")
    weights = refusal(Act.WEIGHTS, Role.ADMINS)
    assert weights == (
        "Only workspace admins and owners (or people listed in PARTNERBOT_ADMINS) "
        "can change the scoring weights."
    )
    assert len(form_text("x" * 500)) <= 150 and form_text("*A* &amp; &lt;B&gt;") == "A & <B>"


class SlackSays(People):
    """users.info as Slack would answer it: U0WSADMIN is a workspace admin, nobody else is."""

    def lookup(self, client: Any, team_id: str, user_id: str, *, timeout: float = 1.5) -> SlackPerson:
        return SlackPerson(user_id, ZoneInfo("UTC"), is_admin=user_id == "U0WSADMIN", known=True)


@pytest.fixture
def deps(database: Database) -> Deps:
    return Deps(db=database, admins=frozenset({"U0ADMIN"}), clock=lambda: NOW, people=SlackSays())


def test_require_follows_the_workspace_table_and_admins_pass_whatever_it_says(
    deps: Deps, team_id: str
) -> None:
    client: Any = None  # users.info is answered by SlackSays
    partner = SimpleNamespace(name="Acme", owner="U0OWNER")

    def asking(user: str) -> Person:
        return Person(team_id, user, client, deps)

    require(asking("U0OWNER"), Act.ARCHIVE_PARTNER, partner)  # the default: owners
    require(asking("U0ANYONE"), Act.LOG, partner)  # members
    with deps.db.transaction() as session:
        permission_store.set_role(session, team_id, "log", "owners", changed_by="U0ADMIN", now=NOW)
        permission_store.set_role(
            session, team_id, "retired-action", "members", changed_by="U0ADMIN", now=NOW
        )
        permission_store.set_role(session, team_id, "export", "bosses", changed_by="U0ADMIN", now=NOW)
    table = roles(deps, team_id)
    assert table[Act.LOG] == Role.OWNERS and table[Act.EXPORT] == Role.ADMINS  # unknown rows: defaults
    require(asking("U0OWNER"), Act.LOG, partner)
    require(asking("U0ADMIN"), Act.LOG, partner)  # PARTNERBOT_ADMINS
    require(asking("U0WSADMIN"), Act.LOG, partner)  # a workspace admin
    with pytest.raises(UserError, match=r"Only the partner's owner \(<@U0OWNER>\) or an admin can log"):
        require(asking("U0CREATOR"), Act.LOG, partner)
    require(asking("U0CREATOR"), Act.CHANGE_COMMUNICATION, partner, creator="U0CREATOR")


def test_storage_knows_the_same_actions_and_which_have_no_owner() -> None:
    """storage/permissions.py keeps its own list (storage never imports handlers): the two stay equal."""
    from storage import permissions as permission_store

    assert list(permission_store.ACTIONS) == [act.value for act in Act]
    assert {act.value for act in Act if not RULES[act].has_owner} == permission_store.WITHOUT_OWNER
    assert tuple(role.value for role in Role) == permission_store.ROLES
