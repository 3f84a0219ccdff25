"""Finding the partner a person named at the start of a command, as product.md describes, and
checking it can take new records.

A quoted name is taken as is; an unquoted one is the longest known name at the start of the
text (case-insensitive). An unknown name raises UnknownPartner with the closest names.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from handlers.shared.errors import UnknownPartner, UserError
from handlers.shared.parsing import quoted_name, record_id, word_prefixes
from handlers.shared.text import escape, literal, shorten
from storage import projects as project_store
from storage.models import Partner, PartnerStatus, Project
from storage.partners import NameMatch, get_partner_by_name, match_partner_at_start, suggest_names


def resolve_partner(
    session: Session,
    team_id: str,
    text: str,
    *,
    whole: bool = False,
    ends_name: Callable[[str], bool] | None = None,
) -> NameMatch:
    """The partner named at the start of ``text`` and the text after the name.

    ``whole``: the name must be all of the text (``/partner show``). ``ends_name`` recognises a
    word that cannot be part of a name (a kind, for ``/partner log``); it is used only to guess
    what the person meant to type when no partner matches.
    """
    text = text.strip()
    quoted = quoted_name(text)
    if quoted is not None:
        name, rest = quoted
        partner = get_partner_by_name(session, team_id, name)
        if partner is None or (whole and rest):
            raise UnknownPartner(name if partner is None else text, suggest_names(session, team_id, name))
        return NameMatch(partner, rest)
    cuts = word_prefixes(text)
    if whole:
        cuts = cuts[-1:] if cuts and not cuts[-1][1] else []
    match = match_partner_at_start(session, team_id, cuts)
    if match is not None:
        return match
    typed = _typed_name(text, ends_name)
    raise UnknownPartner(typed, suggest_names(session, team_id, typed))


def _typed_name(text: str, ends_name: Callable[[str], bool] | None) -> str:
    words = text.split()
    if ends_name is not None:
        for i, word in enumerate(words):
            if i > 0 and ends_name(word):
                return " ".join(words[:i])
        # No recognisable word after the name: the name is most likely the first word.
        return words[0] if words else ""
    return " ".join(words)


def require_active(partner: Partner) -> None:
    """An archived partner takes no new communications, feedback or surveys: say how to revive it."""
    if partner.status != PartnerStatus.ACTIVE:
        raise UserError(
            f"*{literal(partner.name)}* is archived. `/partner edit {escape(partner.name)}` "
            "makes it active again."
        )


def partner_project(session: Session, team_id: str, partner: Partner, text: str | None) -> Project | None:
    """The project ``text`` numbers, which must be the partner's (a log's or a resource's
    ``project:<id>``); None when no number was given."""
    if not text:
        return None
    project_id = record_id(text)
    project = project_store.get_project(session, team_id, project_id) if project_id else None
    if project is None or project.partner_id != partner.id:
        raise UserError(
            f"There is no project #{escape(shorten(text, 25))} with *{literal(partner.name)}*: "
            f"`/partner project list {escape(partner.name)}` shows its projects."
        )
    return project
