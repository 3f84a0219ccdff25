"""``python -m bench.no_audit serve …``: ``partnerbot`` with the audit trail switched off, only to
measure what the trail costs a request (bench/load.py's "ack p99 with audit vs without")."""

from __future__ import annotations

import sys

from bot.cli import main
from storage.db import Database

if __name__ == "__main__":
    Database.audit = False
    sys.exit(main(sys.argv[1:]))
