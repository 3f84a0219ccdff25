"""What ``/partner permissions`` shows: each action, who may do it, and whether an admin changed it."""

from __future__ import annotations

from handlers.shared.blocks import context_block, section, sections
from handlers.shared.permissions import RULES, Act, Role, describe
from handlers.shared.replies import Reply, slack_date
from handlers.shared.text import mention
from storage.models import PermissionSetting

ROLE_WORDS = {
    Role.ADMINS: "admins",
    Role.OWNERS: "the partner's owner (or whoever created the record) and admins",
    Role.MEMBERS: "everyone",
}


def permissions_reply(table: dict[Act, Role], changes: list[PermissionSetting], *, saved: str = "") -> Reply:
    changed = {row.action: row for row in changes}
    lines = []
    for act in Act:
        role = table[act]
        line = f"`{act.value}` ({describe(act)}): *{ROLE_WORDS[role]}*"
        row = changed.get(act.value)
        if row is not None and role != RULES[act].default:
            by = f"changed by {mention(row.updated_by)}" if row.updated_by else "imported"
            line += f" — {by} {slack_date(row.updated_at)}"
        lines.append(line)
    head = f"{saved} " if saved else ""
    text = head + "Who may do what in this workspace:"
    return Reply(
        text,
        [
            section(text),
            *sections(lines),
            context_block(
                "Admins (workspace admins and owners, and PARTNERBOT_ADMINS) can always do everything. "
                "Change one with `/partner permissions <action> admins|owners|members`, "
                "or go back to the defaults with `/partner permissions reset`."
            ),
        ],
    )
