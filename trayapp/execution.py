"""How the app runs a Plan (control/actions.py) on its two workers: predicted at once in the
tray, applied on `local` (on disk first), then sent on `net`; answered once, within the
app's `reply_within_ms`, with the outcome, or else with "saved, still sending" (or, if
looking at the server first takes that long, on what is known). One-shot commands run the
same plan in order instead (control/oneshot.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer

from .control import actions
from .control.actions import Plan, Then, finish, outcome, refusal
from .control.display import with_problem
from .core import errors as e
from .core.durations import utcnow
from .sync.snapshot import Snapshot

if TYPE_CHECKING:
    from .app import TrayApp
    from .sync.account import Account

Reply = Callable[[dict[str, Any]], None]


def execute(app: TrayApp, step: Plan, reply: Reply | None) -> None:
    assert app.runtime is not None  # plans are made only with a backend
    runtime, service = app.runtime, step.service
    replied: list[bool] = []
    state: dict[str, Any] = {}  # "acted": the local change was asked; "local": its result

    def respond(answer: dict[str, Any]) -> None:
        if reply is not None and not replied:
            replied.append(True)
            reply(answer)

    def refused(error: e.TrackerError) -> None:
        app.render()  # the prediction did not come true
        if reply is None:
            app.tell(error)
        respond(refusal(error))

    def answer(before: Snapshot, after: Snapshot, still_sending: bool = False) -> None:
        if not still_sending and not runtime.stopped:
            (app.synced if step.then is Then.SYNC else app.show)(after)
        respond(outcome(step, before, with_problem(after, app.problem), demo=app.demo,
                        still_sending=still_sending))

    def applied(result: tuple[Snapshot, Snapshot]) -> None:
        before, after = state["local"] = result
        if step.then is Then.NOTHING or runtime.stopped:  # stopped: sent by the next one
            answer(before, after, still_sending=step.then is not Then.NOTHING)
            return
        app.show(after)  # on disk: shown now, sent next
        runtime.net_call(lambda a: finish(a.session(service), step.then),
                         partial(answer, before),
                         lambda error: answer(before, replace(after, error=error)))
        if state.get("late"):
            answer(before, after, still_sending=True)

    def apply(account: Account) -> tuple[Snapshot, Snapshot]:
        session = account.session(service)
        return session.snapshot(), step.apply(session)

    def act(_: object = None) -> None:
        if state.get("acted") or runtime.stopped:
            return
        state["acted"] = True
        known = app.snapshots.get(service)
        if step.predict is not None and known is not None and service is app.service:
            app.tray.set_snapshot(step.predict(known), app.services)
        runtime.local.call(apply, applied, refused)

    def deadline() -> None:
        state["late"] = True
        if "local" in state:  # applied and on disk; the service has not answered yet
            before, after = state["local"]
            answer(before, after, still_sending=True)
        else:
            act()  # looking at the server takes too long: act on what is known

    QTimer.singleShot(app.reply_within_ms, runtime, deadline)
    known = app.snapshots.get(service)
    look = actions.needs_a_look(step, known) or step.look_when_stale and (
        known is None or runtime.policy.worth_a_look(known, utcnow()))
    if look:  # what this app knows may be old (say, a timer started on the web)
        def looked(snapshot: Snapshot) -> None:
            if not runtime.stopped:
                app.synced(snapshot)
            act()

        runtime.net_call(lambda a: a.session(service).sync(), looked, lambda _: act())
    else:
        act()
