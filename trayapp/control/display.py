"""What the tray shows, from what each service's session knows: the service tracked on, with
a problem only the user can solve named on it, and the timers still running on the other."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from ..core import errors as e
from ..core.models import Service, TimeEntry
from ..sync.snapshot import Snapshot


def with_problem(snapshot: Snapshot, problem: e.TrackerError | None) -> Snapshot:
    """A problem found outside any sync (a key refused while looking for connections) stays
    on every snapshot until a sync works."""
    if snapshot.error is None and problem is not None:
        return replace(snapshot, error=problem)
    return snapshot


def tray_state(snapshots: Mapping[Service, Snapshot], current: Service,
               services: Sequence[Service], problem: e.TrackerError | None
               ) -> tuple[Snapshot | None, list[tuple[Service, TimeEntry]]]:
    """The snapshot to show (None: still loading) and the timers running elsewhere. What
    waits to be sent or was refused on the other service counts too: it is the user's."""
    snapshot = snapshots.get(current)
    if snapshot is None and problem is not None:
        # Nothing known yet: an empty state that names the problem, so the menu offers
        # Settings instead of "Loading…" forever.
        snapshot = Snapshot(service=current)
    others = [snap for s, snap in snapshots.items() if s is not current and s in services]
    elsewhere = [(snap.service, snap.running) for snap in others if snap.running is not None]
    if snapshot is None:
        return None, elsewhere
    snapshot = replace(snapshot, pending=snapshot.pending + sum(o.pending for o in others),
                       problems=snapshot.problems + tuple(p for o in others
                                                          for p in o.problems))
    return with_problem(snapshot, problem), elsewhere
