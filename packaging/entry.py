"""The frozen bundle's entry point: the same as the ``autoglm`` command."""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from autoglm.cli import main

    sys.exit(main())
