"""`python -m bench [name ...]`: run the named benchmarks (default: all)."""

import compileall
import importlib
import sys
from pathlib import Path

BENCHMARKS = ["startup", "budget", "status", "sheet", "idle", "day"]

# An installed package has its bytecode compiled at install time; a checkout may not (and
# PYTHONDONTWRITEBYTECODE stops Python from writing it), which would time the compiler too.
compileall.compile_dir(str(Path(__file__).resolve().parent.parent / "trayapp"), quiet=1)

names = sys.argv[1:] or BENCHMARKS
for name in names:
    print(f"== {name}", flush=True)
    importlib.import_module(f"bench.{name}").main()
