"""Partnerbot's benchmark suite: ``python -m bench`` (docs/performance.md).

Every figure is printed next to a floor measured in the same run on the same machine, because
absolute times on a shared machine drift while ratios hold. The app is driven only through its
operational interfaces (the ``partnerbot`` CLI and signed Slack requests to ``partnerbot serve``),
with a Slack Web API stand-in on loopback.
"""
