"""Allow ``python -m kbstudio``."""

import sys

from kbstudio.cli import main

sys.exit(main())
