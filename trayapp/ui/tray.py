"""The tray icon and its menu. Pure presentation: it renders a Snapshot and emits what the
user asked for; the app decides what happens. The menu is rebuilt each time it opens, from
the latest snapshot, so opening it never waits on anything."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QAction, QCursor, QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QMenu, QSystemTrayIcon, QToolTip

from ..control.actions import Request
from ..control.refused import refused_entry
from ..core.durations import format_clock, format_moment, format_short, utcnow
from ..core.models import EntryDraft, Service, TimeEntry
from ..sync.snapshot import Problem, Snapshot
from .icons import Badge, docked, tray_icon
from .text import elided, menu_text, shown, tooltip_text

PROJECTS_INLINE = 15  # more than this and the Projects submenu becomes a search


def ago(when: datetime | None, now: datetime) -> str:
    if when is None:
        return "never"
    seconds = int((now - when).total_seconds())
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago" if seconds < 86400 else when.astimezone().strftime("%d %b")


def submenu(parent: QMenu, title: str) -> QMenu:
    """A submenu made here rather than by addMenu: when the menu is rebuilt it goes with its
    actions on the Python side too (addMenu's left ~20 wrappers behind per opening)."""
    sub = QMenu(title, parent)
    parent.addMenu(sub)
    return sub


def when_shown(icon: QSystemTrayIcon, then: Callable[[], None], limit_ms: int = 300) -> None:
    """Call `then` once the panel has embedded the icon (or after `limit_ms`: a D-Bus tray
    reports no geometry), so that start-up work never delays the icon itself."""
    if not QSystemTrayIcon.isSystemTrayAvailable():
        QTimer.singleShot(0, then)
        return
    waited = [0]

    def check() -> None:
        if docked(icon) or waited[0] >= limit_ms:
            QTimer.singleShot(30, then)  # a few more milliseconds: the icon gets painted
            return
        waited[0] += 10
        QTimer.singleShot(10, check)

    QTimer.singleShot(0, check)


class Tray(QObject):
    requested = Signal(object)  # a control Request: start, stop, continue, windows...
    settings_requested = Signal()
    open_web_requested = Signal()
    service_chosen = Signal(object)  # Service
    quit_requested = Signal()
    menu_opening = Signal()
    snapshot_shown = Signal()  # set_snapshot: a new state (for whoever follows the timer)
    refreshed = Signal(object)  # refresh_texts ran (its time): counting menu lines may update

    def __init__(self, parent: QObject | None = None, left_click: str = "toggle",
                 icon: QSystemTrayIcon | None = None) -> None:
        """`icon`: one already on the panel (gui.first_icon), adopted."""
        super().__init__(parent)
        self.snapshot: Snapshot | None = None
        self.services: list[Service] = []
        self.elsewhere: list[tuple[Service, TimeEntry]] = []
        self.demo = False
        self.left_click = left_click
        self.menu = QMenu()
        self.menu.setToolTipsVisible(True)
        self.menu.aboutToShow.connect(self._on_menu_opening)
        self.icon = icon or QSystemTrayIcon(self)
        self.icon.setParent(self)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_activated)
        self._header: QAction | None = None
        self._status: QAction | None = None
        # A left click waits to know it is not the first half of a double click.
        self._single = QTimer(self)
        self._single.setSingleShot(True)
        self._single.timeout.connect(lambda: self.quick_action(self.left_click))
        self._icon_key: tuple | None = None
        # What a feature adds (ui/pomodoro.py), asked at each refresh with its time: a part of
        # the tooltip after the clock; the ring's progress and colour instead of the hour's.
        self.tooltip_extra: Callable[[datetime], str | None] | None = None
        self.ring: Callable[[datetime], tuple[float, str] | None] | None = None
        self.fixing: QDialog | None = None  # "Edit and try again…", kept while open
        # While a timer runs: every second while the seconds can be seen (the menu open, the
        # tooltip shown), else only when the ring moves, once a minute (idle wake-ups).
        self._tick = QTimer(self)
        self._tick.setSingleShot(True)
        self._tick.timeout.connect(self.refresh_texts)
        self.menu.aboutToHide.connect(self._schedule_tick)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._scheme_changed)
        self.update_icon()

    def ask(self, command: str, **args: object) -> None:
        self.requested.emit(Request(command, args))

    def start(self, draft: EntryDraft) -> None:
        self.requested.emit(Request("start", draft=draft))

    # -- state ----------------------------------------------------------------------------------
    def show(self) -> None:
        self.icon.show()
        for widget in QApplication.topLevelWidgets():  # an XEmbed tray: its tooltip's hover
            if widget.metaObject().className() == "QSystemTrayIconSys":
                widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        if event.type() == QEvent.Type.ToolTip:  # about to show: the seconds of now
            self.refresh_texts(hovered=True)
        return False

    def set_snapshot(self, snapshot: Snapshot | None, services: list[Service] | None = None,
                     elsewhere: list[tuple[Service, TimeEntry]] | None = None) -> None:
        """Show `snapshot` (the service tracked on); `elsewhere`: timers running on the other
        connected service, which still count and can be stopped from here."""
        self.snapshot = snapshot
        if services is not None:
            self.services = services
        if elsewhere is not None:
            self.elsewhere = elsewhere
        self.refresh_texts()
        if self.menu.isVisible():
            # Never clear() an open menu: emptied, it is unmapped, loses its grab and closes.
            # The lines that change are updated in place; the rest is rebuilt at next opening.
            snap = self.snapshot
            if self._status is not None and snap is not None:
                self._status.setText(self._status_text(snap, utcnow()))
        self.snapshot_shown.emit()

    def badge(self) -> Badge:
        snap = self.snapshot
        if snap is None:
            return Badge.NONE
        if snap.error is not None and snap.error.transient:  # clears by itself: amber
            return Badge.OFFLINE
        if snap.error is not None or snap.problems:
            return Badge.ERROR
        if snap.pending:
            return Badge.PENDING
        return Badge.NONE

    def running(self) -> tuple[Service | None, TimeEntry | None]:
        """The timer the icon shows: the tracked service's, else one running elsewhere (with
        its service)."""
        if self.snapshot is not None and self.snapshot.running is not None:
            return None, self.snapshot.running
        return self.elsewhere[0] if self.elsewhere else (None, None)

    def update_icon(self, now: datetime | None = None) -> None:
        running = self.running()[1]
        progress, colour = 0.0, None
        if running is not None:
            now = now or utcnow()
            progress = (running.seconds(now) % 3600) / 3600
            ring = self.ring(now) if self.ring is not None else None
            if ring is not None:
                progress, colour = ring
        key = (running is not None, int(progress * 60), self.badge(), colour)
        if key != self._icon_key:  # redraw only when something visible changed
            self._icon_key = key
            self.icon.setIcon(tray_icon(key[0], progress, key[2], colour=colour))

    def tooltip(self, now: datetime | None = None) -> str:
        now = now or utcnow()
        snap = self.snapshot
        if snap is None:
            return "trayapp · starting…"
        parts: list[str] = []
        where, running = self.running()
        if running is not None:
            parts.append(running.description or "(no description)")
            label = snap.project_label(running.project_id) if where is None else None
            if label:
                parts.append(label)
            parts.append(format_clock(running.seconds(now)))
            extra = self.tooltip_extra(now) if self.tooltip_extra is not None else None
            if extra:
                parts.append(extra)
            if where is not None:
                parts.append(f"on {where.title}")
            elif snap.running_workspace:  # started in another workspace (the web, a phone)
                parts.append(f"in workspace {snap.running_workspace}")
        else:
            parts.append("Not tracking")
        for other, entry in self.elsewhere:
            if entry is not running:
                parts.append(f"also on {other.title}: {entry.description or '(no description)'}")
        today, _week = snap.totals(now)
        parts.append(f"Today {format_short(today)}")
        if snap.pending:
            parts.append(f"{snap.pending} not yet sent")
        if snap.paused_until:
            parts.append(f"sync paused until {format_moment(snap.paused_until)}")
        elif snap.error:
            parts.append(snap.error.title)
        if self.demo:
            parts.append("demo")
        return shown(" · ".join(parts))  # descriptions from anywhere, on one line

    def refresh_texts(self, hovered: bool = False) -> None:
        now = utcnow()
        self.icon.setToolTip(tooltip_text(self.tooltip(now)))
        self.update_icon(now)
        if self._header is not None and self.menu.isVisible():
            self._header.setText(self._header_text(now))
        self._schedule_tick(now, hovered)
        self.refreshed.emit(now)

    def _schedule_tick(self, now: datetime | None = None, hovered: bool = False) -> None:
        running = self.running()[1]
        if running is None:
            self._tick.stop()
        elif hovered or self.menu.isVisible() or QToolTip.isVisible():
            self._tick.start(1000)
        else:  # the next minute of the entry: the ring's next step
            self._tick.start(1000 * (60 - running.seconds(now or utcnow()) % 60) + 20)

    def _scheme_changed(self) -> None:
        self._icon_key = None
        self.update_icon()

    # -- clicks ---------------------------------------------------------------------------------
    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        Reason = QSystemTrayIcon.ActivationReason
        if reason == Reason.Trigger:
            self._single.start(QGuiApplication.styleHints().mouseDoubleClickInterval())
        elif reason == Reason.MiddleClick:
            self.quick_action("toggle_timer")
        elif reason == Reason.DoubleClick:
            self._single.stop()
            self.ask("new_timer")

    def quick_action(self, name: str) -> None:
        where, running = self.running()  # the timer the icon shows, on whichever service
        if name in ("toggle", "toggle_timer") and running is not None:
            self.ask("stop", **({"service": where.value} if where else {}))
        elif name == "toggle":  # default: stop if running, else open quick start
            self.ask("quick_start")
        elif name == "toggle_timer":  # stop, or continue the last entry
            self.ask("toggle")
        elif name in ("quick_start", "new_timer"):
            self.ask(name)
        else:
            self.popup_menu()

    def shortcut(self, action: str) -> None:
        """A global shortcut: stopping acts on the timer the icon shows, as a click does."""
        if action == "toggle":
            self.quick_action("toggle_timer")
        elif action == "stop" and self.running()[1] is not None:
            self.quick_action("toggle_timer")
        elif ":" not in action:  # (`favorite:<n>` and the like: their feature's own)
            self.ask(action)

    def popup_menu(self) -> None:
        """Show the menu at the cursor (for hotkeys and desktops that send no right click)."""
        if not self.menu.isVisible():  # popping it up again would rebuild it while open
            self.menu.popup(QCursor.pos())

    # -- the menu -------------------------------------------------------------------------------
    def _on_menu_opening(self) -> None:
        self.menu_opening.emit()
        self.rebuild_menu()
        self._schedule_tick(hovered=True)

    def _header_text(self, now: datetime) -> str:
        snap = self.snapshot
        where, running = self.running()
        if snap is None or running is None:
            return "Not tracking"
        label = snap.project_label(running.project_id) if where is None else where.title
        text = menu_text(running.description or "(no description)")
        if label:
            text += f" — {menu_text(label, 32)}"
        return f"● {text}  {format_clock(running.seconds(now))}"

    def rebuild_menu(self) -> None:
        from .icons import swatch_icon

        menu = self.menu
        for action in menu.actions():  # clear() leaves submenus behind: delete them too
            sub = action.menu()
            if sub is not None:
                sub.deleteLater()
        menu.clear()
        self._status = None
        now = utcnow()
        snap = self.snapshot
        # The running entry (or "Not tracking") heads the menu in full colour; clicking it
        # edits the entry, or opens a new timer.
        running = snap is not None and snap.running is not None
        where, elsewhere = self.running()
        self._header = menu.addAction(
            self._header_text(now),
            lambda: self.ask("edit" if running else "new_timer"))
        font = self._header.font()
        font.setBold(True)
        self._header.setFont(font)
        if snap is None:
            menu.addAction("Loading…").setEnabled(False)
        else:
            if snap.running:
                menu.addAction("Stop", lambda: self.ask("stop"))
                menu.addAction("Edit…", lambda: self.ask("edit"))
            for other, entry in self.elsewhere:  # still running on the other service
                if entry is not elsewhere:  # (the header shows that one already)
                    menu.addAction(f"● {menu_text(entry.description or '(no description)', 40)}"
                                   f" — {other.title}  {format_clock(entry.seconds(now))}"
                                   ).setEnabled(False)
                menu.addAction(f"Stop on {other.title}",
                               partial(self.ask, "stop", service=other.value))
            last = snap.last_stopped
            if last is not None:
                name = menu_text(last.description or snap.project_label(last.project_id) or "", 40)
                menu.addAction(f"Continue “{name}”", lambda: self.ask("continue"))
            menu.addAction("New timer…", lambda: self.ask("new_timer"))
            menu.addSeparator()
            self._add_recent(menu, snap, swatch_icon)
            self._add_projects(menu, snap, swatch_icon)
            menu.addSeparator()
            today, week = snap.totals(now)
            menu.addAction(f"Today {format_short(today)} · This week {format_short(week)}"
                           ).setEnabled(False)
            self._add_status(menu, snap, now)
            menu.addSeparator()
            if len(self.services) > 1:
                track = submenu(menu, "Track on")
                for service in self.services:
                    act = track.addAction(service.title,
                                          partial(self.service_chosen.emit, service))
                    act.setCheckable(True)
                    act.setChecked(service is snap.service)
            menu.addAction(f"Open {snap.service.title} in the browser",
                           self.open_web_requested.emit)
        menu.addAction("Timesheet…", lambda: self.ask("timesheet"))
        menu.addAction("Projects and tags…", lambda: self.ask("manage"))
        menu.addAction("Settings…", self.settings_requested.emit)
        menu.addAction("Quit", self.quit_requested.emit)

    def _add_recent(self, menu: QMenu, snap: Snapshot, swatch) -> None:
        recent = snap.recent()
        sub = submenu(menu, "Recent")
        sub.setEnabled(bool(recent))
        projects = snap.project_by_id
        for draft in recent:
            label = menu_text(draft.description or "(no description)", 40)
            project = projects.get(draft.project_id or "")
            if project:
                label += f" · {menu_text(project.label, 28)}"
            if draft.tags:
                label += "  #" + " #".join(menu_text(tag, 28) for tag in draft.tags)
            act = sub.addAction(label, partial(self.start, EntryDraft(
                draft.description, draft.project_id, draft.task_id, draft.tags, draft.billable)))
            if project:
                act.setIcon(swatch(project.color))

    def _add_projects(self, menu: QMenu, snap: Snapshot, swatch) -> None:
        sub = submenu(menu, "Projects")
        projects = [p for p in snap.projects if p.active]
        sub.setEnabled(bool(projects))
        if len(projects) > PROJECTS_INLINE:
            # Hundreds of projects do not fit a menu: offer the searchable picker instead.
            sub.addAction("Search projects…", lambda: self.ask("project_search"))
            sub.addSeparator()
            recent_ids = [d.project_id for d in snap.recent() if d.project_id]
            by_id = snap.project_by_id
            projects = [by_id[i] for i in dict.fromkeys(recent_ids) if i in by_id]
        client = object()
        for project in projects:
            if project.client_name != client:
                client = project.client_name
                sub.addSection(elided(client or "No client", 40))  # drawn as is: no '&&'
            act = sub.addAction(menu_text(project.name, 40), partial(self.start, EntryDraft(
                project_id=project.id, billable=project.billable)))
            act.setIcon(swatch(project.color))

    def _add_status(self, menu: QMenu, snap: Snapshot, now: datetime) -> None:
        if snap.pending:
            menu.addAction(f"{snap.pending} change(s) not yet sent").setEnabled(False)
        if snap.problems:
            sub = submenu(menu, f"{len(snap.problems)} refused change(s)")
            for problem in snap.problems:
                inner = submenu(sub, f"{problem.action} “{menu_text(problem.description, 30)}”: "
                                 f"{problem.title}")
                inner.setToolTipsVisible(True)
                info = inner.addAction(menu_text(problem.message, 80))
                info.setEnabled(False)
                where = {"service": problem.service.value} if problem.service else {}
                entry = refused_entry(snap, problem)
                if entry is not None:  # a start: its description, project, tags can be fixed
                    inner.addAction("Edit and try again…",
                                    partial(self.edit_refused, problem, entry))
                inner.addAction("Try again", partial(self.ask, "retry", seq=problem.seq, **where))
                inner.addAction("Discard this change…", partial(self.discard_refused, problem))
        self._status = menu.addAction(self._status_text(snap, now))
        self._status.setEnabled(False)
        self._status.setToolTip(tooltip_text(snap.error.text) if snap.error else "")
        menu.addAction("Sync now", lambda: self.ask("sync"))

    def discard_refused(self, problem: Problem) -> None:
        """Asks first: a discarded start is gone for good."""
        from .refused import discard

        discard(problem, self.requested.emit)

    def edit_refused(self, problem: Problem, entry: TimeEntry) -> None:
        from .refused import edit_dialog

        if self.snapshot is None:
            return
        if self.fixing is not None:
            self.fixing.close()
        dialog = self.fixing = edit_dialog(self.snapshot, problem, entry, self.requested.emit)
        dialog.finished.connect(lambda *_: setattr(self, "fixing", None)
                                if self.fixing is dialog else None)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    @staticmethod
    def _status_text(snap: Snapshot, now: datetime) -> str:
        if snap.paused_until:
            return f"Sync paused until {format_moment(snap.paused_until)} (hourly quota)"
        if snap.error:  # the details (message and advice) are in the tooltip
            return snap.error.title
        return f"Synced {ago(snap.last_sync, now)}"
