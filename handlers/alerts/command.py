"""``/partner alerts [drop:<points>] [on|off]``: shows the workspace's drop-alert settings to
everyone; admins change them."""

from __future__ import annotations

from handlers.alerts.views import settings_reply
from handlers.shared.command import CommandRequest, subcommand
from handlers.shared.errors import UserError
from handlers.shared.permissions import Act, require
from handlers.shared.replies import Reply
from handlers.shared.text import escape, shorten
from storage import alerts as alert_store
from storage.alerts import DROP_RANGE

USAGE = "`/partner alerts drop:15`, `/partner alerts off` or `/partner alerts on drop:10`"


def parse(rest: str) -> tuple[int | None, bool | None]:
    drop: int | None = None
    enabled: bool | None = None
    low, high = DROP_RANGE
    for word in rest.split():
        folded = word.casefold()
        if folded in ("on", "off"):
            enabled = folded == "on"
            continue
        name, sep, value = folded.partition(":")
        if sep and name in ("drop", "points"):
            number = value.strip().removesuffix("points").removesuffix("pts")
            if not number.lstrip("-+").isdigit() or not low <= int(number) <= high:
                raise UserError(
                    f"The drop must be a whole number of points from {low} to {high} (you gave "
                    f"“{escape(shorten(value, 20))}”), e.g. `/partner alerts drop:10`."
                )
            drop = int(number)
            continue
        raise UserError(f"I couldn't read “{escape(shorten(word, 40))}”. Try {USAGE}.")
    return drop, enabled


@subcommand("alerts", "alert")
def alerts(request: CommandRequest, rest: str) -> Reply:
    deps = request.deps
    if not rest.strip():
        with deps.db.read() as session:
            return settings_reply(alert_store.settings(session, request.team_id))
    drop, enabled = parse(rest)
    require(request, Act.ALERTS)
    with deps.db.transaction(actor=request.user_id) as session:
        saved = alert_store.save_settings(
            session,
            request.team_id,
            drop_points=drop,
            enabled=enabled,
            changed_by=request.user_id,
            now=deps.now(),
        )
    return settings_reply(saved, saved=True)
