"""A Workflow Builder step's inputs as Slack sends them: text trimmed, people as user IDs, and
every problem worded for the workflow author, naming the input."""

from __future__ import annotations

import pytest

from handlers.shared.errors import UserError
from handlers.shared.survey_invitations import MAX_RECIPIENTS
from handlers.workflows import inputs as read


def test_text_is_trimmed_and_optional_text_may_be_empty():
    assert read.text({"partner": "  Acme Corp "}, "partner", title="Partner") == "Acme Corp"
    assert read.text({}, "notes", title="Notes") == ""
    assert read.text({"notes": None}, "notes", title="Notes") == ""


def test_required_text_left_empty_says_which_input():
    with pytest.raises(UserError, match="The step's Partner is empty"):
        read.text({"partner": "   "}, "partner", title="Partner", required=True)
    with pytest.raises(UserError, match="The step's Partner is empty"):
        read.text({}, "partner", title="Partner", required=True)


def test_text_that_is_not_text():
    with pytest.raises(UserError, match="Notes must be text"):
        read.text({"notes": ["a", "b"]}, "notes", title="Notes")
    with pytest.raises(UserError, match="Notes must be text"):
        read.text({"notes": True}, "notes", title="Notes")
    assert read.text({"notes": 12}, "notes", title="Notes") == "12"  # a number variable mapped to text


def test_text_longer_than_partnerbot_keeps():
    with pytest.raises(UserError, match="3,001 characters long"):
        read.text({"notes": "x" * 3001}, "notes", title="Notes")
    assert len(read.text({"notes": "x" * 3000}, "notes", title="Notes")) == 3000


def test_person_is_a_user_id_or_none():
    assert read.person({"user": "U0123ABC"}, "user", title="Logged by") == "U0123ABC"
    assert read.person({"user": "W0AB12"}, "user", title="Logged by") == "W0AB12"
    assert read.person({}, "user", title="Logged by") is None
    assert read.person({"user": ""}, "user", title="Logged by") is None


def test_a_person_that_is_not_one_is_refused_with_the_text_escaped():
    with pytest.raises(UserError) as raised:
        read.person({"user": "<!channel> & co"}, "user", title="Logged by")
    assert "Logged by must be a person in Slack" in raised.value.message
    assert "&lt;!channel&gt; &amp; co" in raised.value.message


def test_people_in_order_each_once():
    given = {"recipients": ["U2XY", "U1AB", "U2XY", "W3CD"]}
    assert read.people(given, "recipients", title="Recipients") == ["U2XY", "U1AB", "W3CD"]
    assert read.people({"recipients": "U1AB"}, "recipients", title="Recipients") == ["U1AB"]


def test_no_recipients():
    for given in ({}, {"recipients": []}, {"recipients": None}):
        with pytest.raises(UserError, match="Recipients is empty: choose at least one person"):
            read.people(given, "recipients", title="Recipients")


def test_recipients_that_are_not_people():
    with pytest.raises(UserError, match="“C123ABC” isn't one"):
        read.people({"recipients": ["U1AB", "C123ABC"]}, "recipients", title="Recipients")
    with pytest.raises(UserError, match="must be a list of people"):
        read.people({"recipients": {"U1": True}}, "recipients", title="Recipients")


def test_too_many_recipients():
    many = [f"U{i:04d}" for i in range(MAX_RECIPIENTS + 1)]
    with pytest.raises(UserError, match=f"at most {MAX_RECIPIENTS}"):
        read.people({"recipients": many}, "recipients", title="Recipients")
    assert len(read.people({"recipients": many[:-1]}, "recipients", title="Recipients")) == MAX_RECIPIENTS
