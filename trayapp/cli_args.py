"""What the command line accepts (DESIGN.md's commands): the parser, made only as far as the
words given need, and the request a parsed command line becomes. cli.py runs it."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Collection
from typing import Any, NoReturn

from . import __version__

SERVICES = ("toggl-track", "clockify")
WHEN = "14:30, -25m, -1h30m or RFC 3339"
DAY = "YYYY-MM-DD, today or yesterday"  # as Maton names them (core.models.Service)

class Parser(argparse.ArgumentParser):
    """argparse, except that the arguments it repeats in an error reach the terminal only as
    printable text (its subcommands' parsers are of this class too)."""

    def error(self, message: str) -> NoReturn:
        from .core.text import printable  # not control: a hand-over stays quick

        super().error(printable(message))


def build_parser(wanted: Collection[str] | None = None) -> argparse.ArgumentParser:
    """The command line. With `wanted` (the words given), only the commands named there get
    their options; the others keep their name and help for `--help`. Making all of them costs
    about 20 ms, paid before the first icon or a one-shot's answer."""
    # Accepted before or after the command (a DESIGN.md contract): on the main parser and on
    # each command, where an absent option must not overwrite one given before the command.
    shared = Parser(add_help=False)
    shared.add_argument("--service", choices=SERVICES, default=argparse.SUPPRESS,
                        help="which service to use when both are connected")
    shared.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help="print JSON")
    parser = Parser(
        prog="trayapp", parents=[shared],
        description="A system-tray time tracker for Toggl Track and Clockify.")
    parser.add_argument("--version", action="version", version=f"trayapp {__version__}")
    parser.add_argument("--demo", action="store_true",
                        help="use the built-in emulator with sample data: no account needed")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (text, options) in COMMAND_LINE.items():
        if wanted is not None and name not in wanted:
            sub.add_parser(name, help=text, add_help=False)
            continue
        made = sub.add_parser(name, help=text,
                              parents=[] if name == "emulator" else [shared])
        made.shared = shared  # type: ignore[attr-defined]  # for the catalog's actions
        options(made)
    return parser


