"""Who may do what: the actions a role is needed for, who may do each by default, a workspace's
changes (``/partner permissions``, kept in storage/permissions.py), and :func:`require`, which
every listener calls before it changes anything.

Three roles, each including the ones above it:

- **admins**: workspace admins and owners as Slack's users.info says, and PARTNERBOT_ADMINS. They
  may always do everything, whatever the table says, so nobody can lock a workspace out.
- **owners**: the partner's owner (``partner.owner``), and for a record (a communication, a
  project, a need, a follow-up, a digest) whoever created it.
- **members**: everyone in the workspace.

An action that concerns no partner and no record (changing the weights, importing) can only be
set to admins or members: "owners" would mean nobody in particular.

Asking (``top``, ``show``, ``stale``, ``needs``, questions, mentions) needs no role; restoring a
backup is the server's command line (``partnerbot restore``), for whoever runs the server.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Protocol

from slack_sdk import WebClient

from handlers.shared.deps import Deps, deps_of, is_admin, workspace
from handlers.shared.errors import UserError
from handlers.shared.ids import (
    SLASH_COMMAND,
    Action,
    AlertIds,
    Callback,
    FeedbackIds,
    FollowUpIds,
    HistoryIds,
    HomeIds,
    NeedIds,
    ProjectIds,
    WorkflowStep,
)
from handlers.shared.limits import FORM_ERROR_LIMIT
from handlers.shared.text import literal, mention, shorten
from storage import permissions as permission_store


class Role(enum.StrEnum):
    ADMINS = "admins"
    OWNERS = "owners"
    MEMBERS = "members"


class Act(enum.StrEnum):
    """What a role is needed for, named as partner managers say it (``/partner permissions``)."""

    ADD_PARTNER = "add-partner"
    EDIT_PARTNER = "edit-partner"
    ARCHIVE_PARTNER = "archive-partner"
    CHANGE_OWNER = "change-owner"
    LOG = "log"
    CHANGE_COMMUNICATION = "change-communication"
    FEEDBACK = "feedback"
    ADD_PROJECT = "add-project"
    CHANGE_PROJECT = "change-project"
    ADD_NEED = "add-need"
    CLOSE_NEED = "close-need"
    ADD_FOLLOW_UP = "add-follow-up"
    CHANGE_FOLLOW_UP = "change-follow-up"
    WEIGHTS = "weights"
    ALERTS = "alerts"
    SUBSCRIBE_DIGEST = "subscribe-digest"
    REMOVE_DIGEST = "remove-digest"
    IMPORT = "import"
    EXPORT = "export"


@dataclass(frozen=True)
class Rule:
    default: Role
    # What the person was trying to do, after "can": {partner} becomes the partner's name.
    doing: str
    # Whether "owners" means someone here: the action is about a partner or a record.
    has_owner: bool = True
    # Who "owners" are, besides admins, for a record ("whoever logged it").
    creator: str = "whoever created it"


RULES: dict[Act, Rule] = {
    Act.ADD_PARTNER: Rule(Role.MEMBERS, "add partners", has_owner=False),
    Act.EDIT_PARTNER: Rule(Role.OWNERS, "edit {partner}"),
    Act.ARCHIVE_PARTNER: Rule(Role.OWNERS, "archive {partner}"),
    Act.CHANGE_OWNER: Rule(Role.OWNERS, "change who owns {partner}"),
    Act.LOG: Rule(Role.MEMBERS, "log communications with {partner}"),
    Act.CHANGE_COMMUNICATION: Rule(
        Role.OWNERS, "edit or undo this communication with {partner}", creator="whoever logged it"
    ),
    Act.FEEDBACK: Rule(Role.MEMBERS, "give feedback on {partner} or send its surveys"),
    Act.ADD_PROJECT: Rule(Role.MEMBERS, "add projects and resources for {partner}"),
    Act.CHANGE_PROJECT: Rule(Role.OWNERS, "update or close this project of {partner}"),
    Act.ADD_NEED: Rule(Role.MEMBERS, "add needs of {partner}"),
    Act.CLOSE_NEED: Rule(Role.OWNERS, "close this need of {partner}"),
    Act.ADD_FOLLOW_UP: Rule(Role.MEMBERS, "add follow-ups with {partner}"),
    Act.CHANGE_FOLLOW_UP: Rule(
        Role.OWNERS, "mark this follow-up with {partner} done or snooze it", creator="whoever it is for"
    ),
    Act.WEIGHTS: Rule(Role.ADMINS, "change the scoring weights", has_owner=False),
    Act.ALERTS: Rule(Role.ADMINS, "change drop alerts", has_owner=False),
    Act.SUBSCRIBE_DIGEST: Rule(Role.MEMBERS, "subscribe channels to digests", has_owner=False),
    Act.REMOVE_DIGEST: Rule(Role.OWNERS, "remove this digest", creator="whoever set it up"),
    Act.IMPORT: Rule(Role.ADMINS, "import whole tables", has_owner=False),
    Act.EXPORT: Rule(Role.ADMINS, "export whole tables", has_owner=False),
}

ADMINS_ARE = "workspace admins and owners (or people listed in PARTNERBOT_ADMINS)"


class Asker(Protocol):
    """Whoever asks: a /partner request, or :class:`Person` for a button, a form or a step."""

    team_id: str
    user_id: str
    client: WebClient
    deps: Deps


@dataclass(frozen=True)
class Person:
    team_id: str
    user_id: str
    client: WebClient
    deps: Deps


def person(body: dict[str, Any], client: WebClient, context: Any) -> Person:
    """The person who clicked or submitted (``body["user"]``), in the request's workspace."""
    return Person(workspace(context), body["user"]["id"], client, deps_of(context))


