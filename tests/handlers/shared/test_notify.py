"""Replies go only to response URLs on Slack's hosts (or the configured SLACK_API_URL's)."""

from __future__ import annotations

import pytest

from handlers.shared.notify import trusted_response_url

API = "https://slack.com/api/"
STANDIN = "http://127.0.0.1:8123/api/"


@pytest.mark.parametrize(
    ("url", "api", "trusted"),
    [
        ("https://hooks.slack.com/commands/T1/2/abc", API, True),
        ("https://hooks.slack.com/actions/T1/2/abc", API, True),
        ("https://hooks.slack-gov.com/commands/T1/2/abc", API, True),
        ("http://127.0.0.1:8123/response/R1", STANDIN, True),
        ("http://hooks.slack.com/commands/T1/2/abc", API, False),  # not https
        ("https://hooks.slack.com.evil.example/x", API, False),
        ("https://evilslack.com/x", API, False),
        ("https://slack.com@evil.example/x", API, False),
        ("http://127.0.0.1:9999/response/R1", API, False),
        ("http://127.0.0.1:9999/response/R1", STANDIN, False),  # the API's host, another port
        ("http://localhost:8123/response/R1", STANDIN, False),
        ("https://127.0.0.1:8123/response/R1", STANDIN, False),  # another scheme than the API's
        ("javascript:alert(1)", API, False),
        ("", API, False),
        (None, API, False),
        ("http://[::1", API, False),
    ],
)
def test_only_slacks_response_urls_are_trusted(url: str | None, api: str, trusted: bool) -> None:
    assert trusted_response_url(url, slack_api_url=api) is trusted
