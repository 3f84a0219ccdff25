"""Partnerbot's storage: SQLAlchemy 2 models, the transaction scope, one query function per question.

Nothing here imports Slack. Every query takes the Slack workspace (``team_id``) and filters by it.
"""
