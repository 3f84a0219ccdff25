"""Settings come from the environment, with one-line reasons when something is wrong."""

from __future__ import annotations

import pytest

from bot.settings import DEFAULT_SLACK_API_URL, ConfigurationError, Settings


def test_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.port == 3000
    assert settings.slack_api_url == DEFAULT_SLACK_API_URL
    assert settings.database_url.startswith("sqlite:///") and settings.database_url.endswith("partnerbot.db")
    assert settings.admins == frozenset()


def test_values_are_read_and_normalised() -> None:
    settings = Settings.from_env(
        {"PORT": "8080", "SLACK_API_URL": "http://127.0.0.1:9/api", "PARTNERBOT_ADMINS": " U1, U2 ,,"}
    )
    assert settings.port == 8080
    assert settings.slack_api_url == "http://127.0.0.1:9/api/"
    assert settings.admins == {"U1", "U2"}


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"PORT": "abc"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"PARTNERBOT_NOTE_RETENTION_MONTHS": "six"}, "PARTNERBOT_NOTE_RETENTION_MONTHS"),
        ({"PARTNERBOT_NOTE_RETENTION_MONTHS": "0"}, "PARTNERBOT_NOTE_RETENTION_MONTHS"),
        ({"PARTNERBOT_NOTE_RETENTION_MONTHS": "1201"}, "PARTNERBOT_NOTE_RETENTION_MONTHS"),
    ],
)
def test_bad_values_name_the_setting(env: dict[str, str], names: str) -> None:
    with pytest.raises(ConfigurationError, match=names):
        Settings.from_env(env)


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxp-user"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_APP_TOKEN": "bad"},
            "SLACK_APP_TOKEN",
        ),
    ],
)
def test_serve_requirements_name_what_to_set(env: dict[str, str], names: str) -> None:
    with pytest.raises(ConfigurationError, match=names) as error:
        Settings.from_env(env).require_slack()
    assert "\n" not in str(error.value)


def test_socket_mode_needs_no_signing_secret() -> None:
    settings = Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1-A1-1-x"})
    settings.require_slack()
    assert settings.slack_signing_secret is None and settings.slack_app_token == "xapp-1-A1-1-x"


def test_secrets_never_appear_in_repr() -> None:
    settings = Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-secret-token", "SLACK_SIGNING_SECRET": "sssecret"})
    assert "secret" not in repr(settings)


def test_note_retention_is_off_unless_set_and_then_a_number_of_months() -> None:
    assert Settings.from_env({}).note_retention_months is None
    assert Settings.from_env({"PARTNERBOT_NOTE_RETENTION_MONTHS": " 18 "}).note_retention_months == 18
    with pytest.raises(ConfigurationError, match="PARTNERBOT_NOTE_RETENTION_MONTHS is not set"):
        Settings.from_env({}).require_retention()


def test_nightly_backups_are_off_until_a_folder_is_given(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert Settings.from_env({}).backup_dir is None and Settings.from_env({}).backup_keep == 7
    settings = Settings.from_env({"PARTNERBOT_BACKUP_DIR": f" {tmp_path} ", "PARTNERBOT_BACKUP_KEEP": "3"})
    assert settings.backup_dir == tmp_path and settings.backup_keep == 3


@pytest.mark.parametrize(
    ("value", "reason"),
    [("none", "must be a number of backups, got 'none'"), ("0", "must be 1 or more, got 0")],
)
def test_a_backup_count_that_is_not_one_or_more_is_refused(value: str, reason: str) -> None:
    with pytest.raises(ConfigurationError, match=f"PARTNERBOT_BACKUP_KEEP {reason}"):
        Settings.from_env({"PARTNERBOT_BACKUP_KEEP": value})


def test_a_backup_folder_that_is_a_file_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    a_file = tmp_path / "file"
    a_file.write_text("")
    with pytest.raises(ConfigurationError, match="PARTNERBOT_BACKUP_DIR must be a folder"):
        Settings.from_env({"PARTNERBOT_BACKUP_DIR": str(a_file)})
