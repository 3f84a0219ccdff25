"""Who may do what, end to end against the real server on SQLite and PostgreSQL: every action with
every role through the real listener (command, button, form or upload) — allowed, the change
happens; refused, the answer names who can and nothing changed — and ``/partner permissions``
(show, set, reset; only admins change it; admins can always do everything)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from handlers.shared.permissions import RULES, Act, Role

from .conftest import new_team_id
from .slack_client import SlackClient, button_value, counts_90_days, text_of

pytestmark = pytest.mark.e2e

ADMINS_ONLY = "Only workspace admins and owners (or people listed in PARTNERBOT_ADMINS)"
# How much each person may do: an admin everything, the owner what owners and members may.
REACH = {"admin": 0, "owner": 1, "member": 2}
NEEDS = {Role.ADMINS: 0, Role.OWNERS: 1, Role.MEMBERS: 2}


@dataclass
class World:
    """One workspace: an admin, the partner Acme's owner, a member, and another member who created
    the records the owner's role is tested on (so the owner is the partner's owner, not their author)."""

    slack: SlackClient
    team: str

    def __post_init__(self) -> None:
        tag = self.team[1:9]
        self.admin, self.owner = f"U0A{tag}", f"U0O{tag}"
        self.member, self.author = f"U0M{tag}", f"U0C{tag}"
        self.slack.standin.set_user(self.admin, is_admin=True)
        for user in (self.owner, self.member, self.author):
            self.slack.standin.set_user(user, is_admin=False)
        self.said("add Acme owner:<@" + self.owner + ">", self.admin)

    def user(self, role: str) -> str:
        return {"admin": self.admin, "owner": self.owner, "member": self.member}[role]

    def said(self, text: str, user: str) -> str:
        """What the app answered in the acknowledgement (nothing when it opened a form)."""
        result = self.slack.send_command(text, team=self.team, user=user)
        assert result.status == 200, result.text
        return text_of(result.json) if isinstance(result.json, dict) else ""

    def clicked(self, action_id: str, value: str, user: str) -> str:
        result = self.slack.click(action_id, value, team=self.team, user=user)
        return text_of(self.slack.standin.wait_for_response(result.response_url).args)

    def edit_form(self) -> dict[str, Any]:
        """The edit form of Acme, as the admin opened it."""
        opened = self.slack.send_command("edit Acme", team=self.team, user=self.admin)
        call = self.slack.standin.wait_for(
            "views.open", where=lambda c: c.args.get("trigger_id") == opened.trigger_id
        )
        return call.response["view"]  # type: ignore[index]

    def submitted(self, changes: dict[str, Any], user: str) -> str:
        answer = self.slack.submit_view(self.edit_form(), changes, team=self.team, user=user)
        return json.dumps(answer.json) if answer.text else ""

    def number(self, pattern: str, text: str) -> str:
        found = re.search(pattern, text)
        assert found, text
        return found.group(1)

    def dm_replies(self, user: str, count: int) -> list[str]:
        dm = "D" + user[1:]
        self.slack.standin.wait_for(
            "chat.postMessage", timeout=20, where=lambda c: c.args.get("channel") == dm, count=count
        )
        return [
            text_of(c.args)
            for c in self.slack.standin.calls_to("chat.postMessage", lambda c: c.args.get("channel") == dm)
        ]


Outcome = tuple[str, Callable[[], bool]]  # what the person was told; whether the change happened


def add_partner(w: World, user: str) -> Outcome:
    return w.said("add Beta", user), lambda: "I don't know a partner" not in w.said("show Beta", w.admin)


def edit_partner(w: World, user: str) -> Outcome:
    said = w.said("edit Acme", user) + w.submitted({"name": "Acme Renamed"}, user)
    return said, lambda: "I don't know a partner" not in w.said('show "Acme Renamed"', w.admin)


def archive_partner(w: World, user: str) -> Outcome:
    return w.said("archive Acme", user), lambda: "already archived" in w.said("archive Acme", w.admin)


def change_owner(w: World, user: str) -> Outcome:
    said = w.submitted({"owner": w.author}, user)
    return said, lambda: f"owner <@{w.author}>" in w.said("show Acme", w.admin)


def log(w: World, user: str) -> Outcome:
    return w.said("log Acme call hello", user), lambda: counts_90_days(w.slack, w.team, "Acme") == "1 call"


def change_communication(w: World, user: str) -> Outcome:
    logged = w.slack.command_ok("log Acme call undo me", team=w.team, user=w.author)
    said = w.clicked("undo_logged", button_value(logged.json, "undo_logged"), user)
    return said, lambda: counts_90_days(w.slack, w.team, "Acme") == "none"


def feedback(w: World, user: str) -> Outcome:
    return w.said("survey Acme", user), lambda: "Open surveys" in w.said("survey results Acme", w.admin)


def add_project(w: World, user: str) -> Outcome:
    return w.said("project add Acme Pilot", user), lambda: "Pilot" in w.said("project list Acme", w.admin)


def change_project(w: World, user: str) -> Outcome:
    number = w.number(r"Project #(\d+)", w.said("project add Acme Pilot", w.author))
    said = w.said(f"project close {number} won", user)
    return said, lambda: "already closed" in w.said(f"project close {number} lost", w.admin)


def add_need(w: World, user: str) -> Outcome:
    said = w.said("need Acme pricing a better discount", user)
    return said, lambda: "a better discount" in w.said("needs Acme", w.admin)


def close_need(w: World, user: str) -> Outcome:
    number = w.number(r"Need #(\d+)", w.said("need Acme pricing a better discount", w.author))
    said = w.said(f"need done {number}", user)
    return said, lambda: "already closed" in w.said(f"need done {number}", w.admin)


def add_follow_up(w: World, user: str) -> Outcome:
    said = w.said("followup Acme tomorrow call them back", user)
    return said, lambda: "call them back" in w.said("followups all", w.admin)


def change_follow_up(w: World, user: str) -> Outcome:
    made = w.slack.command_ok("followup Acme tomorrow call them back", team=w.team, user=w.author)
    said = w.clicked("followup_done", button_value(made.json, "followup_done"), user)
    return said, lambda: "call them back" not in w.said("followups all", w.admin)


def weights(w: World, user: str) -> Outcome:
    said = w.said("weights satisfaction=0.9", user)
    return said, lambda: f"<@{user}>" in w.said("weights", w.admin)


def alerts(w: World, user: str) -> Outcome:
    return w.said("alerts drop:15", user), lambda: "15 points" in w.said("alerts", w.admin)


def subscribe_digest(w: World, user: str) -> Outcome:
    said = w.said("digest add <#C0PERMS|partners>", user)
    return said, lambda: "C0PERMS" in w.said("digest list", w.admin)


def remove_digest(w: World, user: str) -> Outcome:
    # Set up by the partner's owner, so "owners" is its author here.
    number = w.number(r"Digest #(\d+)", w.said("digest add <#C0PERMS|partners>", w.owner))
    said = w.said(f"digest remove {number}", user)
    return said, lambda: "C0PERMS" not in w.said("digest list", w.admin)


def upload(w: World, user: str, table: str, data: bytes) -> None:
    """The person uploads a CSV file to their direct messages with the app: ``import <table>``."""
    info = w.slack.standin.add_file(f"{table}.csv", data, user=user, channel="D" + user[1:])
    ts = f"{time.time():.6f}"
    event = {
        "type": "message",
        "subtype": "file_share",
        "user": user,
        "text": f"import {table}",
        "files": [info],
        "channel": "D" + user[1:],
        "channel_type": "im",
        "ts": ts,
        "event_ts": ts,
    }
    assert w.slack.send_event(event, team=w.team).status == 200


def import_table(w: World, user: str) -> Outcome:
    upload(w, user, "partners", b"name\nImported Co\n")
    first = w.dm_replies(user, 1)[0]
    said = first if first.startswith("Only") else "\n".join(w.dm_replies(user, 2))
    return said, lambda: "I don't know a partner" not in w.said('show "Imported Co"', w.admin)


def export(w: World, user: str) -> Outcome:
    said = w.said("export", user)

    def arrived() -> bool:
        dm = "D" + user[1:]
        if said.startswith("Only"):
            w.slack.standin.assert_no_call(
                "files.completeUploadExternal", within=0.5, where=lambda c: c.args.get("channel_id") == dm
            )
            return False
        return w.slack.standin.wait_for(
            "files.completeUploadExternal", timeout=15, where=lambda c: c.args.get("channel_id") == dm
        ).ok

    return said, arrived


SCENARIOS: dict[Act, Callable[[World, str], Outcome]] = {
    Act.ADD_PARTNER: add_partner,
    Act.EDIT_PARTNER: edit_partner,
    Act.ARCHIVE_PARTNER: archive_partner,
    Act.CHANGE_OWNER: change_owner,
    Act.LOG: log,
    Act.CHANGE_COMMUNICATION: change_communication,
    Act.FEEDBACK: feedback,
    Act.ADD_PROJECT: add_project,
    Act.CHANGE_PROJECT: change_project,
    Act.ADD_NEED: add_need,
    Act.CLOSE_NEED: close_need,
    Act.ADD_FOLLOW_UP: add_follow_up,
    Act.CHANGE_FOLLOW_UP: change_follow_up,
    Act.WEIGHTS: weights,
    Act.ALERTS: alerts,
    Act.SUBSCRIBE_DIGEST: subscribe_digest,
    Act.REMOVE_DIGEST: remove_digest,
    Act.IMPORT: import_table,
    Act.EXPORT: export,
}


def test_every_action_has_a_scenario() -> None:
    assert set(SCENARIOS) == set(Act)


def who_can(w: World, act: Act) -> str:
    """The part of the refusal that names who can."""
    if RULES[act].default == Role.ADMINS:
        return ADMINS_ONLY
    if act == Act.REMOVE_DIGEST:
        return f"whoever set it up (<@{w.owner}>) or an admin"
    return f"the partner's owner (<@{w.owner}>) or an admin"


@pytest.mark.parametrize("role", list(REACH))
@pytest.mark.parametrize("act", list(Act), ids=lambda act: act.value)
def test_each_role_may_do_what_the_defaults_say(slack: SlackClient, act: Act, role: str) -> None:
    w = World(slack, new_team_id())
    said, changed = SCENARIOS[act](w, w.user(role))
    if REACH[role] <= NEEDS[RULES[act].default]:
        assert "Only " not in said, said
        assert changed(), said
    else:
        assert "Only " in said and who_can(w, act) in said, said
        assert not changed(), said


def test_permissions_show_set_and_reset(slack: SlackClient) -> None:
    w = World(slack, new_team_id())
    shown = w.said("permissions", w.member)  # everyone sees the table
    assert "`archive-partner` (archive a partner): *the partner's owner" in shown
    assert "`export` (export whole tables): *admins*" in shown

    saved = w.said("permissions archive-partner admins", w.admin)
    assert (
        saved.startswith("Saved.") and "`archive-partner` (archive a partner): *admins* — changed by" in saved
    )
    refused = w.said("archive Acme", w.owner)  # the owner no longer may
    assert refused.startswith(ADMINS_ONLY) and "archive *Acme*" in refused
    assert "already archived" not in w.said("edit Acme", w.admin)

    opened = w.said("permissions export members", w.admin)
    assert "`export` (export whole tables): *everyone*" in opened
    assert w.said("export", w.member).startswith("Preparing the partners export")

    reset = w.said("permissions reset", w.admin)
    assert reset.startswith("Back to the defaults.") and "changed by" not in reset
    assert w.said("export", w.member).startswith(ADMINS_ONLY)
    assert "Archived *Acme*" in w.said("archive Acme", w.owner)


def test_only_admins_change_permissions_and_bad_words_are_explained(slack: SlackClient) -> None:
    w = World(slack, new_team_id())
    for user in (w.owner, w.member):
        refused = w.said("permissions add-partner admins", user)
        assert refused.startswith(ADMINS_ONLY) and "change who may do what" in refused
        assert w.said("permissions reset", user).startswith(ADMINS_ONLY)
    assert "*everyone*" in w.said("permissions", w.admin).split("`add-partner`")[1].split("\n")[0]
    assert "isn't an action I know" in w.said("permissions rule-the-world admins", w.admin)
    assert "isn't a role" in w.said("permissions log <b>bosses</b>", w.admin)
    assert "&lt;b&gt;" in w.said("permissions log <b>bosses</b>", w.admin)
    assert "has no owner" in w.said("permissions weights owners", w.admin)


def test_admins_can_always_do_everything(slack: SlackClient) -> None:
    w = World(slack, new_team_id())
    for act in Act:
        allowed = [role.value for role in Role if role != Role.OWNERS or RULES[act].has_owner]
        assert "Saved." in w.said(f"permissions {act.value} {allowed[0]}", w.admin)
    # Everything is admins-only now: an admin still adds, logs, archives and changes permissions.
    assert "Added *Gamma*" in w.said("add Gamma", w.admin)
    assert counts_90_days(slack, w.team, "Acme") == "none"
    w.said("log Acme call still here", w.admin)
    assert counts_90_days(slack, w.team, "Acme") == "1 call"
    assert w.said("log Acme call me too", w.owner).startswith(ADMINS_ONLY)
    assert "Archived *Acme*" in w.said("archive Acme", w.admin)
    assert w.said("permissions reset", w.admin).startswith("Back to the defaults.")


def test_whoever_may_import_may_not_import_permissions_unless_an_admin(slack: SlackClient) -> None:
    w = World(slack, new_team_id())
    w.said("permissions import members", w.admin)
    upload(w, w.member, "permissions", b"action,role\nweights,members\n")
    refused = w.dm_replies(w.member, 1)[0]
    assert refused == f"{ADMINS_ONLY} can import permissions."
    assert "`weights` (change the scoring weights): *admins*" in w.said("permissions", w.admin)
    upload(w, w.admin, "permissions", b"action,role\nweights,members\n")
    assert "Imported 1 row" in w.dm_replies(w.admin, 2)[1]
    assert "`weights` (change the scoring weights): *everyone* — imported" in w.said("permissions", w.admin)
