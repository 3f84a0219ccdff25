"""A stand-in for Slack: one core that answers the Web API like Slack, reached in-process (the
console) or over loopback HTTP (the tests, the benchmarks).

- ``core``: :class:`~bot.standin.core.SlackStandIn`, recording every call (``records``), scripted
  failures and delays, waiting for calls; ``workspace`` and ``methods``: what Slack keeps and how
  each Web API method answers; ``wire``: requests read the way Slack reads them;
- ``http``: the loopback HTTP transport; ``inprocess``: a urllib handler for one made-up host;
- ``blockkit`` (needs jsonschema): Block Kit and Slack's limits, switched on per stand-in;
- ``signed``: the signed requests Slack sends an app (slash commands, interactions, events);
- ``texts``: every text a payload would show, for reading what the app sent.
"""
