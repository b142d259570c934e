"""What `trayapp status` says: the `status --json` object (a DESIGN.md contract) and its
line of text, for the service tracked on and, when both are connected, for each service.

The object keeps the fields of the service tracked on at its top level (`service`,
`running`, `entry`, `pending`, `problems`, ...). With both services connected it also has
`services`: one object per service, keyed by its name (`toggl-track`, `clockify`), each with
`running` (bool), `entry` (as above, only while running), `pending` (int) and `problems`
(list of `{title, message}`), so that a timer running on either one is seen.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..core.durations import format_clock, utcnow
from ..core.text import printable
from ..sync.snapshot import Snapshot


def entry_of(snapshot: Snapshot, now: datetime) -> dict[str, Any] | None:
    entry = snapshot.running
    if entry is None:
        return None
    project = snapshot.project_by_id.get(entry.project_id or "")
    return {
        "description": entry.description,
        "project": project.name if project else None,
        "client": project.client_name if project else None,
        "tags": list(entry.tags),
        "start": entry.start.isoformat().replace("+00:00", "Z"),
        "elapsed_seconds": entry.seconds(now),
        # Named when it runs in another workspace than the one tracked in (else null).
        "workspace": snapshot.running_workspace,
    }


def service_status(snapshot: Snapshot, now: datetime) -> dict[str, Any]:
    """One service's part of `services`."""
    out: dict[str, Any] = {"running": snapshot.running is not None}
    entry = entry_of(snapshot, now)
    if entry is not None:
        out["entry"] = entry
    out.update(pending=snapshot.pending,
               problems=[{"title": p.title, "message": p.message} for p in snapshot.problems])
    return out


def status(snapshot: Snapshot, now: datetime | None = None, demo: bool = False
           ) -> dict[str, Any]:
    """The `trayapp status --json` object (a DESIGN.md contract)."""
    now = now or utcnow()
    out: dict[str, Any] = {"service": snapshot.service.value,
                           "running": snapshot.running is not None}
    entry = entry_of(snapshot, now)
    if entry is not None:
        out["entry"] = entry
    today, week = snapshot.totals(now)
    out.update(today_seconds=today, week_seconds=week, pending=snapshot.pending,
               problems=[{"title": p.title, "message": p.message} for p in snapshot.problems],
               last_sync=snapshot.last_sync.isoformat() if snapshot.last_sync else None,
               idle_seconds=None)
    if snapshot.error is not None:
        out["problem"] = f"{snapshot.error.title}: {snapshot.error.message}"
    if snapshot.others:
        both = [snapshot, *snapshot.others]
        out["services"] = {s.service.value: service_status(s, now) for s in both}
    if demo:
        out["demo"] = True
    return out


def entry_line(entry: Mapping[str, Any]) -> str:
    parts = [entry["description"] or "(no description)"]
    if entry["project"]:
        parts.append(f"{entry['client']} / {entry['project']}" if entry["client"]
                     else entry["project"])
    parts.append(format_clock(entry["elapsed_seconds"]))
    if entry.get("workspace"):
        parts.append(f"in workspace {entry['workspace']}")
    return printable(" · ".join(parts))


def status_line(data: Mapping[str, Any]) -> str:
    text = entry_line(data["entry"]) if data["running"] else "Not tracking"
    if data.get("pending"):
        text += f" ({data['pending']} not yet sent)"
    for name, other in (data.get("services") or {}).items():  # a timer on the other one
        if name != data.get("service") and other.get("running"):
            title = "Toggl Track" if name == "toggl-track" else "Clockify"
            text += f"\nAlso running on {title}: {entry_line(other['entry'])}"
    for problem in data.get("problems") or ():  # refused changes: fix them in the tray menu
        text += "\n" + printable(f"Not saved: {problem['title']}: {problem['message']}")
    return text
