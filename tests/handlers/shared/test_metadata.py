"""private_metadata is parsed into its expected shape or refused."""

from __future__ import annotations

import pytest

from handlers.log.views import LogMetadata
from handlers.shared import metadata


def test_round_trip() -> None:
    meta = LogMetadata(interaction_id=5, response_url="https://x", channel_id="C1", message_ts="1.2")
    assert metadata.load(LogMetadata, metadata.dump(meta)) == meta


@pytest.mark.parametrize(
    "tampered",
    [
        None,
        "",
        "not json",
        "[]",
        '{"interaction_id": "5"}',
        '{"interaction_id": true}',
        '{"interaction_id": 5, "admin": true}',
        '{"response_url": 7}',
    ],
)
def test_tampered_metadata_is_refused(tampered: str | None) -> None:
    with pytest.raises(metadata.StaleMetadata):
        metadata.load(LogMetadata, tampered)


def test_oversized_metadata_is_refused_before_slack_sees_it() -> None:
    with pytest.raises(ValueError, match="3000"):
        metadata.dump(LogMetadata(response_url="x" * 3100))