_ACT_NAMES = frozenset(act.value for act in Act)
_ROLE_NAMES = frozenset(role.value for role in Role)


def allowed_roles(act: Act) -> tuple[Role, ...]:
    return tuple(Role) if RULES[act].has_owner else (Role.ADMINS, Role.MEMBERS)


def roles(deps: Deps, team_id: str, session: Any = None) -> dict[Act, Role]:
    """Who may do each action in this workspace: the defaults with an admin's changes."""
    if session is None:
        with deps.db.read() as reading:
            return roles(deps, team_id, reading)
    table = {act: rule.default for act, rule in RULES.items()}
    for name, role in permission_store.changed_roles(session, team_id).items():
        # A row of an action or role this version no longer knows is ignored: the default holds.
        if name in _ACT_NAMES and role in _ROLE_NAMES:
            table[Act(name)] = Role(role)
    return table


def require(
    asker: Asker,
    act: Act,
    partner: Any = None,
    *,
    creator: str | None = None,
    session: Any = None,
) -> None:
    """Refuse (a UserError saying who can) unless the person may do ``act``; ``partner``: the
    partner it concerns (its ``owner`` and ``name`` are read), ``creator``: who made the record."""
    role = roles(asker.deps, asker.team_id, session)[act]
    if role == Role.MEMBERS:
        return
    if role == Role.OWNERS and asker.user_id in {getattr(partner, "owner", None), creator} - {None}:
        return
    if is_admin(asker.deps, asker.client, asker.team_id, asker.user_id):
        return
    raise UserError(refusal(act, role, partner, creator=creator))


def refusal(act: Act, role: Role, partner: Any = None, *, creator: str | None = None) -> str:
    """ "Only the partner's owner (<@U1>) or an admin can archive *Acme*." """
    rule = RULES[act]
    name = getattr(partner, "name", None)
    doing = rule.doing.format(partner=f"*{literal(name)}*" if name else "this partner")
    if role == Role.ADMINS or not rule.has_owner:
        return f"Only {ADMINS_ARE} can {doing}."
    who = []
    if creator is not None:
        who.append(f"{rule.creator} ({mention(creator)})")
    owner = getattr(partner, "owner", None)
    if owner:
        who.append(f"the partner's owner ({mention(owner)})")
    elif partner is not None and creator is None:
        who.append("the partner's owner (it has none yet)")
    listed = ", ".join(who) if who else "its owner"
    return f"Only {listed} or an admin can {doing}."


