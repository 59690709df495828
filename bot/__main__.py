"""`python -m bot` is `kinerja-bot`."""

import sys

from bot.cli import main

sys.exit(main())
