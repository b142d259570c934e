"""Command line: `trayapp` starts the tray; the subcommands answer at once without Qt."""

from __future__ import annotations

import argparse
import sys

from . import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trayapp", description="A system-tray time tracker for Toggl Track and Clockify."
    )
    parser.add_argument("--version", action="version", version=f"trayapp {__version__}")
    parser.add_argument("--demo", action="store_true",
                        help="use the built-in emulator with sample data: no account needed")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    emu = sub.add_parser("emulator", help="serve the local Maton/Toggl/Clockify emulator")
    emu.add_argument("--host", default="127.0.0.1")
    emu.add_argument("--port", type=int, default=0)
    emu.add_argument("--key", default="demo-key", help="the Maton API key it accepts")
    emu.add_argument("--no-seed", action="store_true", help="start with empty accounts")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "emulator":
        from .emulator.server import main as serve_main

        forwarded = ["--host", args.host, "--port", str(args.port), "--key", args.key]
        return serve_main(forwarded + (["--no-seed"] if args.no_seed else []))
    from .app import run  # Qt is imported only on this path

    return run(demo=args.demo, verbose=args.verbose)


if __name__ == "__main__":
    sys.exit(main())
