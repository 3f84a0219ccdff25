"""Files to and from Slack through the stand-in over loopback HTTP: streamed uploads to a person's
direct messages, downloads with the bot token, the size limit while streaming."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from bot.standin.http import HttpStandIn
from handlers.files import slack_files
from handlers.files.slack_files import DownloadRefused, TooLarge, download, send_file_to_dm, trusted_url


@pytest.fixture(scope="module")
def slack() -> Iterator[HttpStandIn]:
    with HttpStandIn() as running:
        yield running


@pytest.fixture
def client(slack: HttpStandIn) -> WebClient:
    return WebClient(token="xoxb-files", base_url=slack.api_url, timeout=5)


def test_an_upload_reaches_the_persons_dm_with_its_comment(slack, client, tmp_path):
    path = tmp_path / "partners.csv"
    path.write_bytes(b"name\nAcme\r\nZ\xc3\xbcrich\n")
    file_id = send_file_to_dm(client, "UFILES1", path, filename="partners.csv", comment="2 rows")
    (shared,) = [f for f in slack.shared_files("DFILES1") if f.id == file_id]
    assert shared.data == path.read_bytes() and shared.title == "partners.csv"
    completed = slack.wait_for("files.completeUploadExternal", where=lambda c: file_id in str(c.args))
    assert completed.args["initial_comment"] == "2 rows"


def test_a_download_streams_the_bytes_with_the_bot_token(slack, client):
    data = b"name\nAcme\n" * 10_000
    info = slack.add_file("big.csv", data, user="UFILES2", channel="DFILES2")
    target = io.BytesIO()
    assert download(client, info["url_private_download"], target, limit=len(data)) == len(data)
    assert target.getvalue() == data
    fetched = slack.wait_for("file_download", where=lambda c: c.args["file_id"] == info["id"])
    assert fetched.headers["authorization"] == "Bearer xoxb-files"


def test_a_download_over_the_limit_stops(slack, client):
    info = slack.add_file("big.csv", b"x" * 1000, user="UFILES3", channel="DFILES3")
    target = io.BytesIO()
    with pytest.raises(TooLarge):
        download(client, info["url_private_download"], target, limit=999)
    assert target.getvalue() == b""  # refused from Content-Length, before writing


class _Headers(dict):
    def get_content_type(self) -> str:
        return "text/csv"


class _Unsized:
    """An answer without Content-Length, as a chunked download comes."""

    def __init__(self, data: bytes) -> None:
        self._body = io.BytesIO(data)
        self.headers = _Headers()

    def read(self, size: int) -> bytes:
        return self._body.read(size)

    def __enter__(self) -> _Unsized:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def test_a_download_without_a_stated_length_stops_at_the_limit_while_streaming(client, monkeypatch):
    answer = _Unsized(b"y" * 300)
    monkeypatch.setattr(slack_files, "CHUNK_BYTES", 100)
    monkeypatch.setattr(slack_files, "_open", lambda client, request: answer)
    target = io.BytesIO()
    with pytest.raises(TooLarge):
        download(client, f"{client.base_url}x", target, limit=250)
    assert len(target.getvalue()) == 200  # never more than the limit written


def test_without_a_valid_token_slack_answers_its_sign_in_page(slack):
    # The stand-in takes xoxb-/xoxp- tokens only; Slack answers anything else with HTML, not an error.
    info = slack.add_file("p.csv", b"name\n", user="UFILES4", channel="DFILES4")
    client = WebClient(token="not-a-token", base_url=slack.api_url, timeout=5)
    with pytest.raises(DownloadRefused, match="files:read"):
        download(client, info["url_private_download"], io.BytesIO(), limit=100)


def test_the_token_goes_only_to_slack_or_the_api_host(client):
    assert trusted_url("https://files.slack.com/files-pri/T1-F1/download/p.csv", client.base_url)
    assert trusted_url(f"{client.base_url.removesuffix('/api/')}/download/F1/p.csv", client.base_url)
    assert not trusted_url("http://files.slack.com/p.csv", client.base_url)  # not over TLS
    assert not trusted_url("https://evil.example/slack.com/p.csv", client.base_url)
    assert not trusted_url("https://notslack.com/p.csv", client.base_url)
    with pytest.raises(DownloadRefused, match="don't trust"):
        download(client, "https://evil.example/p.csv", io.BytesIO(), limit=100)
