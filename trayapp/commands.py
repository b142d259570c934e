"""The command-line actions, Qt-free: shared by the running app (which receives them over the
command socket) and the one-shot path (no app running: do it here, print, exit)."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Any

from . import secrets as keystore
from .config import Config, gateway_url
from .core import errors as e
from .core.durations import format_clock, utcnow
from .core.models import EntryDraft, Service
from .paths import store_path
from .sync.snapshot import Snapshot

EXIT_ERROR = 1
EXIT_USAGE = 2
LOCAL_COMMANDS = ("start", "stop", "toggle", "status")


def status(snapshot: Snapshot, now: datetime | None = None, demo: bool = False) -> dict[str, Any]:
    """The `trayapp status --json` object (a DESIGN.md contract)."""
    now = now or utcnow()
    out: dict[str, Any] = {"service": snapshot.service.value,
                           "running": snapshot.running is not None}
    if snapshot.running is not None:
        entry = snapshot.running
        project = snapshot.project_by_id.get(entry.project_id or "")
        out["entry"] = {
            "description": entry.description,
            "project": project.name if project else None,
            "client": project.client_name if project else None,
            "tags": list(entry.tags),
            "start": entry.start.isoformat().replace("+00:00", "Z"),
            "elapsed_seconds": entry.seconds(now),
        }
    today, week = snapshot.totals(now)
    out.update(today_seconds=today, week_seconds=week, pending=snapshot.pending,
               last_sync=snapshot.last_sync.isoformat() if snapshot.last_sync else None)
    if snapshot.error is not None:
        out["problem"] = f"{snapshot.error.title}: {snapshot.error.message}"
    if demo:
        out["demo"] = True
    return out


def status_line(data: dict[str, Any]) -> str:
    if not data["running"]:
        text = "Not tracking"
    else:
        entry = data["entry"]
        parts = [entry["description"] or "(no description)"]
        if entry["project"]:
            parts.append(f"{entry['client']} / {entry['project']}" if entry["client"]
                         else entry["project"])
        parts.append(format_clock(entry["elapsed_seconds"]))
        text = " · ".join(parts)
    if data.get("pending"):
        text += f" ({data['pending']} not yet sent)"
    if data.get("problem"):
        text += f"\n{data['problem']}"
    return text


def draft_from(snapshot: Snapshot, args: dict[str, Any]) -> EntryDraft:
    """A draft from `start DESCRIPTION --project NAME --tags a,b --billable`."""
    project_id = None
    name = (args.get("project") or "").strip()
    if name:
        wanted = name.casefold()
        matches = [p for p in snapshot.projects
                   if wanted in (p.name.casefold(), p.label.casefold())]
        if not matches:
            raise e.NotFound(f"No project named “{name}”.")
        project_id = matches[0].id
    tags = tuple(t.strip() for t in (args.get("tags") or "").split(",") if t.strip())
    project = snapshot.project_by_id.get(project_id or "")
    billable = bool(args.get("billable")) or bool(project and project.billable)
    return EntryDraft(description=(args.get("description") or "").strip(), project_id=project_id,
                      tags=tags, billable=billable)


def pick_service(config: Config, wanted: str | None) -> Service:
    if wanted:
        return Service(wanted)
    if config.service:
        return Service(config.service)
    services = config.connected()
    return services[0] if services else Service.TOGGL


def run_oneshot(command: str, args: dict[str, Any]) -> int:
    """Do a command without the tray app: local store + one or two requests, then exit."""
    from .sync.account import Account  # after argument parsing: keep --help instant

    try:
        key = keystore.get_key()
    except e.KeyringUnavailable as exc:
        return fail(exc)
    if not key:
        print("trayapp: no Maton API key is set up. Run `trayapp` to set one up, or set "
              "MATON_API_KEY.", file=sys.stderr)
        return EXIT_USAGE
    config = Config.load()
    service = pick_service(config, args.get("service"))
    account = Account(key, gateway_url(), store_path(), config.connections, config.workspaces)
    try:
        session = account.session(service)
        snapshot = session.snapshot()
        if command == "status":
            snapshot = session.sync()
        elif command == "start" or (command == "toggle" and snapshot.running is None):
            if command == "start":
                if not snapshot.projects and args.get("project"):
                    snapshot = session.sync()  # a cold store: learn the projects first
                draft = draft_from(snapshot, args)
                session.start(draft)
            else:
                session.continue_last()
            snapshot = session.flush()
        else:
            if snapshot.running is None:
                snapshot = session.sync()  # maybe started elsewhere
            if snapshot.running is None:
                raise e.Conflict("No timer is running.")
            session.stop()
            snapshot = session.flush()
        data = status(snapshot)
        if args.get("json"):
            import json

            print(json.dumps(data))
        else:
            print(status_line(data))
        if snapshot.error is not None:
            return fail(snapshot.error, kept=command != "status")
        return 0
    except e.TrackerError as exc:
        return fail(exc)
    finally:
        account.close()


def fail(error: e.TrackerError, kept: bool = False) -> int:
    note = " Your change is saved and will be sent later." if kept else ""
    print(f"trayapp: {error.title}: {error.text}{note}", file=sys.stderr)
    return EXIT_ERROR
