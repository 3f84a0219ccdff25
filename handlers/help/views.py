"""What ``/partner help`` shows: every sub-command with a one-line example."""

from __future__ import annotations

from handlers.shared.blocks import context_block, header, sections
from handlers.shared.replies import Reply
from handlers.shared.text import escape

# (usage, example, what it does) — kept in the order a new user would need them.
USAGE: list[tuple[str, str, str]] = [
    (
        "add <name> [tier:… region:… category:… owner:@user]",
        "/partner add Acme tier:gold owner:@ana",
        "add a partner",
    ),
    ("edit <name>", "/partner edit Acme", "change a partner's profile in a form"),
    ("archive <name>", "/partner archive Acme", "archive a partner (their history is kept)"),
    (
        "log <partner> <kind> <notes…>",
        "/partner log Acme call Renewal talk, they want a Q3 pilot",
        "log a communication at once (kinds: call, email, meeting, qbr, event, note, other)",
    ),
    ("log", "/partner log", "log through a form, with date and follow-up"),
    (
        "followup <partner> <when> <what…>",
        "/partner followup Acme next friday Send the pricing deck",
        "be reminded at 09:00 your time that day (when: YYYY-MM-DD, today, tomorrow, in N days|weeks, "
        "friday, next friday; or end a log with “follow up next friday”)",
    ),
    ("followups [mine|all|overdue]", "/partner followups overdue", "open follow-ups, with Done buttons"),
    ("show <partner>", "/partner show Acme", "profile, feedback, recent communications and contact counts"),
    (
        "feedback <partner>",
        "/partner feedback Acme",
        "rate the relationship: satisfaction 1-5, recommend 0-10",
    ),
    (
        "survey <partner> [@user…] [#channel]",
        "/partner survey Acme @ana #acme-shared",
        "ask people for feedback with a “Give feedback” button",
    ),
    ("survey results <partner>", "/partner survey results Acme", "responses, CSAT, NPS and comments"),
    ("survey close <id>", "/partner survey close 12", "stop a survey taking answers"),
    (
        "top [N] [by score|satisfaction|engagement|recency|revenue|delivery|loyalty] "
        "[last 30d|90d|quarter|year] [tier:<tier>]",
        "/partner top 5 by satisfaction last quarter",
        "the best partners, with change in rank",
    ),
    ("stale [days]", "/partner stale 45", "partners with no logged contact for that long (default 30)"),
    (
        "insights [tier:<tier>] [last 90d|year]",
        "/partner insights tier:gold last year",
        "what goes with satisfaction: meetings, calls, emails, days since contact, project success, "
        "open needs; only clear links, with 95% intervals (30 partners with feedback needed)",
    ),
    (
        "trend <partner> [weeks]",
        "/partner trend Acme 26",
        "the score and each component over the last weeks (default 12), with ▲▼, and a chart by DM",
    ),
    (
        "history <partner>",
        "/partner history Acme",
        "who changed what about a partner and its records, newest first (“Older” for more)",
    ),
    (
        'project add <partner> <name…> [due:YYYY-MM-DD] [value:<amount>] [goal:"…"]',
        "/partner project add Acme Q3 pilot due:2026-09-30 value:50,000",
        "record a joint project (or `/partner project` alone for a form)",
    ),
    (
        "project list [<partner>] [open|closed|all] · update <id> · close <id> won|lost|cancelled [result…]",
        "/partner project close 12 won Signed a 2-year deal",
        "see, change and close joint projects",
    ),
    (
        "resource <partner> people|funds|technology <amount> [unit] [project:<id>] [notes…]",
        "/partner resource Acme people 40 hours project:12 onboarding",
        "record people-hours, funds or technology committed to a partner",
    ),
    (
        "need <partner> <type> [priority:high|medium|low] [difficulty:easy|medium|hard] <description…>",
        "/partner need Acme pricing priority:high Volume discount for 500 seats",
        "record what a partner needs (or `/partner need` alone for a form); types: pricing, technical, "
        "integration, marketing, funding, training, support, other",
    ),
    (
        "needs [<partner>] [open|all] · need done|declined <id> [notes…]",
        "/partner need done 3 Agreed 12% off",
        "open needs ranked by priority, difficulty and age, with a summary; close one as met or declined",
    ),
    (
        "weights [satisfaction=<w> engagement=<w> recency=<w> business=<w> delivery=<w>]",
        "/partner weights",
        "show the scoring weights; admins change them",
    ),
    (
        "alerts [drop:<points>] [on|off]",
        "/partner alerts drop:15",
        "drop alerts: a partner's owner gets a DM when its score falls that much over 7 days "
        "(default 10) or its satisfaction category falls; admins change them",
    ),
    (
        "permissions [<action> admins|owners|members | reset]",
        "/partner permissions archive-partner admins",
        "who may do what; admins change it for the workspace (admins can always do everything)",
    ),
    (
        "export [partners|interactions|feedback|projects|resources|needs|followups|history|permissions]",
        "/partner export interactions",
        "a table as CSV in your direct messages with me; admins import one by uploading a CSV to me "
        "with the message `import partners` (or another table)",
    ),
    (
        "digest add #channel [daily HH:MM | weekly <weekday> HH:MM | monthly <day> HH:MM] [top N] "
        "[tz:<Area/City>] [no chart]",
        "/partner digest add #partners weekly monday 09:00 top 10",
        "post a ranking digest to a channel on a schedule",
    ),
    (
        "digest list | remove <id> | now [#channel]",
        "/partner digest now #partners",
        "see, stop or post digests",
    ),
]
# Sections hold at most 3000 characters: the list is split into groups.
PER_SECTION = 6


def help_reply() -> Reply:
    # Usage placeholders like <name> must be escaped, or Slack reads them as links.
    lines = [
        f"• `/partner {escape(usage)}` — {what}\n    _e.g._ `{escape(example)}`"
        for usage, example, what in USAGE
    ]
    blocks = [
        header("Partnerbot commands"),
        *sections(lines, per=PER_SECTION),
        context_block(
            'Partner names can be quoted: `/partner show "Acme Corp"`. '
            "You can also log any message with its ⋮ menu → *Log to partner*, and ask me in plain words: "
            "“@Partnerbot who are our top 5 partners this quarter?”, “who needs attention?”, "
            "“what projects do we have with Acme?”, “success rate by tier”, “what does Acme need?”, "
            "“what do our partners need most?”, “what drives satisfaction?”."
        ),
    ]
    names = dict.fromkeys(usage.split()[0] for usage, _, _ in USAGE)
    text = "Partnerbot commands: " + ", ".join(names)
    return Reply(text, blocks)
