"""``python -m bot.console``: the same as ``partnerbot console``."""

import sys

from bot.console.app import main

sys.exit(main())
