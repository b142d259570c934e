"""How an outbox item's payload holds an entry or its changes: JSON that survives a restart
(times as RFC 3339 text, tags as lists), written when a change is made and read back when
it is sent."""

from __future__ import annotations

from typing import Any

from ..core.durations import format_timestamp, parse_timestamp
from ..core.models import EntryDraft


def draft_payload(draft: EntryDraft) -> dict[str, Any]:
    return {
        "description": draft.description, "project_id": draft.project_id,
        "task_id": draft.task_id, "tags": list(draft.tags), "billable": draft.billable,
        "start": format_timestamp(draft.start) if draft.start else None,
        "stop": format_timestamp(draft.stop) if draft.stop else None,
    }


def payload_draft(payload: dict[str, Any]) -> EntryDraft:
    return EntryDraft(
        description=payload.get("description") or "", project_id=payload.get("project_id"),
        task_id=payload.get("task_id"), tags=tuple(payload.get("tags") or ()),
        billable=bool(payload.get("billable")),
        start=parse_timestamp(payload["start"]) if payload.get("start") else None,
        stop=parse_timestamp(payload["stop"]) if payload.get("stop") else None,
    )


def encode_changes(changes: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if key in ("start", "stop"):
            out[key] = format_timestamp(value) if value else None
        elif key == "tags":
            out[key] = list(value or ())
        else:
            out[key] = value
    return out


def decode_changes(changes: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if key in ("start", "stop"):
            out[key] = parse_timestamp(value) if value else None
        elif key == "tags":
            out[key] = tuple(value or ())
        else:
            out[key] = value
    return out
