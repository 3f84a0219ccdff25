"""The Web API methods Partnerbot calls, answered the way Slack answers them.

Each method takes the workspace and the recorded call and returns Slack's JSON answer; the core
(:mod:`bot.standin.core`) has already checked the token and applied scripted failures.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Callable
from typing import Any

from bot.standin.records import Call
from bot.standin.workspace import Workspace

Answer = dict[str, Any]
Method = Callable[[Workspace, Call], Answer]


def _invalid_blocks(call: Call) -> Answer:
    return {"ok": False, "error": "invalid_blocks", "response_metadata": {"messages": [call.invalid]}}


def api_test(ws: Workspace, call: Call) -> Answer:
    return {"ok": True, "args": {k: v for k, v in call.args.items() if k != "token"}}


def auth_test(ws: Workspace, call: Call) -> Answer:
    # A token from an install (oauth.v2.access) belongs to its workspace; any other to the stand-in's.
    team_id = ws.installs.team_of(call.token) or ws.team_id
    return {
        "ok": True,
        "url": f"{ws.web_url}/",
        "team": "Stand-in Workspace",
        "user": "partnerbot",
        "team_id": team_id,
        "user_id": ws.bot_user_id,
        "bot_id": ws.bot_id,
        "is_enterprise_install": False,
    }


def oauth_v2_access(ws: Workspace, call: Call) -> Answer:
    """The app's credentials come as HTTP Basic auth (slack_sdk's way) or as arguments."""
    args = dict(call.args)
    auth = call.headers.get("authorization", "")
    if auth.startswith("Basic "):
        try:
            client_id, _, client_secret = base64.b64decode(auth[len("Basic ") :]).decode().partition(":")
        except ValueError:
            return {"ok": False, "error": "invalid_client_id"}
        args |= {"client_id": client_id, "client_secret": client_secret}
    return ws.installs.exchange(args)


def apps_connections_open(ws: Workspace, call: Call) -> Answer:
    """A Socket Mode URL for an app-level token, which Slack takes only in the Authorization header."""
    auth = call.headers.get("authorization", "")
    if not auth.startswith("Bearer "):
        return {"ok": False, "error": "not_authed"}
    token = auth[len("Bearer ") :]
    if not token.startswith("xapp-"):
        return {"ok": False, "error": "not_allowed_token_type"}
    if ws.socket_mode is None or not ws.socket_mode.accepts(token):
        return {"ok": False, "error": "invalid_auth"}
    return {"ok": True, "url": ws.socket_mode.issue_url()}


def users_info(ws: Workspace, call: Call) -> Answer:
    user_id = call.args.get("user")
    if not user_id:
        return {"ok": False, "error": "user_not_found"}
    user = ws.user(str(user_id))
    return {
        "ok": True,
        "user": {
            "id": user.id,
            "team_id": ws.team_id,
            "name": user.name or user.id.lower(),
            "real_name": user.name or user.id,
            "deleted": user.deleted,
            "tz": user.tz,
            "tz_label": user.tz or "",
            "tz_offset": 0,
            "is_admin": user.is_admin,
            "is_owner": user.is_owner,
            "is_primary_owner": False,
            "is_bot": user.id == ws.bot_user_id,
            "profile": {"real_name": user.name or user.id, "display_name": user.name},
            **user.extra,
        },
    }


# --- views ---------------------------------------------------------------------------------------


def _view_arg(call: Call) -> dict[str, Any] | None:
    view = call.args.get("view")
    return view if isinstance(view, dict) else None


def views_open(ws: Workspace, call: Call) -> Answer:
    view = _view_arg(call)
    if view is None:
        return {"ok": False, "error": "invalid_arguments"}
    if ws.refuses(call, "view", view):
        return _invalid_blocks(call)
    error = ws.use_trigger(call.args.get("trigger_id"))
    if error:
        return {"ok": False, "error": error}
    return {"ok": True, "view": ws.store_view(view)}


def views_update(ws: Workspace, call: Call) -> Answer:
    view = _view_arg(call)
    if view is None:
        return {"ok": False, "error": "invalid_arguments"}
    view_id = ws.view_id_for(view_id=call.args.get("view_id"), external_id=call.args.get("external_id"))
    current = ws.view(view_id) if view_id else None
    if current is None:
        return {"ok": False, "error": "not_found"}
    if call.args.get("hash") and call.args["hash"] != current["hash"]:
        return {"ok": False, "error": "hash_conflict"}
    if ws.refuses(call, "view", view):
        return _invalid_blocks(call)
    return {"ok": True, "view": ws.store_view(view, view_id=view_id)}


def views_publish(ws: Workspace, call: Call) -> Answer:
    view = _view_arg(call)
    user_id = call.args.get("user_id")
    if view is None or not user_id:
        return {"ok": False, "error": "invalid_arguments"}
    if ws.refuses(call, "view", view):
        return _invalid_blocks(call)
    return {"ok": True, "view": ws.store_view(view, view_id=ws.home_view_id(str(user_id)))}


# --- messages ------------------------------------------------------------------------------------


def _message_refusal(ws: Workspace, call: Call) -> Answer | None:
    if not call.args.get("channel"):
        return {"ok": False, "error": "channel_not_found"}
    if not any(call.args.get(k) for k in ("text", "blocks", "attachments")):
        return {"ok": False, "error": "no_text"}
    if ws.refuses(call, "message", call.args):
        return _invalid_blocks(call)
    return None


def chat_post_message(ws: Workspace, call: Call) -> Answer:
    refused = _message_refusal(ws, call) or ws.refusal(call.args["channel"])
    if refused:
        return refused
    channel = ws.conversation_with(call.args["channel"])
    ts = ws.new_ts()
    message = {
        "type": "message",
        "bot_id": ws.bot_id,
        "user": ws.bot_user_id,
        "ts": ts,
        "text": call.args.get("text", ""),
    }
    if call.args.get("blocks"):
        message["blocks"] = call.args["blocks"]
    return {"ok": True, "channel": channel, "ts": ts, "message": message}


def chat_post_ephemeral(ws: Workspace, call: Call) -> Answer:
    refused = _message_refusal(ws, call)
    if refused:
        return refused
    if not call.args.get("user"):
        return {"ok": False, "error": "user_not_found"}
    return {"ok": True, "message_ts": ws.new_ts()}


def chat_update(ws: Workspace, call: Call) -> Answer:
    if not call.args.get("ts"):
        return {"ok": False, "error": "message_not_found"}
    refused = _message_refusal(ws, call)
    if refused:
        return refused
    return {"ok": True, "channel": call.args["channel"], "ts": call.args["ts"], "text": call.args.get("text")}


def chat_delete(ws: Workspace, call: Call) -> Answer:
    if not call.args.get("channel") or not call.args.get("ts"):
        return {"ok": False, "error": "message_not_found"}
    return {"ok": True, "channel": call.args["channel"], "ts": call.args["ts"]}


def chat_get_permalink(ws: Workspace, call: Call) -> Answer:
    channel, ts = call.args.get("channel"), call.args.get("message_ts")
    if not channel:
        return {"ok": False, "error": "channel_not_found"}
    if not ts:
        return {"ok": False, "error": "message_not_found"}
    link = f"{ws.web_url}/archives/{channel}/p{str(ts).replace('.', '')}"
    return {"ok": True, "channel": channel, "permalink": link}


# --- conversations -------------------------------------------------------------------------------


def conversations_open(ws: Workspace, call: Call) -> Answer:
    if call.args.get("channel"):
        return {"ok": True, "channel": {"id": call.args["channel"]}}
    users = [u.strip() for u in str(call.args.get("users") or "").split(",") if u.strip()]
    if not users:
        return {"ok": False, "error": "users_list_not_supplied"}
    channel = ws.conversation_with(users[0]) if len(users) == 1 else "G" + secrets.token_hex(4).upper()
    return {"ok": True, "channel": {"id": channel}, "no_op": False, "already_open": False}


def conversations_join(ws: Workspace, call: Call) -> Answer:
    channel = call.args.get("channel")
    if not channel:
        return {"ok": False, "error": "channel_not_found"}
    return ws.join(str(channel))


def conversations_info(ws: Workspace, call: Call) -> Answer:
    channel_id = str(call.args.get("channel") or "")
    channel = ws.channel(channel_id)
    if not channel_id or (channel is not None and not channel.exists):
        return {"ok": False, "error": "channel_not_found"}
    described = {
        "id": channel_id,
        "name": (channel.name if channel else None) or channel_id.lower(),
        "is_channel": channel_id.startswith("C"),
        "is_private": bool(channel and channel.private),
        "is_archived": bool(channel and channel.archived),
        "is_member": channel.member if channel else True,
        "is_im": channel_id.startswith("D"),
        "is_shared": bool(channel and (channel.ext_shared or channel.org_shared)),
        "is_ext_shared": bool(channel and channel.ext_shared),
        "is_org_shared": bool(channel and channel.org_shared),
        "is_pending_ext_shared": bool(channel and channel.pending_ext_shared),
    }
    return {"ok": True, "channel": described}


# --- files_upload_v2: getUploadURLExternal → POST the bytes → completeUploadExternal -------------


def files_get_upload_url_external(ws: Workspace, call: Call) -> Answer:
    filename, length = call.args.get("filename"), str(call.args.get("length") or "")
    if not filename or not length.isdigit():
        return {"ok": False, "error": "invalid_arguments"}
    upload = ws.announce_upload(str(filename), int(length))
    return {"ok": True, "upload_url": f"{ws.base_url}/upload/{upload.id}", "file_id": upload.id}


def files_complete_upload_external(ws: Workspace, call: Call) -> Answer:
    listed = call.args.get("files")
    if isinstance(listed, str):
        try:
            listed = json.loads(listed)
        except ValueError:
            return {"ok": False, "error": "invalid_arguments"}
    if not isinstance(listed, list) or not listed or not all(isinstance(i, dict) for i in listed):
        return {"ok": False, "error": "invalid_arguments"}
    channel = call.args.get("channel_id") or call.args.get("channels") or None
    if channel:
        refused = ws.refusal(str(channel))
        if refused:
            return refused
    shared = ws.share_uploads(listed, channel=channel, thread_ts=call.args.get("thread_ts") or None)
    if shared is None:
        return {"ok": False, "error": "file_not_found"}
    return {"ok": True, "files": [{"id": u.id, "title": u.title, "name": u.filename} for u in shared]}


def files_info(ws: Workspace, call: Call) -> Answer:
    upload = ws.file(str(call.args.get("file") or ""))
    if upload is None or upload.data is None:
        return {"ok": False, "error": "file_not_found"}
    return {"ok": True, "file": ws.file_object(upload)}


# --- Workflow Builder steps: how a run of a custom function ends -------------------------------


def _json_arg(value: Any) -> Any:
    """An object argument, sent as JSON text in a form or as an object in a JSON body."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def functions_complete_success(ws: Workspace, call: Call) -> Answer:
    outputs = _json_arg(call.args.get("outputs"))
    if not isinstance(outputs, dict):
        return {"ok": False, "error": "invalid_arguments"}
    error = ws.finish_function(str(call.args.get("function_execution_id") or ""), outputs=outputs)
    return {"ok": False, "error": error} if error else {"ok": True}


