"""``/partner need <partner> <type> [priority:…] [difficulty:…] <description…>`` (alone: the form),
``/partner need done|declined <id> [notes…]`` and ``/partner needs [<partner>] [open|all]``: what
partners need from us, ranked by priority and difficulty."""

from __future__ import annotations

import re
from datetime import date
from typing import TypeVar

from handlers.needs.views import (
    NeedMetadata,
    already_closed,
    need_reply,
    needs_reply,
    new_need_modal,
    no_such_need,
)
from handlers.services.needs import needs_summary
from handlers.shared.command import CommandRequest, subcommand
from handlers.shared.deps import Deps
from handlers.shared.errors import UnknownPartner, UserError
from handlers.shared.modals import open_modal
from handlers.shared.parsing import extract_options, first_word, record_id
from handlers.shared.partner_names import require_active, resolve_partner
from handlers.shared.permissions import Act, Asker, require
from handlers.shared.replies import Reply
from handlers.shared.text import escape, shorten
from storage import needs as need_store
from storage.models import NeedDifficulty, NeedPriority, NeedStatus, NeedType, Partner
from storage.need_words import DEFAULT_LEVEL, LEVELS, closest, names, parse_need_type, parse_word

CLOSING_WORDS = {
    "done": NeedStatus.MET,
    "met": NeedStatus.MET,
    "declined": NeedStatus.DECLINED,
    "decline": NeedStatus.DECLINED,
}
LIST_WORDS = {"open": False, "all": True}  # → include closed needs
# A word that can only be a need's number: the closing form is ``need done 3`` (or ``#3``).
_NUMBER = re.compile(r"#?\d+")
# ``prio:high``, ``priorty:high``: a misspelt option, which would otherwise end up in the description.
_OPTION_LIKE = re.compile(r"(?<!\S)([A-Za-z_]+):(\S*)")
Level = TypeVar("Level", NeedPriority, NeedDifficulty)
EXAMPLE = "/partner need Acme pricing priority:high Volume discount for 500 seats"
TYPE_WORDS = "discount, api, connector, leads, mdf, certification, ticket"


def _today(request: CommandRequest) -> date:
    return request.deps.now().astimezone(request.zone()).date()


def unknown_word(what: str, typed: str, choices: type[NeedType | NeedPriority | NeedDifficulty]) -> UserError:
    """The answer to a type, priority or difficulty nobody knows: the valid ones, and the one meant
    when the word is a typo of it."""
    guess = closest(typed, choices)
    hint = f" Did you mean `{guess}`?" if guess else ""
    shown = escape(shorten(typed, 40)) if typed else "(nothing)"
    return UserError(f"“{shown}” isn't a {what} I know.{hint} The {what} can be: {names(choices)}.")


def _level(options: dict[str, str], choices: type[Level]) -> Level:
    """The need's priority or difficulty (``choices``) as the options give it; medium when they don't."""
    key = next(name for name, levels in LEVELS.items() if levels is choices)
    typed = options.get(key)
    found = choices(DEFAULT_LEVEL) if typed is None else parse_word(typed, choices)
    if found is None:
        raise unknown_word(key, typed or "", choices)
    return found


def _refuse_misspelt_options(text: str) -> None:
    """``prio:high`` or ``dificulty:easy`` is refused with the option meant, never stored as words
    of the description (a colon in ordinary words, ``re: pricing``, is left alone)."""
    for match in _OPTION_LIKE.finditer(text):
        key = match.group(1).casefold()
        meant = closest(key, LEVELS) or next((o for o in LEVELS if key in (o[:4], o[:3])), None)
        if meant:
            raise UserError(
                f"I can't read “{escape(shorten(match.group(0), 40))}”: did you mean "
                f"`{meant}:{escape(shorten(match.group(2), 20))}`? A need takes "
                "`priority:high|medium|low` and `difficulty:easy|medium|hard`."
            )


def _type(partner: Partner, typed: str) -> NeedType:
    found = parse_need_type(typed) if typed else None
    if found is not None:
        return found
    name = escape(partner.name)
    if not typed:
        raise UserError(
            f"What does *{name}* need? e.g. `/partner need {name} pricing Volume discount for 500 seats` "
            f"(types: {names(NeedType)})."
        )
    error = unknown_word("type of need", typed, NeedType)
    raise UserError(f"{error.message} Everyday words work too: {TYPE_WORDS}. e.g. `{EXAMPLE}`")


