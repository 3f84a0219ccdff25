"""A person forgotten with ``partnerbot forget-user`` is shown as "a former user" wherever a line
names people, never as a mention of an ID nobody has."""

from __future__ import annotations

from datetime import UTC, datetime

from records import partner

from handlers.shared.lines import comment_lines, profile_line
from handlers.shared.text import mention
from storage.feedback import Comment
from storage.slack_ids import FORMER_USER


def test_a_mention_names_a_person_or_a_former_user() -> None:
    assert mention("U0123ABCD") == "<@U0123ABCD>"
    assert mention(FORMER_USER) == "a former user"


def test_a_partner_owned_by_a_former_user_says_so() -> None:
    line = profile_line(partner(owner=FORMER_USER))
    assert "owner a former user" in line and FORMER_USER not in line
    assert "owner <@U0OWNER>" in profile_line(partner(owner="U0OWNER"))


def test_a_former_users_comment_is_theirs_and_an_anonymous_one_stays_anonymous() -> None:
    moment = datetime(2026, 6, 1, tzinfo=UTC)
    lines = comment_lines(
        [
            Comment("great partner", FORMER_USER, False, 5, moment),
            Comment("slow answers", None, False, 2, moment),
        ]
    )
    assert "a former user" in lines and "anonymous" in lines and FORMER_USER not in lines