def functions_complete_error(ws: Workspace, call: Call) -> Answer:
    message = call.args.get("error")
    if not isinstance(message, str) or not message:
        return {"ok": False, "error": "invalid_arguments"}
    error = ws.finish_function(str(call.args.get("function_execution_id") or ""), error=message)
    return {"ok": False, "error": error} if error else {"ok": True}


METHODS: dict[str, Method] = {
    "api.test": api_test,
    "oauth.v2.access": oauth_v2_access,
    "auth.test": auth_test,
    "apps.connections.open": apps_connections_open,
    "users.info": users_info,
    "views.open": views_open,
    "views.push": views_open,
    "views.update": views_update,
    "views.publish": views_publish,
    "chat.postMessage": chat_post_message,
    "chat.postEphemeral": chat_post_ephemeral,
    "chat.update": chat_update,
    "chat.delete": chat_delete,
    "chat.getPermalink": chat_get_permalink,
    "conversations.open": conversations_open,
    "conversations.join": conversations_join,
    "conversations.info": conversations_info,
    "files.getUploadURLExternal": files_get_upload_url_external,
    "files.completeUploadExternal": files_complete_upload_external,
    "files.info": files_info,
    "functions.completeSuccess": functions_complete_success,
    "functions.completeError": functions_complete_error,
}
