"""`python -m bench [name ...]`: run the named benchmarks (default: all)."""

import importlib
import sys

BENCHMARKS = ["startup", "budget", "status"]

names = sys.argv[1:] or BENCHMARKS
for name in names:
    print(f"== {name}", flush=True)
    importlib.import_module(f"bench.{name}").main()
