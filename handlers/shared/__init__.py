"""Plumbing every feature shares: command routing, IDs, typed dependencies and the workspace of a
request, Block Kit builders (on slack_sdk's models), private_metadata, opening modals, error replies,
escaping, reading forms, people."""
