"""The Slack stand-in (bot/standin/, here over loopback HTTP) behaves like Slack where the e2e
tests rely on it — otherwise a green e2e run would prove nothing. Driven with slack_sdk's own
clients."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from bot.standin.http import HttpStandIn
from bot.standin.records import DEFAULT_TZ, TRIGGER_TTL
from bot.standin.signed import sign

pytestmark = pytest.mark.e2e

MODAL = {
    "type": "modal",
    "callback_id": "demo",
    "title": {"type": "plain_text", "text": "Demo"},
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hello"}}],
}
BAD_MODAL = {**MODAL, "title": {"type": "plain_text", "text": "A title far longer than twenty-four"}}


@pytest.fixture
def fake() -> Iterator[HttpStandIn]:
    with HttpStandIn(trigger_ttl=0.5) as running:
        yield running


@pytest.fixture
def client(fake: HttpStandIn) -> WebClient:
    return WebClient(token="xoxb-standin", base_url=fake.api_url, timeout=5)


def error_of(call) -> str:
    with pytest.raises(SlackApiError) as raised:
        call()
    return raised.value.response["error"]


def test_auth_test_and_tokens(fake: HttpStandIn, client: WebClient) -> None:
    answer = client.auth_test()
    assert (answer["team_id"], answer["user_id"], answer["bot_id"]) == ("T1", "UBOT", "BBOT")
    recorded = fake.calls_to("auth.test")[0]
    assert recorded.headers["authorization"] == "Bearer xoxb-standin" and recorded.token == "xoxb-standin"
    assert requests.post(fake.api_url + "auth.test", timeout=5).json() == {"ok": False, "error": "not_authed"}
    fake.accepted_tokens = {"xoxb-good"}
    assert error_of(client.auth_test) == "invalid_auth"


def test_users_info_time_zones_and_admins(fake: HttpStandIn, client: WebClient) -> None:
    assert client.users_info(user="U1")["user"]["tz"] == DEFAULT_TZ == "America/New_York"
    fake.set_user("U2", tz="Asia/Tokyo", is_admin=True)
    user = client.users_info(user="U2")["user"]
    assert (user["tz"], user["is_admin"], user["id"]) == ("Asia/Tokyo", True, "U2")


def test_triggers_expire_and_are_single_use(fake: HttpStandIn, client: WebClient) -> None:
    assert TRIGGER_TTL == 3.0 and HttpStandIn().trigger_ttl == 3.0
    fresh = fake.new_trigger_id()
    opened = client.views_open(trigger_id=fresh, view=MODAL)
    assert opened["view"]["id"].startswith("V") and opened["view"]["callback_id"] == "demo"
    assert error_of(lambda: client.views_open(trigger_id=fresh, view=MODAL)) == "exchanged_trigger_id"
    assert error_of(lambda: client.views_open(trigger_id="12.34.never-issued", view=MODAL)) == (
        "expired_trigger_id"
    )
    waited = fake.new_trigger_id()
    time.sleep(0.55)  # this stand-in's window is 0.5 s (Slack's, the default, is 3 s)
    assert error_of(lambda: client.views_open(trigger_id=waited, view=MODAL)) == "expired_trigger_id"
    backdated = fake.new_trigger_id(issued_ago=0.6)
    assert error_of(lambda: client.views_push(trigger_id=backdated, view=MODAL)) == "expired_trigger_id"


def test_views_are_validated_kept_and_updated(fake: HttpStandIn, client: WebClient) -> None:
    assert error_of(lambda: client.views_open(trigger_id=fake.new_trigger_id(), view=BAD_MODAL)) == (
        "invalid_blocks"
    )
    method, message = fake.invalid[-1]
    assert method == "views.open" and "title" in message
    view_id = client.views_open(trigger_id=fake.new_trigger_id(), view=MODAL)["view"]["id"]
    updated = client.views_update(view_id=view_id, view={**MODAL, "callback_id": "changed"})
    assert updated["view"]["id"] == view_id and fake.view(view_id)["callback_id"] == "changed"
    assert error_of(lambda: client.views_update(view_id="VNOPE", view=MODAL)) == "not_found"
    home = {"type": "home", "blocks": MODAL["blocks"]}
    assert client.views_publish(user_id="U1", view=home)["view"]["type"] == "home"


def test_messages_are_validated_and_answered_like_slack(fake: HttpStandIn, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="U123", text="hi", blocks=MODAL["blocks"])
    assert posted["channel"] == "D123" and float(posted["ts"]) > 0
    too_long = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    assert error_of(lambda: client.chat_postMessage(channel="C1", text="hi", blocks=too_long)) == (
        "invalid_blocks"
    )
    assert "3001" in fake.calls_to("chat.postMessage")[-1].invalid
    with pytest.warns(UserWarning, match="text"):
        assert error_of(lambda: client.chat_postMessage(channel="C1")) == "no_text"
    assert client.chat_postEphemeral(channel="C1", user="U1", text="psst")["message_ts"]
    link = client.chat_getPermalink(channel="C9", message_ts="1700000000.000100")["permalink"]
    assert link.endswith("/archives/C9/p1700000000000100")
    assert client.conversations_open(users="U5")["channel"]["id"] == "D5"
    assert client.conversations_join(channel="C7")["channel"]["id"] == "C7"
    assert error_of(lambda: client.api_call("no.such.method")) == "unknown_method"


def test_form_encoded_json_arguments_and_query_strings_are_read(fake: HttpStandIn) -> None:
    body = urlencode({"channel": "C1", "text": "t", "blocks": json.dumps(MODAL["blocks"])})
    answer = requests.post(
        fake.api_url + "chat.postMessage",
        data=body,
        headers={"Authorization": "Bearer xoxb-x", "Content-Type": "application/x-www-form-urlencoded"},
        timeout=5,
    )
    assert answer.json()["ok"] is True
    assert fake.calls_to("chat.postMessage")[0].args["blocks"] == MODAL["blocks"]
    got = requests.get(fake.api_url + "users.info?user=U8&token=xoxb-x", timeout=5).json()
    assert got["user"]["id"] == "U8"


def test_response_urls_are_validated_and_used_at_most_five_times(fake: HttpStandIn) -> None:
    url = fake.new_response_url()
    hook = WebhookClient(url, timeout=5)
    assert hook.send(text="first").status_code == 200
    bad = hook.send(text="x", blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": ""}}])
    assert bad.status_code == 400 and json.loads(bad.body)["error"] == "invalid_blocks"
    assert fake.invalid[-1][0] == "response_url"
    for _ in range(3):
        assert hook.send(text="again").status_code == 200
    assert hook.send(text="sixth").status_code == 404
    assert [c.args.get("text") for c in fake.responses_to(url)][:2] == ["first", "x"]
    assert WebhookClient(fake.url + "/response/RNEVER").send(text="x").status_code == 404


def test_failures_can_be_scripted(fake: HttpStandIn, client: WebClient) -> None:
    fake.fail_next("chat.postMessage", error="not_in_channel")
    assert error_of(lambda: client.chat_postMessage(channel="C1", text="x")) == "not_in_channel"
    assert client.chat_postMessage(channel="C1", text="x")["ok"], "only the next call fails"

    fake.fail_next("chat.postMessage", status=500)
    assert error_of(lambda: client.chat_postMessage(channel="C1", text="x")) == "internal_error"

    fake.fail_next("chat.postMessage", status=429, retry_after=1)
    raw = requests.post(
        fake.api_url + "chat.postMessage", data={"channel": "C1", "text": "x", "token": "xoxb-x"}, timeout=5
    )
    assert raw.status_code == 429 and raw.headers["Retry-After"] == "1"

    fake.fail_next("chat.postMessage", status=429, retry_after=1)
    patient = WebClient(
        token="xoxb-x", base_url=fake.api_url, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)]
    )
    start = time.monotonic()
    assert patient.chat_postMessage(channel="C1", text="x")["ok"]
    assert time.monotonic() - start >= 0.9

    fake.fail_next("users.info", error="user_not_found", times=None, where=lambda c: c.args["user"] == "UX")
    for _ in range(2):
        assert error_of(lambda: client.users_info(user="UX")) == "user_not_found"
    assert client.users_info(user="UY")["ok"]
    fake.clear_failures("users.info")
    assert client.users_info(user="UX")["ok"]


def test_delays_and_waiting_for_calls(fake: HttpStandIn, client: WebClient) -> None:
    fake.delay("users.info", 0.3, where=lambda c: c.args.get("user") == "USLOW")
    threading.Timer(0.1, lambda: client.users_info(user="USLOW")).start()
    arrived = fake.wait_for("users.info", timeout=2, answered=False)
    assert arrived.response is None, "answered before its delay"
    answered = fake.wait_for("users.info", timeout=2)
    assert answered.ok and answered is arrived
    start = time.monotonic()
    client.users_info(user="UFAST")
    assert time.monotonic() - start < 0.25
    with pytest.raises(AssertionError, match=r"no views\.open call"):
        fake.wait_for("views.open", timeout=0.2)
    assert fake.first_call("views.open", timeout=0.1) is None


def test_waiting_for_nothing_to_happen(fake: HttpStandIn, client: WebClient) -> None:
    client.chat_postMessage(channel="C1", text="once")
    fake.assert_no_call("chat.postMessage", beyond=1, within=0.1)
    threading.Timer(0.05, lambda: client.chat_postMessage(channel="C1", text="twice")).start()
    start = time.monotonic()
    with pytest.raises(AssertionError, match=r"2 chat\.postMessage call"):
        fake.assert_no_call("chat.postMessage", beyond=1, within=5)
    assert time.monotonic() - start < 2, "it fails as soon as the call comes, not after the window"


def test_what_slack_keeps_between_calls(fake: HttpStandIn, client: WebClient) -> None:
    home = {"type": "home", "blocks": MODAL["blocks"]}
    first = client.views_publish(user_id="U1", view=home)["view"]
    again = client.views_publish(user_id="U1", view=home)["view"]
    other = client.views_publish(user_id="U2", view=home)["view"]
    assert first["id"] == again["id"] != other["id"], "one Home tab per user"
    assert first["blocks"][0]["block_id"], "Slack gives every block a block_id"
    fake.set_channel("CGONE", exists=False)
    assert error_of(lambda: client.conversations_info(channel="CGONE")) == "channel_not_found"
    fake.set_channel("CNAMED", name="deals")
    assert client.conversations_info(channel="CNAMED")["channel"]["name"] == "deals"
    assert client.chat_delete(channel="C1", ts="1.2")["ok"]


def test_signed_requests_verify_as_slack_signs_them() -> None:
    verifier = SignatureVerifier("s3cret")
    for body in ("payload=%7B%7D", "caf\u00e9 ☕".encode()):
        headers = sign("s3cret", body)
        assert verifier.is_valid(body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"])
    raw = b"\xff\xfe not UTF-8"  # Slack signs the bytes it sends, whatever they are
    headers = sign("s3cret", raw, timestamp=1700000000)
    digest = hmac.new(b"s3cret", b"v0:1700000000:" + raw, hashlib.sha256).hexdigest()
    assert headers == {"X-Slack-Request-Timestamp": "1700000000", "X-Slack-Signature": f"v0={digest}"}


def test_files_people_share_are_described_and_downloaded_with_a_token(
    fake: HttpStandIn, client: WebClient
) -> None:
    shared = fake.add_file("partners.csv", b"name\nAcme\n", user="U7", channel="D7")
    assert shared["size"] == 10 and shared["filetype"] == "csv" and shared["user"] == "U7"
    info = client.files_info(file=shared["id"])["file"]
    assert info == shared
    with pytest.raises(SlackApiError, match="file_not_found"):
        client.files_info(file="FNOPE")
    url = shared["url_private_download"]
    fetched = requests.get(url, headers={"Authorization": "Bearer xoxb-any"}, timeout=5)
    assert fetched.status_code == 200 and fetched.content == b"name\nAcme\n"
    assert fetched.headers["Content-Type"] == "text/csv"
    # Without a token Slack serves its sign-in page, not the file.
    anonymous = requests.get(url, timeout=5)
    assert anonymous.status_code == 200 and anonymous.headers["Content-Type"].startswith("text/html")
    assert b"Acme" not in anonymous.content
    assert [c.ok for c in fake.calls_to("file_download")] == [True, False]


def test_a_shared_file_can_state_another_size(fake: HttpStandIn, client: WebClient) -> None:
    shared = fake.add_file("p.csv", b"x" * 100, user="U7", channel="D7", size=5)
    assert client.files_info(file=shared["id"])["file"]["size"] == 5
