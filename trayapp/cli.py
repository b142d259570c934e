"""Command line. `trayapp` starts the tray (or hands over to the one already running);
`start|stop|continue|toggle|discard|retry|status|entries|add|edit|delete|split|menu|settings`
and `project|client|tag|task` go to the running app, or are done here, one-shot, without
importing Qt, when none runs; `accounts|connect|disconnect|workspace` are done here, by this
process (run_accounts)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from . import ipc
from .cli_args import CATALOG, build_parser, joined_times, request_of

DEMO_ONLY_IN_THE_APP = ("The demo runs inside the tray app: start it with `trayapp --demo`, "
                        "then run commands.")
FIX_REFUSED = ("To fix a refused change: `trayapp retry` sends it again, `trayapp discard` "
               "deletes a refused running timer, and the tray menu edits or discards any.")


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:  # Ctrl+C: what reached the disk stays, and is sent later
        print("trayapp: interrupted; a change already saved is kept and sent later.",
              file=sys.stderr)
        return 130
    except BrokenPipeError:  # `trayapp status | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _main(argv: list[str] | None) -> int:
    raw = sys.argv[1:] if argv is None else argv
    if any("\udc80" <= ch <= "\udcff" for arg in raw for ch in arg):
        # Bytes that are not UTF-8 (Python keeps them as lone surrogates): refused here, or
        # they would end in the store, or in a traceback.
        print("trayapp: the command line holds text that is not valid UTF-8.", file=sys.stderr)
        return 2
    if raw[:1] == ["__keyring__"]:  # the app's keyring child (secrets.isolate)
        from .secrets import helper

        return helper(raw[1:])
    args = build_parser(wanted=raw).parse_args(joined_times(raw))
    if args.command == "emulator":
        from .emulator.server import main as serve_main

        forwarded = ["--host", args.host, "--port", str(args.port), "--key", args.key]
        return serve_main(forwarded + (["--no-seed"] if args.no_seed else []))

    request = request_of(args)
    as_json = bool(getattr(args, "json", False))
    if getattr(args, "local", False):  # Maton's connections and the settings: done here
        return run_accounts(args, as_json)
    if args.command in CATALOG and args.action == "delete" and not args.yes:
        refused = confirm_catalog_delete(request)
        if refused is not None:
            return refused
    if args.command == "discard" and not args.yes:
        confirmed = confirm_discard(request)
        if isinstance(confirmed, int):
            return confirmed
        request = confirmed
    if args.command == "delete" and not args.yes:
        refused = confirm_delete(request)
        if refused is not None:
            return refused
    answer = ask(request)
    if answer is not None:  # the running app did it, or this process did
        return print_answer(answer, as_json)
    from .gui import run  # Qt is imported only on this path

    initial = None if args.command is None else request
    return run(demo=args.demo, verbose=args.verbose, initial=initial)


def ask(request: dict[str, Any]) -> dict[str, Any] | None:
    """The running app's reply to `request`, else a one-shot run's; None: only the app can
    do it (a window), so it must be started."""
    answer = ipc.send(request)
    if answer is not None:
        return answer
    from .control.windows import is_window

    command = request["command"]
    if is_window(command, request["args"]):
        return None
    from .control.actions import Request

    if request["args"].get("demo"):
        return {"ok": False, "exit": 2, "error": DEMO_ONLY_IN_THE_APP}
    from .control.oneshot import run as run_oneshot

    reply = run_oneshot(Request(command, request["args"]))
    return reply if isinstance(reply, dict) else None


def confirm_discard(request: dict[str, Any]) -> dict[str, Any] | int:
    """Ask on the terminal before deleting the running entry (a DESIGN.md contract), here
    and never in the app: the request to send, naming the entry confirmed, or the exit
    status. A script must say --yes: nobody is there to answer."""
    if not sys.stdin.isatty():
        print("trayapp: discard deletes the running entry; standard input is not a terminal, "
              "so pass --yes to confirm it.", file=sys.stderr)
        return 2
    from .control.actions import discard_question

    looked = {k: v for k, v in request["args"].items() if k in ("service", "demo")}
    reply = ask({"command": "status", "args": looked}) or {}
    status = reply.get("status")  # offline, the last known state: discarded all the same
    if not isinstance(status, dict):
        return print_answer(reply, False)
    if not status.get("running"):
        print("trayapp: No timer is running: nothing to discard.", file=sys.stderr)
        return 1
    entry = status["entry"]
    print(discard_question(entry), end="", file=sys.stderr, flush=True)
    if sys.stdin.readline().strip().casefold() not in ("y", "yes"):
        print("trayapp: Not discarded.", file=sys.stderr)
        return 1
    return {**request, "args": {**request["args"], "confirmed": entry["start"]}}


def confirm_delete(request: dict[str, Any]) -> int | None:
    """Ask on the terminal before deleting an entry, showing it (None: go ahead); off a
    terminal, --yes is required."""
    if not sys.stdin.isatty():
        print("trayapp: delete removes the entry; standard input is not a terminal, so pass "
              "--yes to confirm it.", file=sys.stderr)
        return 2
    from .core.text import printable

    looked = {k: v for k, v in request["args"].items() if k in ("service", "demo", "id")}
    reply = ask({"command": "entries", "args": looked}) or {}
    found = reply.get("entries")
    if not found:
        return print_answer(reply, False)
    row = found[0]
    what = printable(row["description"] or "(no description)")
    print(f"Delete “{what}” ({row['start']}, {row['duration_seconds'] // 60} min)? [y/N] ",
          end="", file=sys.stderr, flush=True)
    if sys.stdin.readline().strip().casefold() not in ("y", "yes"):
        print("trayapp: Not deleted.", file=sys.stderr)
        return 1
    return None


def confirm_catalog_delete(request: dict[str, Any]) -> int | None:
    """Ask on the terminal before a catalog delete, in the words the window uses (they say
    what the service demands first); off a terminal, --yes is required."""
    kind, args = request["command"], request["args"]
    if not sys.stdin.isatty():
        print(f"trayapp: {kind} delete removes the {kind} from the service; standard input "
              "is not a terminal, so pass --yes to confirm it.", file=sys.stderr)
        return 2
    looked = {k: v for k, v in args.items() if k in ("service", "demo", "project")}
    reply = ask({"command": kind, "args": {**looked, "action": "list", "archived": True}}) or {}
    rows, status = reply.get("items"), reply.get("status")
    if not isinstance(rows, list) or not isinstance(status, dict):
        return print_answer(reply, False)
    from .control.catalog import delete_question, match_row

    row = match_row(rows, args["name"])
    if row is None:
        return None  # unknown or ambiguous: the command says which, with the choices
    print(delete_question(kind, row, status["service"]) + " [y/N] ", end="", file=sys.stderr,
          flush=True)
    if sys.stdin.readline().strip().casefold() not in ("y", "yes"):
        print("trayapp: Not deleted.", file=sys.stderr)
        return 1
    return None


def run_accounts(args: argparse.Namespace, as_json: bool) -> int:
    """`accounts`, `connect`, `disconnect`, `workspace`: Maton's connections and the
    settings, by this process whether or not the app runs (control/connections.py)."""
    from .control import connections as conns
    from .control.accounts import SignInState, choose_service
    from .core import errors as e
    from .core.models import Service
    from .core.text import printable

    if getattr(args, "demo", False):
        print(f"trayapp: {DEMO_ONLY_IN_THE_APP}", file=sys.stderr)
        return 2
    try:  # connect waits up to 5 minutes for the user: no deadline for the command
        backend = conns.command_backend(long_wait=args.command == "connect")
    except e.TrackerError as exc:
        said = exc.text if isinstance(exc, e.SetupError) else f"{exc.title}: {exc.text}"
        print(f"trayapp: {printable(said)}", file=sys.stderr)
        return 1
    config = backend.config
    try:
        if args.command == "accounts":
            found = backend.connections().list()
            backend.adopt(found)
            rows = conns.account_rows(backend, found)
            table = conns.accounts_table(rows).split("\n")  # each line printable
            print(json.dumps(rows) if as_json else "\n".join(map(printable, table)))
            return 0
        if args.command == "connect":
            def show(url: str) -> None:
                print(url, flush=True)
                print("Sign in on that page (opened in your browser where there is one); "
                      "waiting up to 5 minutes. Ctrl+C cancels.", file=sys.stderr, flush=True)

            done = conns.connect(backend, Service(args.target), show, open_browser)
            if done.state is SignInState.ACTIVE:
                print(f"Connected to {Service(args.target).title}.")
                settings_changed()
                return 0
            why = done.error.text if done.error else "Cancelled; nothing was connected."
            print(f"trayapp: {why}", file=sys.stderr)
            return 1
        if backend.needs_discovery:
            backend.adopt(backend.connections().list())
        service = choose_service(config, getattr(args, "target", None)
                                 or getattr(args, "service", None))
        if args.command == "disconnect":
            if not args.yes:
                if not sys.stdin.isatty():
                    print("trayapp: disconnect deletes the Maton connection; standard input "
                          "is not a terminal, so pass --yes to confirm it.", file=sys.stderr)
                    return 2
                print(conns.disconnect_question(service) + " [y/N] ", end="",
                      file=sys.stderr, flush=True)
                if sys.stdin.readline().strip().casefold() not in ("y", "yes"):
                    print("trayapp: Not disconnected.", file=sys.stderr)
                    return 1
            conns.disconnect(backend, service)
            print(f"Disconnected {service.title}.")
            settings_changed()
            return 0
        if args.name:
            chosen = conns.switch_workspace(backend, service, args.name)
            print(printable(f"Tracking in {chosen.name} ({service.title})."))
            settings_changed()
        else:
            here, _ = conns.current_workspace(backend, service)
            print(printable(here.name))
        return 0
    except e.TrackerError as exc:
        print(f"trayapp: {printable(f'{exc.title}: {exc.text}')}", file=sys.stderr)
        return 1
    finally:
        backend.close()


def settings_changed() -> None:
    """Tell the running app, if any, to read the settings this process saved (it would
    otherwise keep its own copy, and write it back over them)."""
    from .control.actions import RELOAD

    ipc.send({"command": RELOAD, "args": {}})


def open_browser(url: str) -> None:
    """The sign-in page in the browser, where there is one (never on a bare terminal)."""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY")
                                                 or os.environ.get("WAYLAND_DISPLAY")):
        return
    import webbrowser

    try:
        webbrowser.open(url)
    except Exception:  # noqa: BLE001 - no browser: the URL is printed above
        pass


def print_answer(answer: dict[str, Any], as_json: bool) -> int:
    """The reply of the app or of a one-shot run, printed the same way: the status (JSON
    or a line) on stdout, what went wrong on stderr; its exit status. Descriptions and the
    services' messages are in it: only printable text reaches the terminal (JSON escapes
    control characters by itself)."""
    from .core.text import printable  # not control: a hand-over stays quick

    if as_json and "entries" in answer:
        print(json.dumps(answer["entries"]))
    elif as_json and "items" in answer:  # a catalog list
        print(json.dumps(answer["items"]))
    elif as_json and "status" in answer:
        print(json.dumps(answer["status"]))
    elif answer.get("message"):
        print("\n".join(printable(line) for line in str(answer["message"]).split("\n")))
        status = answer.get("status")
        if isinstance(status, dict) and status.get("problems"):  # listed above: say how to fix
            print(FIX_REFUSED)
    if answer.get("error"):
        print(f"trayapp: {printable(str(answer['error']))}", file=sys.stderr)
    code = answer.get("exit")
    return code if isinstance(code, int) else (0 if answer.get("ok") else 1)


if __name__ == "__main__":
    sys.exit(main())