def form_text(message: str) -> str:
    """A refusal as a form's field error shows it: plain text (no mrkdwn markers or escapes)
    within the 150 characters Slack allows."""
    text = message.replace("*", "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return shorten(text, FORM_ERROR_LIMIT)


def describe(act: Act) -> str:
    """What the action covers, for the table ``/partner permissions`` shows."""
    return RULES[act].doing.format(partner="a partner")


# Every listener the app registers, and the actions it may need a role for (none: it only reads,
# or opens a form whose submission checks). tests/handlers/shared/test_permissions.py fails on a
# listener missing here, so a new one cannot skip the question.
COMMAND = SLASH_COMMAND + " "
LISTENERS: dict[str, tuple[Act, ...]] = {
    # /partner sub-commands
    COMMAND + "add": (Act.ADD_PARTNER,),
    COMMAND + "edit": (Act.EDIT_PARTNER,),
    COMMAND + "archive": (Act.ARCHIVE_PARTNER,),
    COMMAND + "log": (Act.LOG,),
    COMMAND + "feedback": (Act.FEEDBACK,),
    COMMAND + "survey": (Act.FEEDBACK,),
    COMMAND + "project": (Act.ADD_PROJECT, Act.CHANGE_PROJECT),
    COMMAND + "resource": (Act.ADD_PROJECT,),
    COMMAND + "need": (Act.ADD_NEED, Act.CLOSE_NEED),
    COMMAND + "followup": (Act.ADD_FOLLOW_UP,),
    COMMAND + "weights": (Act.WEIGHTS,),
    COMMAND + "alerts": (Act.ALERTS,),
    COMMAND + "digest": (Act.SUBSCRIBE_DIGEST, Act.REMOVE_DIGEST),
    COMMAND + "export": (Act.EXPORT,),
    COMMAND + "permissions": (),  # admins only, always: see handlers/permissions
    COMMAND + "top": (),
    COMMAND + "stale": (),
    COMMAND + "trend": (),
    COMMAND + "needs": (),
    COMMAND + "help": (),
    COMMAND + "show": (),
    COMMAND + "followups": (),
    COMMAND + "insights": (),
    COMMAND + "history": (),  # reads the audit trail: what members may ask
    # forms
    "view:" + Callback.LOG_MODAL: (Act.LOG, Act.CHANGE_COMMUNICATION),
    "view:" + Callback.EDIT_PARTNER_MODAL: (Act.EDIT_PARTNER, Act.ARCHIVE_PARTNER, Act.CHANGE_OWNER),
    "view:" + HomeIds.ADD_MODAL: (Act.ADD_PARTNER,),
    "view:" + FeedbackIds.MODAL: (Act.FEEDBACK,),
    "view:" + HomeIds.FEEDBACK_PICK_MODAL: (),  # opens the feedback form
    "view:" + ProjectIds.NEW_MODAL: (Act.ADD_PROJECT,),
    "view:" + ProjectIds.UPDATE_MODAL: (Act.CHANGE_PROJECT,),
    "view:" + NeedIds.NEW_MODAL: (Act.ADD_NEED,),
    # buttons and menus
    "action:" + Action.EDIT_LOGGED: (Act.CHANGE_COMMUNICATION,),
    "action:" + Action.UNDO_LOGGED: (Act.CHANGE_COMMUNICATION,),
    "action:" + HomeIds.LOG_BUTTON: (),
    "action:" + FollowUpIds.LOG_BUTTON: (),
    "action:" + AlertIds.LOG_BUTTON: (),
    "action:" + HomeIds.ADD_BUTTON: (),
    "action:" + HomeIds.FEEDBACK_BUTTON: (),
    "action:" + FeedbackIds.GIVE_BUTTON: (),
    "action:" + AlertIds.SURVEY_BUTTON: (Act.FEEDBACK,),
    "action:" + HistoryIds.OLDER_BUTTON: (),  # the next page of /partner history
    "action:" + ProjectIds.UPDATE_BUTTON: (Act.CHANGE_PROJECT,),
    "action:" + ProjectIds.WON_BUTTON: (Act.CHANGE_PROJECT,),
    "action:" + ProjectIds.LOST_BUTTON: (Act.CHANGE_PROJECT,),
    "action:" + NeedIds.MET_BUTTON: (Act.CLOSE_NEED,),
    "action:" + NeedIds.DECLINED_BUTTON: (Act.CLOSE_NEED,),
    "action:" + FollowUpIds.DONE_BUTTON: (Act.CHANGE_FOLLOW_UP,),
    "action:" + FollowUpIds.SNOOZE_DAY_BUTTON: (Act.CHANGE_FOLLOW_UP,),
    "action:" + FollowUpIds.SNOOZE_WEEK_BUTTON: (Act.CHANGE_FOLLOW_UP,),
    "options:" + Action.PARTNER_SELECT: (),
    "shortcut:" + Callback.LOG_SHORTCUT: (),  # opens the log form
    # Workflow Builder steps: as the workflow's user when given
    "function:" + WorkflowStep.LOG_COMMUNICATION: (Act.LOG,),
    "function:" + WorkflowStep.SEND_SURVEY: (Act.FEEDBACK,),
    "function:" + WorkflowStep.PARTNER_SCORE: (),
    # events
    "event:app_mention": (),
    "event:message": (),
    "event:message/file_share": (Act.IMPORT,),
    "event:app_home_opened": (),
}