@subcommand("need")
def need_command(request: CommandRequest, rest: str) -> Reply | None:
    action, after = first_word(rest)
    if not action:
        request.ack()
        view = new_need_modal(NeedMetadata(response_url=request.response_url))
        return open_modal(request.client, request.trigger_id, view)
    status = CLOSING_WORDS.get(action.casefold())
    if status is None:
        return add(request, rest)
    number, notes = first_word(after)
    if not number or _NUMBER.fullmatch(number):
        return close(request, status, number, notes)
    try:  # ``need done …`` without a number: a partner called "Done", or a need number forgotten
        return add(request, rest)
    except UnknownPartner:
        raise UserError(_which_need(status)) from None


def _which_need(status: NeedStatus) -> str:
    word = "done" if status is NeedStatus.MET else "declined"
    return f"Which need? e.g. `/partner need {word} 3 Signed the discount` (`/partner needs` lists them)."


def add(request: CommandRequest, rest: str) -> Reply:
    options = extract_options(rest, set(LEVELS))
    priority, difficulty = _level(options.values, NeedPriority), _level(options.values, NeedDifficulty)
    _refuse_misspelt_options(options.remainder)
    today = _today(request)
    with request.deps.db.transaction(actor=request.user_id) as session:
        match = resolve_partner(
            session, request.team_id, options.remainder, ends_name=lambda w: parse_need_type(w) is not None
        )
        require_active(match.partner)
        require(request, Act.ADD_NEED, match.partner, session=session)
        type_word, description = first_word(match.rest)
        kind = _type(match.partner, type_word)
        if not description:
            raise UserError(
                f"Say what *{escape(match.partner.name)}* needs: "
                f"`/partner need {escape(match.partner.name)} {kind.value} what they need…`"
            )
        need, _ = need_store.add_need(
            session,
            request.team_id,
            partner_id=match.partner.id,
            type=kind,
            priority=priority,
            difficulty=difficulty,
            description=description,
            raised_on=today,
            created_by=request.user_id,
            request_key=f"command:{request.trigger_id}" if request.trigger_id else None,
        )
        session.refresh(need, ["partner"])
        # Needs are in no score and not on the Home tab, so nothing else is told of the change:
        # telling the ranking cache would only make the next /partner top compute again.
        return need_reply(need, "Recorded", today=today)


def close_need(who: Asker, need_id: int, status: NeedStatus, *, today: date, notes: str = "") -> Reply:
    """Close a need as met or declined (the command and the buttons); says how, when and by whom it
    was closed when it already was."""
    deps, team_id, user_id = who.deps, who.team_id, who.user_id
    with deps.db.transaction(actor=user_id) as session:
        need = need_store.get_need(session, team_id, need_id)
        if need is None:
            raise UserError(no_such_need(str(need_id)))
        require(who, Act.CLOSE_NEED, need.partner, creator=need.created_by, session=session)
        try:
            need_store.close_need(session, need, status, on=today, by=user_id, notes=notes)
        except need_store.NeedClosed:
            return Reply(already_closed(need))
        return need_reply(need, "Closed", today=today)


def close(request: CommandRequest, status: NeedStatus, number: str, notes: str) -> Reply:
    if not number:
        raise UserError(_which_need(status))
    need_id = record_id(number)
    if need_id is None:
        raise UserError(no_such_need(shorten(number.removeprefix("#"), 25)))
    return close_need(request, need_id, status, today=_today(request), notes=notes)


@subcommand("needs")
def list_needs(request: CommandRequest, rest: str) -> Reply:
    words = rest.split()
    which = words[-1].casefold() if words and words[-1].casefold() in LIST_WORDS else "open"
    name = " ".join(words[:-1] if words and words[-1].casefold() in LIST_WORDS else words)
    include_closed = LIST_WORDS[which]
    with request.deps.db.read() as session:
        partner = resolve_partner(session, request.team_id, name, whole=True).partner if name else None
    return needs_answer(
        request.deps, request.team_id, partner, today=_today(request), include_closed=include_closed
    )


def needs_answer(
    deps: Deps, team_id: str, partner: Partner | None, *, today: date, include_closed: bool = False
) -> Reply:
    """One partner's needs, or the workspace's with its summary (the command and the questions)."""
    with deps.db.read() as session:
        found, total = need_store.needs(
            session, team_id, partner_id=partner.id if partner else None, include_closed=include_closed
        )
    if partner is not None:  # one partner's list is short enough to read whole: no summary
        return needs_reply(found, total, whose=partner.name, today=today, include_closed=include_closed)
    summary = needs_summary(deps.db, team_id, today=today)
    return needs_reply(
        found, total, whose="all partners", today=today, include_closed=include_closed, summary=summary
    )
