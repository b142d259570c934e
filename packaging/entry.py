"""PyInstaller entry script: the frozen `trayapp` executable runs exactly the console script.

A separate file (not trayapp/__main__.py) because PyInstaller runs its entry script as
`__main__` outside any package, where trayapp's relative imports would fail."""

import sys

from trayapp.cli import main

if __name__ == "__main__":
    sys.exit(main())
