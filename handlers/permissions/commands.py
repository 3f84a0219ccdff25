"""``/partner permissions``: everyone sees who may do what; only admins change it, one action at a
time (``/partner permissions archive-partner admins``) or all back to the defaults (``reset``).
Admins may always do everything, so no setting can lock a workspace out of itself."""

from __future__ import annotations

from handlers.permissions.views import permissions_reply
from handlers.shared.command import CommandRequest, subcommand
from handlers.shared.errors import UserError
from handlers.shared.parsing import first_word
from handlers.shared.permissions import ADMINS_ARE, RULES, Act, Role, allowed_roles, roles
from handlers.shared.replies import Reply
from handlers.shared.text import escape, shorten
from storage import permissions as permission_store

USAGE = "`/partner permissions <action> admins|owners|members`"
RESET = "reset"


@subcommand("permissions", "permission", "roles")
def permissions(request: CommandRequest, rest: str) -> Reply:
    first, after = first_word(rest)
    if not first:
        return _table(request)
    if not request.is_admin():
        raise UserError(f"Only {ADMINS_ARE} can change who may do what. `/partner permissions` shows it.")
    if first.casefold() == RESET:
        return _reset(request, after)
    act = _act(first)
    role_word, leftover = first_word(after)
    role = _role(act, role_word)
    if leftover:
        raise UserError(f"I didn't understand “{escape(shorten(leftover, 40))}”. Try {USAGE}.")
    with request.deps.db.transaction(actor=request.user_id) as session:
        if role == RULES[act].default:
            permission_store.forget_role(session, request.team_id, act.value)
        else:
            permission_store.set_role(
                session,
                request.team_id,
                act.value,
                role.value,
                changed_by=request.user_id,
                now=request.deps.now(),
            )
    return _table(request, saved="Saved.")


def _table(request: CommandRequest, *, saved: str = "") -> Reply:
    with request.deps.db.read() as session:
        table = roles(request.deps, request.team_id, session)
        changes = permission_store.changes(session, request.team_id)
    return permissions_reply(table, changes, saved=saved)


def _reset(request: CommandRequest, after: str) -> Reply:
    with request.deps.db.transaction(actor=request.user_id) as session:
        if after.strip():
            act = _act(after.strip())
            permission_store.forget_role(session, request.team_id, act.value)
        else:
            permission_store.reset(session, request.team_id)
    return _table(request, saved="Back to the defaults.")


def _act(word: str) -> Act:
    try:
        return Act(word.casefold())
    except ValueError:
        known = ", ".join(f"`{act.value}`" for act in Act)
        raise UserError(
            f"“{escape(shorten(word, 40))}” isn't an action I know. The actions: {known}."
        ) from None


def _role(act: Act, word: str) -> Role:
    allowed = allowed_roles(act)
    choices = " or ".join(f"`{role.value}`" for role in allowed)
    if not word:
        raise UserError(
            f"Who may {escape(act.value)}? Say {choices}, e.g. `/partner permissions {act.value} admins`."
        )
    try:
        role = Role(word.casefold())
    except ValueError:
        raise UserError(f"“{escape(shorten(word, 40))}” isn't a role: say {choices}.") from None
    if role not in allowed:
        raise UserError(f"`{act.value}` concerns no partner or record, so it has no owner: say {choices}.")
    return role
