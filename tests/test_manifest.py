"""manifest.yml is a valid Slack app manifest and says exactly what the app needs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from jsonschema.validators import validator_for

from handlers.shared.communications import KINDS_TEXT
from handlers.shared.ids import WorkflowStep

ROOT = Path(__file__).resolve().parent.parent
MANIFEST_PATH = ROOT / "manifest.yml"
SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "manifest.schema.1.0.0.json"

# Adding a scope is a deliberate change: it asks every installing workspace for more access.
EXPECTED_BOT_SCOPES = {
    "commands",
    "chat:write",
    "users:read",
    "app_mentions:read",
    "im:history",
    "channels:join",
    # conversations.info: whether a channel is shared with another organisation (Slack Connect),
    # public and private channels alike
    "channels:read",
    "groups:read",
    "files:write",  # charts, and /partner export's CSV file
    "files:read",  # files.info and the download of a CSV an admin uploads to import it
    "im:write",  # conversations.open: /partner trend's chart and exports go to the person's DMs
}
EXPECTED_BOT_EVENTS = {
    "app_home_opened",
    "app_mention",
    "message.im",
    "app_uninstalled",
    "tokens_revoked",
    "function_executed",
}
# The scope each subscribed event needs (app_home_opened needs none).
EVENT_SCOPES = {"app_mention": "app_mentions:read", "message.im": "im:history"}
# The scopes each Web API method the app calls needs (views.* and chat.getPermalink need none).
METHOD_SCOPES: dict[str, str | tuple[str, ...]] = {
    "chat_postMessage": "chat:write",
    "chat_postEphemeral": "chat:write",
    "chat_update": "chat:write",
    "users_info": "users:read",
    "conversations_join": "channels:join",
    "conversations_info": ("channels:read", "groups:read"),  # public and private channels
    "conversations_open": "im:write",
    "files_upload_v2": "files:write",
    # /partner export streams its file through the two steps files_upload_v2 takes
    "files_getUploadURLExternal": "files:write",
    "files_completeUploadExternal": "files:write",
    "files_info": "files:read",
}
SCOPELESS_METHODS = {
    "views_open",
    "views_push",
    "views_update",
    "views_publish",
    "chat_getPermalink",
    "auth_test",
}
SLACK_PATH = "/slack/events"
REDIRECT_PATH = "/slack/oauth_redirect"


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load(MANIFEST_PATH.read_text(encoding="utf-8"))


def _urls(node, path="") -> list[tuple[str, str]]:
    """Every (path, value) in the manifest that is a URL."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _urls(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _urls(value, f"{path}[{i}]")
    elif isinstance(node, str) and re.match(r"^https?://", node):
        found.append((path, node))
    return found


def test_manifest_matches_the_slack_schema(manifest):
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = validator_for(schema)
    cls.check_schema(schema)
    errors = sorted(cls(schema).iter_errors(manifest), key=lambda e: list(map(str, e.absolute_path)))
    assert not errors, "\n".join(f"{'.'.join(map(str, e.absolute_path)) or '$'}: {e.message}" for e in errors)


