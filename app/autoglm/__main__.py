"""``python -m autoglm``: the same as the ``autoglm`` command."""

import sys

from autoglm.cli import main

sys.exit(main())
