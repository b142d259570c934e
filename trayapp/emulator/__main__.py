"""`python -m trayapp.emulator`: serve the emulator and print its base URL first."""

import sys

from .server import main

if __name__ == "__main__":
    sys.exit(main())