def entry_fields(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--project", help="project name (or 'Client / Project')")
    cmd.add_argument("--task", help="task name, in the project (Clockify)")
    cmd.add_argument("--tags", help="comma-separated tag names")
    cmd.add_argument("--billable", action="store_true")


def start_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("description", nargs="?", default="")
    entry_fields(cmd)
    cmd.add_argument("--at", metavar="WHEN", help=f"when it started ({WHEN})")


def stop_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--at", metavar="WHEN", help=f"when it stopped ({WHEN})")


def an_optional_id(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("id", nargs="?", metavar="ID")


def confirm_option(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--yes", action="store_true", help="do not ask")


def entries_options(cmd: argparse.ArgumentParser) -> None:
    which = cmd.add_mutually_exclusive_group()
    which.add_argument("--date", metavar="DAY", help=f"one day ({DAY})")
    which.add_argument("--week", action="store_true", help="this week")
    which.add_argument("--since", metavar="DAY", help="from DAY through today (or --until)")
    cmd.add_argument("--until", metavar="DAY")


def add_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("description")
    cmd.add_argument("--start", metavar="WHEN", required=True, help=WHEN)
    ends = cmd.add_mutually_exclusive_group(required=True)
    ends.add_argument("--stop", metavar="WHEN")
    ends.add_argument("--duration", metavar="DUR", help="1h30m, 90m or 1:30")
    entry_fields(cmd)


def edit_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("id", metavar="ID")
    cmd.add_argument("--description", metavar="D")
    cmd.add_argument("--start", metavar="WHEN", help="a new start; the stop stays")
    cmd.add_argument("--stop", metavar="WHEN", help="a new stop; the start stays")
    entry_fields(cmd)
    cmd.add_argument("--no-project", action="store_true")
    cmd.add_argument("--no-billable", action="store_true")


def delete_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("id", metavar="ID")
    confirm_option(cmd)


def split_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("id", metavar="ID")
    cmd.add_argument("--at", metavar="WHEN", required=True, help=WHEN)


def no_options(cmd: argparse.ArgumentParser) -> None:
    pass


def local(options: Callable[[argparse.ArgumentParser], None]
          ) -> Callable[[argparse.ArgumentParser], None]:
    """A command done here, on Maton's connections and the settings (`run_accounts`)."""
    def made(cmd: argparse.ArgumentParser) -> None:
        options(cmd)
        cmd.set_defaults(local=True)
    return made


def service_target(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("target", choices=SERVICES, metavar="SERVICE")


def disconnect_options(cmd: argparse.ArgumentParser) -> None:
    service_target(cmd)
    confirm_option(cmd)


def workspace_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("name", nargs="?", metavar="NAME")


def emulator_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--host", default="127.0.0.1")
    cmd.add_argument("--port", type=int, default=0)
    cmd.add_argument("--key", default="demo-key", help="the Maton API key it accepts")
    cmd.add_argument("--no-seed", action="store_true", help="start with empty accounts")


CATALOG_ACTIONS = {"project": ("list", "add", "rename", "archive", "restore", "delete"),
                   "client": ("list", "add", "rename", "archive", "restore", "delete"),
                   "tag": ("list", "add", "rename", "delete"),
                   "task": ("list", "add", "rename", "done", "delete")}


def catalog_options(kind: str) -> Callable[[argparse.ArgumentParser], None]:
    """`project|client|tag|task ACTION ...` (DESIGN.md, "Catalog")."""
    def made(group: argparse.ArgumentParser) -> None:
        verbs = group.add_subparsers(dest="action", metavar="ACTION", required=True,
                                     parser_class=Parser)
        for action in CATALOG_ACTIONS[kind]:
            what = verbs.add_parser(action, help=f"{action} a {kind}" if action != "list"
                                    else f"list {kind}s", parents=[group.shared])  # type: ignore[attr-defined]
            if kind == "task":
                what.add_argument("project", metavar="PROJECT")
            if action != "list":
                what.add_argument("name", metavar="NAME")
            if action == "rename":
                what.add_argument("new", metavar="NEW")
            if action == "list" and kind != "tag":
                what.add_argument("--archived", action="store_true",
                                  help="archived ones too" if kind != "task" else "done too")
            if action == "delete":
                confirm_option(what)
            if action == "add" and kind == "project":
                what.add_argument("--client", metavar="C", help="an existing client")
                what.add_argument("--color", metavar="#RRGGBB")
                what.add_argument("--billable", action="store_true")
    return made


Options = Callable[[argparse.ArgumentParser], None]
# Each command: its help and what it takes, in the order `--help` lists them.
COMMAND_LINE: dict[str, tuple[str, Options]] = {
    "start": ("start a timer", start_options),
    "stop": ("stop the running timer", stop_options),
    "continue": ("start the last entry again (or the entry ID)", an_optional_id),
    "toggle": ("stop the running timer, or continue the last one", no_options),
    "discard": ("delete the running entry (asks first on a terminal)", confirm_option),
    "retry": ("send the changes the service refused again", no_options),
    "entries": ("list entries by day (today unless told)", entries_options),
    "add": ("add a finished entry", add_options),
    "edit": ("change an entry (only the options given)", edit_options),
    "delete": ("delete an entry (asks first on a terminal)", delete_options),
    "split": ("split an entry in two at a time", split_options),
    "status": ("what is running (--json: one JSON object)", no_options),
    "menu": ("show the tray menu", no_options),
    "settings": ("open the settings window", no_options),
    "timesheet": ("open the timesheet window", no_options),
    "manage": ("open the projects, clients and tags window", no_options),
    **{kind: (f"list and change {kind}s" + (" (Clockify)" if kind == "task" else ""),
              catalog_options(kind)) for kind in CATALOG_ACTIONS},
    "accounts": ("the Maton connections and the accounts they reach", local(no_options)),
    "connect": ("connect an account: sign in in the browser", local(service_target)),
    "disconnect": ("delete the connection to a service (asks first)",
                   local(disconnect_options)),
    "workspace": ("the workspace tracked in; NAME switches to another",
                  local(workspace_options)),
    "emulator": ("serve the local Maton/Toggl/Clockify emulator", emulator_options),
}


REQUEST_FIELDS = ("description", "project", "tags", "billable", "json", "service", "demo",
                  "task", "at", "id", "start", "stop", "duration", "date", "week", "since",
                  "until", "no_project", "no_billable", "action", "name", "new", "client",
                  "color", "archived")
CATALOG = ("project", "client", "tag", "task")


TIME_OPTIONS = ("--at", "--start", "--stop", "--duration")


def joined_times(argv: list[str]) -> list[str]:
    """`--start -25m` as `--start=-25m`: argparse takes a value that starts with a dash for
    an option of its own."""
    out: list[str] = []
    pending = False
    for arg in argv:
        if pending and arg.startswith("-") and len(arg) > 1:
            out[-1] = f"{out[-1]}={arg}"
        else:
            out.append(arg)
        pending = arg in TIME_OPTIONS
    return out


def request_of(args: argparse.Namespace) -> dict[str, Any]:
    fields = {k: getattr(args, k, None) for k in REQUEST_FIELDS}
    return {"command": args.command or "activate",
            "args": {k: v for k, v in fields.items() if v not in (None, False)}}
