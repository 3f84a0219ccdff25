"""The console's Slack: the stand-in in-process, answering slack_sdk's clients for its own host only."""

from __future__ import annotations

import urllib.request

import pytest
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.console.activity import Activity
from bot.console.slack import API_URL, BASE_URL, ConsoleSlack, MessageRef
from bot.standin.inprocess import InProcessHandler


def test_the_in_process_slack_answers_clients_and_response_urls_and_nothing_else() -> None:
    slack = ConsoleSlack(team_id="T9", time_zone="Asia/Tokyo", activity=Activity())
    with slack.intercepted():
        client = WebClient(token="xoxb-console", base_url=API_URL)
        assert client.auth_test()["team_id"] == "T9"
        assert client.users_info(user="U5")["user"]["tz"] == "Asia/Tokyo"  # GET with a query string
        posted = client.chat_postMessage(channel="U5", text="hi", blocks=[{"type": "divider"}])
        assert posted["channel"] == "D5"
        trigger = slack.new_trigger_id()
        view = {"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": []}
        opened = client.views_open(trigger_id=trigger, view=view)["view"]
        assert opened["id"] in slack.views
        with pytest.raises(Exception, match="exchanged_trigger_id"):
            client.views_open(trigger_id=trigger, view=view)
        png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))  # binary, posted with a form content type
        uploaded = client.files_upload_v2(
            file=png, filename="chart.png", channel="C1", thread_ts="1.2", title="C"
        )
        assert uploaded["ok"] and len(slack.files[uploaded["file"]["id"]].data or b"") == len(png)
        url = slack.response_url_for(MessageRef("C1", None, ephemeral=True))
        assert WebhookClient(url).send(text="done", replace_original=True).status_code == 200
        # Any other host is left to the network as before.
        handler = InProcessHandler(slack)
        assert handler.https_open(urllib.request.Request("https://slack.com/api/auth.test")) is None
    kinds = [(o.kind, o.channel) for o in slack.drain()]
    assert kinds == [("message", "D5"), ("open", None), ("file", "C1"), ("message", "C1")]
    assert ("files.completeUploadExternal" in [c.method for c in slack.calls]) and BASE_URL.endswith(
        ".invalid"
    )
    assert urllib.request._opener is None or not any(  # type: ignore[attr-defined]
        isinstance(h, InProcessHandler)
        for h in urllib.request._opener.handlers  # type: ignore[attr-defined]
    )
