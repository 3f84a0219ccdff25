"""Rankings end to end: ``/partner top`` (acknowledged first, answered through response_url),
``/partner stale``, ``/partner weights`` and the score explanation in ``/partner show``.

The workspaces are built through ``partnerbot import`` with timestamps relative to now, so that
every component of every score is known; the expected figures are worked out in the comments.
Runs against the real server on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.standin.http import HttpStandIn

from .conftest import ServerProcess, new_team_id, run_cli, serve_env
from .slack_client import SlackClient

pytestmark = pytest.mark.e2e

# Allowed to change weights through the PARTNERBOT_ADMINS setting (not Slack admins).
LISTED_ADMIN = "UPBADMIN"
CHANNEL_CO = "<!channel> *Co*"
RANKING_LINE = re.compile(r"^\*(\d+)\.\* \*(.+?)\* — (\S+)(?: · (.*))?$")


@pytest.fixture(scope="module")
def server(
    standin: HttpStandIn, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """The module's server, as conftest's, with PARTNERBOT_ADMINS set."""
    env = serve_env(standin, database_url, PARTNERBOT_ADMINS=f" {LISTED_ADMIN}, USOMEONEELSE ")
    process = ServerProcess(env, tmp_path_factory.mktemp("cwd")).start()
    try:
        process.wait_ready()
        yield process
    except BaseException:
        process.kill()
        raise
    process.assert_stops_cleanly()


def ago(days: float) -> str:
    moment = datetime.now(UTC) - timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def seed(
    slack: SlackClient,
    database_url: str,
    team: str,
    partners: list[str],
    interactions: Sequence[tuple[str, str, float]],
    ratings: Sequence[tuple[str, int]] = (),
) -> None:
    """Partners (``/partner add`` texts), interactions (partner, kind, days ago) through the import
    CLI, then ratings (partner, csat) through the feedback modal."""
    for text in partners:
        slack.command_ok(f"add {text}", team=team)
    if interactions:
        rows = "".join(f'"{p}",{kind},{ago(days)}\n' for p, kind, days in interactions)
        csv_text = "partner,kind,occurred_at\n" + rows
        run_cli(database_url, "import", "interactions", "-", "--team", team, input=csv_text)
    for name, csat in ratings:
        ack = slack.send_command(f'feedback "{name}"', team=team)
        opened = slack.standin.wait_for(
            "views.open", where=lambda c, t=ack.trigger_id: c.args.get("trigger_id") == t
        )
        answer = slack.submit_view(opened.response["view"], {"csat": str(csat)}, team=team)  # type: ignore[index]
        assert answer.json["response_action"] == "update", answer.json


@pytest.fixture(scope="module")
def ranked_team(slack: SlackClient, database_url: str) -> str:
    """A workspace whose ranking is known (no revenue or cost, so business counts for nobody).

    Last 90 days (half-life 30 days):

    ========  ===============  ==========  ===========  ===========  ==================  =====
    partner   communications   engagement  recency      satisfaction                     score
    ========  ===============  ==========  ===========  ===========  ==================  =====
    Alpha     3 meetings, 1 d  100         97.7         csat 5 → 71.9 (neutral)          87
    Delta     2 meetings, 10 d 80          79.4         —                                80
    Bravo     1 email, 40 d    60          39.7         csat 2 → 53.1 (very dissatisfied) 54
    Charlie   1 note, 80 d     40          15.7         —                                33
    <!ch…>    never            0           0            —                                0
    ========  ===============  ==========  ===========  ===========  ==================  =====

    (satisfaction: damped toward the workspace mean 62.5 with 3 answers' weight; the score is the
    weighted mean of the components a partner has, weights 0.40/0.35/0.15.)

    The 90 days before: Bravo 4 meetings 100 d ago, Charlie 2 calls 120 d ago, Alpha 1 email 170 d
    ago, so Bravo ranked 1st, Charlie 2nd and Alpha 3rd then: Alpha ▲2, Bravo ▼2, Charlie ▼2, and
    Delta and the last one are new.
    """
    team = new_team_id()
    partners = [
        "Alpha tier:gold owner:<@UOWNA>",
        "Bravo tier:silver owner:<@UOWNB|bravo>",
        "Charlie tier:gold",
        "Delta owner:<@UOWND>",
        f'"{CHANNEL_CO}" tier:gold',
    ]
    interactions = [
        *[("Alpha", "meeting", 1.0)] * 3,
        *[("Delta", "meeting", 10.0)] * 2,
        ("Bravo", "email", 40.0),
        ("Charlie", "note", 80.0),
        *[("Bravo", "meeting", 100.0)] * 4,
        *[("Charlie", "call", 120.0)] * 2,
        ("Alpha", "email", 170.0),
    ]
    seed(slack, database_url, team, partners, interactions, [("Alpha", 5), ("Bravo", 2)])
    return team


def top(slack: SlackClient, team: str, text: str = "", user: str = "U1") -> dict[str, Any]:
    """``/partner top <text>``: acknowledged empty at once, the answer through response_url."""
    ack = slack.send_command(f"top {text}".strip(), team=team, user=user)
    assert ack.status == 200 and ack.text == "", (ack.status, ack.text)
    assert ack.elapsed < 3, f"acknowledged after {ack.elapsed:.2f}s"
    return slack.standin.wait_for_response(ack.response_url, timeout=10).args


def text_of(payload: dict[str, Any]) -> str:
    texts = [payload.get("text", "")]
    for block in payload.get("blocks", []):
        for part in [block.get("text"), *block.get("elements", []), *block.get("fields", [])]:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                texts.append(part["text"])
    return "\n".join(texts)


def ranking(payload: dict[str, Any]) -> list[tuple[int, str, str, list[str]]]:
    """(position, name as shown, score, the rest split at ·) for each line of a ranking."""
    lines = []
    for line in text_of(payload).splitlines():
        match = RANKING_LINE.match(line)
        if match:
            rest = match.group(4).split(" · ") if match.group(4) else []
            lines.append((int(match.group(1)), match.group(2), match.group(3), rest))
    return lines


# --- /partner top ----------------------------------------------------------------------------


def test_top_acknowledges_first_then_ranks_with_scores_categories_and_movement(
    slack: SlackClient, ranked_team: str
) -> None:
    answer = top(slack, ranked_team)
    lines = ranking(answer)
    assert [(n, name, score) for n, name, score, _ in lines[:4]] == [
        (1, "Alpha", "87"),
        (2, "Delta", "80"),
        (3, "Bravo", "54"),
        (4, "Charlie", "33"),
    ], text_of(answer)
    assert lines[4][0] == 5 and "&lt;!channel&gt;" in lines[4][1] and lines[4][2] == "0"
    marks = {name: rest[-1] for _, name, _, rest in lines}
    assert (marks["Alpha"], marks["Delta"], marks["Bravo"], marks["Charlie"]) == ("▲2", "new", "▼2", "▼2")
    details = {name: rest for _, name, _, rest in lines}
    assert details["Alpha"][0] == "neutral" and details["Bravo"][0] == "very dissatisfied"
    assert details["Alpha"][1].startswith("last contact <!date^")
    assert details[lines[4][1]][0] == "never contacted"
    said = text_of(answer)
    assert "Top 5 partners by score" in said and "5 active partners" in said
    assert "<!channel>" not in str(answer)


def test_top_by_a_component_a_window_and_a_tier(slack: SlackClient, ranked_team: str) -> None:
    by_engagement = top(slack, ranked_team, "2 by engagement")
    assert "Top 2 partners by engagement" in text_of(by_engagement)
    lines = ranking(by_engagement)
    assert [(name, rest[0]) for _, name, _, rest in lines] == [
        ("Alpha", "engagement 100"),
        ("Delta", "engagement 80"),
    ]

    # Last 30 days: Bravo's and Charlie's communications are older, both ratings are new.
    by_satisfaction = top(slack, ranked_team, "by satisfaction last 30d")
    said = text_of(by_satisfaction)
    assert "Top 5 partners by satisfaction" in said and "Last month" in said
    lines = ranking(by_satisfaction)
    assert [(name, rest[0]) for _, name, _, rest in lines[:2]] == [
        ("Alpha", "satisfaction 72"),
        ("Bravo", "satisfaction 53"),
    ]
    assert [rest[0] for _, _, _, rest in lines[2:]] == ["satisfaction —"] * 3

    gold = top(slack, ranked_team, "tier:GOLD")
    assert "tier gold" in text_of(gold).casefold()
    names = [name for _, name, _, _ in ranking(gold)]
    assert names[:2] == ["Alpha", "Charlie"] and len(names) == 3

    unknown = text_of(top(slack, ranked_team, "tier:platinum"))
    assert "No active partner has tier “platinum”" in unknown
    assert "`gold`" in unknown and "`silver`" in unknown


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("by popularity", "I didn't understand “popularity”"),
        ("0", "I can list 1 to 50 partners"),
        ("51", "I can list 1 to 50 partners"),
        ("last 9999d", "between 1 and 3650 days"),
    ],
)
def test_top_explains_what_it_cannot_read(
    slack: SlackClient, ranked_team: str, text: str, expected: str
) -> None:
    reply = slack.command_ok(f"top {text}", team=ranked_team)
    assert expected in reply.json["text"], reply.json
    if "understand" in expected:
        assert "satisfaction" in reply.json["text"] and "last 30d" in reply.json["text"]


def test_top_in_an_empty_workspace_or_an_empty_window_says_what_to_do(
    slack: SlackClient, team: str, database_url: str
) -> None:
    empty = text_of(top(slack, team))
    assert "no active partners yet" in empty and "/partner add" in empty

    seed(slack, database_url, team, ["Oldco", "Olderco"], [("Oldco", "call", 200.0)])
    quiet = text_of(top(slack, team))
    assert "Nothing was logged or rated in the last quarter" in quiet and "/partner log" in quiet
    assert "Oldco" in text_of(top(slack, team, "last year"))


# --- /partner stale --------------------------------------------------------------------------


def test_stale_lists_never_contacted_first_then_oldest_with_owners(
    slack: SlackClient, ranked_team: str
) -> None:
    default = slack.command_ok("stale", team=ranked_team)
    said = default.blocks_text
    assert "No contact for 30+ days: 3 partners" in said
    entries = [line for line in said.splitlines() if line.startswith("• ")]
    assert len(entries) == 3
    assert "&lt;!channel&gt;" in entries[0] and "never contacted · no owner" in entries[0]
    assert entries[1].startswith("• *Charlie* — last contact <!date^") and entries[1].endswith("no owner")
    assert entries[2].startswith("• *Bravo* — last contact") and entries[2].endswith("<@UOWNB>")

    five = [line for line in slack.command_ok("stale 5", team=ranked_team).blocks_text.splitlines()]
    entries = [line for line in five if line.startswith("• ")]
    assert [e.split("*")[1] for e in entries[1:]] == ["Charlie", "Bravo", "Delta"]
    assert entries[3].endswith("<@UOWND>")

    assert "Give the number of days" in slack.command_ok("stale soon", team=ranked_team).json["text"]
    assert "between 1 and 3650" in slack.command_ok("stale 0", team=ranked_team).json["text"]
    recent = slack.command_ok("stale 200", team=ranked_team).blocks_text
    assert "No contact for 200+ days: 1 partner" in recent


# --- /partner weights ------------------------------------------------------------------------


def weights_team(slack: SlackClient, database_url: str) -> str:
    """Chatty: 5 meetings, rated 2; Happy: 1 email at the same moment, rated 5.

    Engagement 100 vs 50, recency equal, satisfaction 53.1 vs 71.9 (damped toward 62.5). With the
    default weights Chatty leads by (0.35·50 − 0.40·18.75) / 0.9 ≈ 11 points; with satisfaction 0.8
    and engagement 0.1 Happy leads by (0.8·18.75 − 0.1·50) / 1.05 ≈ 9.5.
    """
    team = new_team_id()
    seed(
        slack,
        database_url,
        team,
        ["Chatty", "Happy"],
        [*[("Chatty", "meeting", 2.0)] * 5, ("Happy", "email", 2.0)],
        [("Chatty", 2), ("Happy", 5)],
    )
    return team


def test_weights_are_shown_changed_by_admins_only_recorded_and_change_the_ranking(
    slack: SlackClient, standin: HttpStandIn, database_url: str
) -> None:
    team = weights_team(slack, database_url)
    tag = team[1:]
    admin, member, owner = f"UADM{tag}", f"UMEM{tag}", f"UOWN{tag}"
    standin.set_user(admin, is_admin=True)
    standin.set_user(owner, is_owner=True)

    shown = slack.command_ok("weights", team=team, user=member).blocks_text
    for line in (
        "*satisfaction*: 0.4 (35% of the score)",  # of a partner with closed projects (issue 12)
        "*engagement*: 0.35 (30% of the score)",
        "*recency*: 0.15 (13% of the score)",
        "*business*: 0.1 (9% of the score)",
        "*delivery*: 0.15 (13% of the score)",
    ):
        assert line in shown, shown
    assert "product defaults" in shown and "Recent changes" not in shown
    assert [name for _, name, _, _ in ranking(top(slack, team))] == ["Chatty", "Happy"]

    refused = slack.command_ok("weights satisfaction=0.8 engagement=0.1", team=team, user=member)
    assert "Only workspace admins and owners" in refused.json["text"], refused.json
    assert "product defaults" in slack.command_ok("weights", team=team).blocks_text

    for bad, expected in (
        ("satisfaction=-1", "can't be negative"),
        ("popularity=1", "There is no weight called “popularity”"),
        ("satisfaction", "couldn't read"),
        (
            "satisfaction=0 engagement=0 recency=0 business=0 delivery=0",
            "At least one weight must be above 0",
        ),
    ):
        assert expected in slack.command_ok(f"weights {bad}", team=team, user=admin).json["text"], bad

    saved = slack.command_ok("weights satisfaction=0.8 engagement=0.1", team=team, user=admin)
    said = saved.json["text"] + saved.blocks_text
    assert "Saved." in said and "*satisfaction*: 0.8" in said and "*engagement*: 0.1" in said
    assert [name for _, name, _, _ in ranking(top(slack, team))] == ["Happy", "Chatty"]

    by_listed = slack.command_ok("weights recency=20%", team=team, user=LISTED_ADMIN)
    assert "Saved." in by_listed.json["text"]
    by_owner = slack.command_ok("weights business=0.05", team=team, user=owner)
    assert "Saved." in by_owner.json["text"]

    history = slack.command_ok("weights", team=team, user=member).blocks_text
    assert "This workspace's own weights." in history and "*recency*: 0.2" in history
    changes = history.split("*Recent changes*")[1].strip().splitlines()
    assert len(changes) == 3, changes
    assert changes[0].endswith(f"<@{owner}>: business 0.1→0.05")  # newest first
    assert changes[1].endswith(f"<@{LISTED_ADMIN}>: recency 0.15→0.2")
    who, _, what = changes[2].partition(f"<@{admin}>: ")
    assert who and sorted(what.split(", ")) == ["engagement 0.35→0.1", "satisfaction 0.4→0.8"], changes
    assert changes[2].startswith("• <!date^")

    other = new_team_id()  # weights belong to one workspace
    assert "product defaults" in slack.command_ok("weights", team=other).blocks_text


# --- /partner show explains the score --------------------------------------------------------


def test_show_explains_the_score_component_by_component(slack: SlackClient, ranked_team: str) -> None:
    alpha = slack.command_ok("show Alpha", team=ranked_team).blocks_text
    assert "*Score 87/100* · rank 1 of 5 · last 90 days · neutral" in alpha
    assert "*Satisfaction* 72\n× 44% = 31.9 pts" in alpha
    assert "*Engagement* 100\n× 39% = 38.9 pts" in alpha
    assert "*Recency* 98\n× 17% = 16.3 pts" in alpha
    assert "*Business* —\nnot counted" in alpha
    assert "satisfaction: from 1 feedback answer in the last 90 days" in alpha
    assert "engagement: 4 communications in the last 90 days" not in alpha  # only 3 in the window
    assert "engagement: 3 communications in the last 90 days" in alpha
    assert "recency: last contact 1 day ago" in alpha
    assert "*What would move it most:* ask for feedback with /partner survey" in alpha

    charlie = slack.command_ok("show Charlie", team=ranked_team).blocks_text
    assert "*Score 33/100* · rank 4 of 5 · last 90 days" in charlie
    assert "*Satisfaction* —\nnot counted" in charlie
    assert "*What would move it most:* log a meeting or QBR" in charlie

    odd = slack.command_ok(f'show "{CHANNEL_CO}"', team=ranked_team)
    assert "rank 5 of 5" in odd.blocks_text and "<!channel>" not in str(odd.json)