def test_manifest_basics(manifest):
    assert manifest["_metadata"]["major_version"] == 1
    info = manifest["display_information"]
    assert info["name"] == "Partnerbot"
    assert info["description"]
    # The schema spells this constraint "regex", which JSON Schema ignores, so check it here.
    assert re.fullmatch(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?", info["background_color"])
    features = manifest["features"]
    assert features["bot_user"] == {"display_name": "partnerbot", "always_online": True}
    assert features["app_home"] == {
        "home_tab_enabled": True,
        "messages_tab_enabled": True,
        "messages_tab_read_only_enabled": False,
    }
    settings = manifest["settings"]
    assert settings["interactivity"]["is_enabled"] is True
    # Workflow Builder steps only appear for an org-ready app run by this server (Slack's guide to
    # custom steps for Bolt).
    assert settings["org_deploy_enabled"] is True
    assert settings["function_runtime"] == "remote"
    assert settings["socket_mode_enabled"] is False
    assert settings["token_rotation_enabled"] is False


def test_every_url_is_the_one_slack_events_path(manifest):
    urls = [
        (path, url) for path, url in _urls(manifest) if not path.startswith(".oauth_config.redirect_urls")
    ]
    # slash command, event subscriptions, interactivity, options load
    expected = {
        ".features.slash_commands[0].url",
        ".settings.interactivity.request_url",
        ".settings.interactivity.message_menu_options_url",
    }
    if "event_subscriptions" in manifest["settings"]:
        expected.add(".settings.event_subscriptions.request_url")
    assert {path for path, _ in urls} == expected
    assert len({url for _, url in urls}) == 1, urls
    for path, url in urls:
        parts = urlsplit(url)
        assert parts.scheme == "https", path
        assert parts.path == SLACK_PATH, path
        assert not parts.query and not parts.fragment, path


def test_the_install_redirect_is_the_apps_oauth_redirect(manifest):
    from bot.installs import REDIRECT_PATH as APP_REDIRECT_PATH

    (url,) = manifest["oauth_config"]["redirect_urls"]
    parts = urlsplit(url)
    assert parts.scheme == "https" and parts.path == REDIRECT_PATH == APP_REDIRECT_PATH
    # The same host as every request URL: one server answers both.
    assert parts.netloc == urlsplit(manifest["settings"]["interactivity"]["request_url"]).netloc


def test_an_install_asks_for_the_manifests_scopes(manifest):
    """Installing in many workspaces, the OAuth flow asks for exactly the manifest's bot scopes."""
    from bot.installs import BOT_SCOPES

    assert sorted(BOT_SCOPES) == sorted(manifest["oauth_config"]["scopes"]["bot"])


def test_bot_scopes_are_exactly_the_ones_the_app_uses(manifest):
    scopes = manifest["oauth_config"]["scopes"]
    assert set(scopes) == {"bot"}, "the app asks for no user scopes"
    bot = scopes["bot"]
    assert len(bot) == len(set(bot)), f"duplicate scopes: {sorted(s for s in bot if bot.count(s) > 1)}"
    assert set(bot) == EXPECTED_BOT_SCOPES
    # channels:join lets the bot post in public channels; chat:write.public would be a second,
    # broader way to do the same.
    assert "chat:write.public" not in bot


def test_slash_command(manifest):
    commands = manifest["features"]["slash_commands"]
    assert [c["command"] for c in commands] == ["/partner"]
    (command,) = commands
    assert command["description"] and command["usage_hint"]
    # Mentions typed in the command must arrive as <@U…|name> / <#C…|name>, which the parser
    # (handlers/parsing.py) reads; Slack only sends that form when escaping is on.
    assert command["should_escape"] is True


def test_message_shortcut(manifest):
    shortcuts = manifest["features"]["shortcuts"]
    assert [(s["type"], s["callback_id"]) for s in shortcuts] == [("message", "log_to_partner")]
    assert shortcuts[0]["name"] == "Log to partner"
    assert shortcuts[0]["description"]


def test_bot_events(manifest):
    events = manifest["settings"].get("event_subscriptions", {}).get("bot_events", [])
    assert len(events) == len(set(events))
    assert set(events) == EXPECTED_BOT_EVENTS
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    for event in events:
        if event in EVENT_SCOPES:
            assert EVENT_SCOPES[event] in scopes, f"{event} needs the {EVENT_SCOPES[event]} scope"


def _called_methods() -> set[str]:
    """Every Slack Web API method the app's source calls on a WebClient (``client.chat_postMessage(``)."""
    names = set(METHOD_SCOPES) | SCOPELESS_METHODS
    found = set()
    for package in ("bot", "handlers", "scoring", "storage"):
        for source in (ROOT / package).rglob("*.py"):
            found |= {m for m in re.findall(r"\.([a-z]+_[A-Za-z0-9_]+)\(", source.read_text()) if m in names}
    return found


def test_scopes_are_what_the_code_calls(manifest):
    """No more scopes than the app uses, and none missing: derived from the Web API calls in the code."""
    scopes = [METHOD_SCOPES[m] for m in _called_methods() if m in METHOD_SCOPES]
    used = {s for scope in scopes for s in ((scope,) if isinstance(scope, str) else scope)}
    events = manifest["settings"].get("event_subscriptions", {}).get("bot_events", [])
    needed = {"commands"} | used | {EVENT_SCOPES[e] for e in events if e in EVENT_SCOPES}
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == needed


def test_workflow_steps_are_the_ones_the_app_listens_for(manifest):
    functions = manifest["functions"]
    assert set(functions) == {step.value for step in WorkflowStep}
    for callback_id, function in functions.items():
        assert function["title"] and function["description"], callback_id
        for direction in ("input_parameters", "output_parameters"):
            for name, parameter in function[direction].items():
                # Slack shows the parameter's title in Workflow Builder and keys the value on its name.
                assert parameter["name"] == name and parameter["title"], (callback_id, name)


def test_workflow_step_parameters(manifest):
    functions = manifest["functions"]

    def shape(callback_id: str, direction: str) -> dict[str, tuple[str, bool]]:
        parameters = functions[callback_id][direction]
        return {name: (p["type"], p.get("is_required", False)) for name, p in parameters.items()}

    assert shape("log_partner_communication", "input_parameters") == {
        "partner": ("string", True),
        "kind": ("string", True),
        "notes": ("string", False),
        "user": ("slack#/types/user_id", False),
    }
    assert shape("log_partner_communication", "output_parameters") == {"interaction_id": ("integer", True)}
    assert shape("send_partner_survey", "input_parameters") == {
        "partner": ("string", True),
        "recipients": ("array", True),
        "sent_by": ("slack#/types/user_id", False),
    }
    assert functions["send_partner_survey"]["input_parameters"]["recipients"]["items"] == {
        "type": "slack#/types/user_id"
    }
    assert shape("send_partner_survey", "output_parameters") == {"survey_id": ("integer", True)}
    assert shape("get_partner_score", "input_parameters") == {"partner": ("string", True)}
    assert shape("get_partner_score", "output_parameters") == {
        "score": ("number", True),
        "rank": ("integer", True),
        "category": ("string", False),
    }
    # The kinds a workflow author is told about are the kinds the step takes.
    kinds = functions["log_partner_communication"]["input_parameters"]["kind"]["description"]
    assert kinds.replace(" or ", ", ") == KINDS_TEXT
