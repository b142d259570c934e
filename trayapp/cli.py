"""Command line. `trayapp` starts the tray (or hands over to the one already running);
`start|stop|toggle|status|menu|settings` go to the running app, or are done here, one-shot,
without importing Qt, when none runs."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from . import __version__, ipc

SERVICES = ("toggl-track", "clockify")
WINDOW_COMMANDS = ("menu", "settings")  # shown by the app: started first when none runs


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trayapp", description="A system-tray time tracker for Toggl Track and Clockify."
    )
    parser.add_argument("--version", action="version", version=f"trayapp {__version__}")
    parser.add_argument("--demo", action="store_true",
                        help="use the built-in emulator with sample data: no account needed")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    parser.add_argument("--service", choices=SERVICES,
                        help="which service to use when both are connected")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    start = sub.add_parser("start", help="start a timer")
    start.add_argument("description", nargs="?", default="")
    start.add_argument("--project", help="project name (or 'Client / Project')")
    start.add_argument("--tags", help="comma-separated tag names")
    start.add_argument("--billable", action="store_true")
    sub.add_parser("stop", help="stop the running timer")
    sub.add_parser("toggle", help="stop the running timer, or continue the last one")
    status = sub.add_parser("status", help="what is running")
    status.add_argument("--json", action="store_true", help="print one JSON object")
    sub.add_parser("menu", help="show the tray menu")
    sub.add_parser("settings", help="open the settings window")

    emu = sub.add_parser("emulator", help="serve the local Maton/Toggl/Clockify emulator")
    emu.add_argument("--host", default="127.0.0.1")
    emu.add_argument("--port", type=int, default=0)
    emu.add_argument("--key", default="demo-key", help="the Maton API key it accepts")
    emu.add_argument("--no-seed", action="store_true", help="start with empty accounts")
    return parser


def request_of(args: argparse.Namespace) -> dict[str, Any]:
    fields = {k: getattr(args, k, None) for k in
              ("description", "project", "tags", "billable", "json", "service")}
    return {"command": args.command or "activate",
            "args": {k: v for k, v in fields.items() if v not in (None, False)}}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "emulator":
        from .emulator.server import main as serve_main

        forwarded = ["--host", args.host, "--port", str(args.port), "--key", args.key]
        return serve_main(forwarded + (["--no-seed"] if args.no_seed else []))

    request = request_of(args)
    answer = ipc.send(request)
    if answer is not None:  # the running app did it
        return print_answer(answer, bool(args.__dict__.get("json")))
    if args.command is not None and args.command not in WINDOW_COMMANDS:
        from .control.actions import Request
        from .control.oneshot import run as run_oneshot

        reply = run_oneshot(Request(args.command, request["args"]))
        if isinstance(reply, dict):
            return print_answer(reply, bool(args.__dict__.get("json")))
    from .gui import run  # Qt is imported only on this path

    initial = None if args.command is None else request
    return run(demo=args.demo, verbose=args.verbose, initial=initial)


def print_answer(answer: dict[str, Any], as_json: bool) -> int:
    """The reply of the app or of a one-shot run, printed the same way: the status (JSON
    or a line) on stdout, what went wrong on stderr; its exit status."""
    if as_json and "status" in answer:
        print(json.dumps(answer["status"]))
    elif answer.get("message"):
        print(answer["message"])
    if answer.get("error"):
        print(f"trayapp: {answer['error']}", file=sys.stderr)
    code = answer.get("exit")
    return code if isinstance(code, int) else (0 if answer.get("ok") else 1)


if __name__ == "__main__":
    sys.exit(main())
