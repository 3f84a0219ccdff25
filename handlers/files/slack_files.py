"""Moving files between Slack and a temporary file without holding them in memory.

slack_sdk's ``files_upload_v2`` reads the whole file into memory first, so the export takes its
three steps itself: ``files.getUploadURLExternal``, a POST of the file streamed from disk to the
URL Slack gave, then ``files.completeUploadExternal`` to share it in a conversation. A download
streams ``url_private_download`` (the bot token as Bearer, which needs ``files:read``) in chunks,
stopping at the size limit.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit
from urllib.request import HTTPSHandler, ProxyHandler, Request, build_opener

from slack_sdk import WebClient

CHUNK_BYTES = 64 * 1024
TRANSFER_TIMEOUT = 60  # seconds without progress before a transfer is given up


class DownloadRefused(Exception):
    """The file could not be fetched; ``str()`` is the reason for the person."""


class TooLarge(Exception):
    """The file turned out larger than the limit while it was downloaded."""


def _open(client: WebClient, request: Request, timeout: float = TRANSFER_TIMEOUT):  # type: ignore[no-untyped-def]
    """``urlopen`` with the client's TLS context and proxy, as slack_sdk opens its own requests."""
    handlers: list[object] = [HTTPSHandler(context=client.ssl)] if client.ssl else []
    if client.proxy:
        handlers.append(ProxyHandler({"http": client.proxy, "https": client.proxy}))
    return build_opener(*handlers).open(request, timeout=timeout)


def send_file_to_dm(client: WebClient, user_id: str, path: Path, *, filename: str, comment: str) -> str:
    """Upload the file at ``path`` to the person's direct messages with the app, streamed from disk,
    with ``comment`` as its message; returns the file's ID."""
    channel = client.conversations_open(users=user_id)["channel"]["id"]
    size = path.stat().st_size
    upload = client.files_getUploadURLExternal(filename=filename, length=size)
    with path.open("rb") as body:
        request = Request(
            str(upload["upload_url"]),
            data=body,  # read in blocks by http.client, never whole
            method="POST",
            headers={"Content-Length": str(size), "Content-Type": "application/octet-stream"},
        )
        with _open(client, request) as answer:
            answer.read()
    file_id = str(upload["file_id"])
    client.files_completeUploadExternal(
        files=[{"id": file_id, "title": filename}], channel_id=channel, initial_comment=comment
    )
    return file_id


def trusted_url(url: str, api_url: str) -> bool:
    """Whether the bot token may be sent to ``url``: Slack's own hosts over HTTPS, or the host the
    Web API is reached at (SLACK_API_URL, e.g. the stand-in). Never anyone else's server."""
    parts, api = urlsplit(url), urlsplit(api_url)
    host = (parts.hostname or "").casefold()
    if parts.scheme == "https" and (host == "slack.com" or host.endswith(".slack.com")):
        return True
    return bool(host) and (parts.scheme, parts.netloc) == (api.scheme, api.netloc)


def download(client: WebClient, url: str, target: BinaryIO, *, limit: int) -> int:
    """Stream the file at ``url`` into ``target`` in chunks; the bytes written. Refused (before
    writing more than ``limit`` bytes, :class:`TooLarge`) when it is larger than ``limit``, whatever
    its size was said to be."""
    if not client.token or not trusted_url(url, client.base_url):
        raise DownloadRefused("Slack gave me a download address I don't trust, so I did not fetch the file.")
    request = Request(url, headers={"Authorization": f"Bearer {client.token}"})
    with _open(client, request) as answer:
        if answer.headers.get_content_type() == "text/html":
            # Slack answers a download it will not allow with its sign-in page, not an error.
            raise DownloadRefused(
                "Slack did not let me download the file (the app may lack the `files:read` permission; "
                "tell whoever runs Partnerbot)."
            )
        declared = answer.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise TooLarge()
        written = 0
        while chunk := answer.read(CHUNK_BYTES):
            written += len(chunk)
            if written > limit:
                raise TooLarge()
            target.write(chunk)
    return written
