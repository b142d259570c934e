"""Non-secret settings, as a small JSON file in the user config dir. The key is not here:
it lives in the OS keyring (see secrets.py).

The file is a JSON object with a top-level `"version"` (CURRENT_VERSION; a file without one is
version 1, the unversioned format of earlier releases). Each setting is declared once, below,
with its type, default and check; a value that fails its check falls back to the default with a
warning naming the setting, and the rest of the file still loads.

- Older files are brought up to date by `_UPGRADES`, one function per version step.
- Keys this version does not know are kept and written back on save, so settings written by a
  newer trayapp survive a run of an older one. A file from a newer version keeps its version
  number, and its values this version cannot read are written back unchanged (unless the user
  set that setting here).
- A file that cannot be used at all (unreadable, not UTF-8, not JSON, not an object) gives the
  defaults and a one-sentence `problem` for the user; the file is first copied aside to
  `settings.json.broken` (moved aside when it cannot even be read), and `save()` refuses to write
  over it until that copy exists. Values that fail their checks are named in `problem` too.
- `save()` refuses to replace a symbolic link (files.write_atomic): it says so, and leaves the
  link and what it points to as they are.

Qt-free and free of the HTTP stack: the one-shot command line reads this at start-up.
"""

from __future__ import annotations

import json
import logging
import os
import reprlib
from collections.abc import Callable, Mapping
from dataclasses import Field, dataclass, field, fields
from pathlib import Path
from typing import Any, TypeGuard

from .api.urls import DEFAULT_GATEWAY_URL, check_gateway_url
from .core.models import Service, is_id
from .files import private_folder, refuse_link, write_atomic
from .paths import config_dir

log = logging.getLogger(__name__)

LEFT_CLICK_ACTIONS = {
    "toggle": "Stop, or open quick start when nothing runs",
    "menu": "Open the menu",
    "quick_start": "Open quick start",
    "new_timer": "Open the new timer dialog",
}

_SERVICES = frozenset(s.value for s in Service)

JsonObject = dict[str, object]


# -- upgrades: one step per version; CURRENT_VERSION follows from the table -------------------


def _v1_to_v2(data: JsonObject) -> JsonObject:
    """Version 2 has the same keys as the unversioned file: only the version stamp is new."""
    return data


# _UPGRADES[n - 1] turns a version-n object into a version-(n + 1) one (without "version").
# A new format is one more function here; its number is then CURRENT_VERSION.
_UPGRADES: tuple[Callable[[JsonObject], JsonObject], ...] = (
    _v1_to_v2,
)
CURRENT_VERSION = 1 + len(_UPGRADES)


# -- checks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    check: Callable[[object], bool]
    expect: str  # what a valid value looks like, for the warning


def _rule(check: Callable[[object], bool], expect: str) -> Mapping[str, _Rule]:
    return {"rule": _Rule(check, expect)}


def _is_service(value: object) -> bool:
    return value is None or (isinstance(value, str) and value in _SERVICES)


def _is_str_map(value: object) -> TypeGuard[dict[str, str]]:
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items())


def _is_service_map(value: object) -> bool:
    return _is_str_map(value) and all(k in _SERVICES and is_id(v) for k, v in value.items())


def _is_left_click(value: object) -> bool:
    return isinstance(value, str) and value in LEFT_CLICK_ACTIONS


def _is_bool(value: object) -> bool:
    return isinstance(value, bool)


def _is_optional_str(value: object) -> bool:
    return value is None or isinstance(value, str)


IDLE_MINUTES_DEFAULT = 5  # Toggl Desktop's
IDLE_MINUTES_MAX = 480


def _is_idle_minutes(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and \
        0 <= value <= IDLE_MINUTES_MAX


# Sleep, shutdown and the screen lock while a timer runs (control/session_events.py): do
# nothing, stop the timer at that moment, or treat the time away as idle and ask on return.
# Shutdown cannot ask: trayapp is not running when the user comes back.
AWAY_CHOICES = {"sleep": ("nothing", "stop", "ask"), "shutdown": ("nothing", "stop"),
                "lock": ("nothing", "stop", "ask")}


def _away_rule(event: str) -> Callable[[object], bool]:
    return lambda value: isinstance(value, str) and value in AWAY_CHOICES[event]


POMODORO_FOCUS_DEFAULT = 25  # minutes (Toggl Desktop's)
POMODORO_BREAK_DEFAULT = 5
POMODORO_MINUTES_MAX = 240


def _is_pomodoro_minutes(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and \
        1 <= value <= POMODORO_MINUTES_MAX


FAVORITES_MAX = 30
_FAVORITE_TEXT = {"name", "description", "shortcut"}
_FAVORITE_IDS = {"project_id", "task_id"}


def _is_favorite(value: object) -> bool:
    """{name, description, project_id, task_id, tags, billable, service, shortcut}, each
    optional: texts, ids (or null) fit for request paths, tag names, a service's name."""
    if not isinstance(value, dict) or not set(value) <= \
            _FAVORITE_TEXT | _FAVORITE_IDS | {"tags", "billable", "service"}:
        return False
    tags = value.get("tags", [])
    return all(isinstance(value.get(k, ""), str) for k in _FAVORITE_TEXT) and \
        all(value.get(k) is None or is_id(value[k]) for k in _FAVORITE_IDS) and \
        isinstance(tags, list) and all(isinstance(t, str) for t in tags) and \
        isinstance(value.get("billable", False), bool) and _is_service(value.get("service"))


def _is_favorites(value: object) -> bool:
    return isinstance(value, list) and len(value) <= FAVORITES_MAX and \
        all(_is_favorite(v) for v in value)


REMIND_MINUTES_MAX = 480
REMIND_HOURS_MAX = 24
REMIND_DAYS_DEFAULT = [0, 1, 2, 3, 4]  # Monday to Friday (date.weekday())


def _is_remind_minutes(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and \
        0 <= value <= REMIND_MINUTES_MAX


def _is_remind_hours(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and \
        0 <= value <= REMIND_HOURS_MAX


def _is_weekdays(value: object) -> bool:
    return isinstance(value, list) and len(set(value)) == len(value) and all(
        isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 6 for v in value)


def _is_clock(value: object) -> bool:
    """"HH:MM", 00:00 to 23:59."""
    if not isinstance(value, str) or len(value) != 5 or value[2] != ":" or \
            not (value[:2].isdigit() and value[3:].isdigit()):
        return False
    return int(value[:2]) < 24 and int(value[3:]) < 60


_SERVICE_NAMES = ", ".join(sorted(_SERVICES))


# -- the settings -----------------------------------------------------------------------------


@dataclass
class Config:
    # The service the tray tracks on.
    service: str | None = field(
        default=None, metadata=_rule(_is_service, f"null or one of {_SERVICE_NAMES}"))
    # service -> Maton connection id
    connections: dict[str, str] = field(
        default_factory=dict,
        metadata=_rule(_is_service_map, f"an object of service ({_SERVICE_NAMES}) -> id"))
    # service -> workspace id
    workspaces: dict[str, str] = field(
        default_factory=dict,
        metadata=_rule(_is_service_map, f"an object of service ({_SERVICE_NAMES}) -> id"))
    # What a left click on the icon does.
    left_click: str = field(
        default="toggle",
        metadata=_rule(_is_left_click, "one of " + ", ".join(LEFT_CLICK_ACTIONS)))
    # action -> key sequence
    hotkeys: dict[str, str] = field(
        default_factory=dict, metadata=_rule(_is_str_map, "an object of string -> string"))
    # The first-launch explanation was shown.
    welcomed: bool = field(default=False, metadata=_rule(_is_bool, "true or false"))
    # Which Maton key the connections and workspaces above were found with: a short hash of
    # it (never the key). Another key is another Maton account (control/accounts.py: claim).
    account: str | None = field(default=None, metadata=_rule(_is_optional_str,
                                                             "null or a string"))
    # Minutes without input before the idle question (control/idle.py); 0: never asked.
    idle_minutes: int = field(default=IDLE_MINUTES_DEFAULT, metadata=_rule(
        _is_idle_minutes, f"a whole number of minutes from 0 to {IDLE_MINUTES_MAX}"))
    # What sleep, shutdown and the screen lock do to a running timer (AWAY_CHOICES).
    on_sleep: str = field(default="ask", metadata=_rule(
        _away_rule("sleep"), "one of " + ", ".join(AWAY_CHOICES["sleep"])))
    on_shutdown: str = field(default="stop", metadata=_rule(
        _away_rule("shutdown"), "one of " + ", ".join(AWAY_CHOICES["shutdown"])))
    on_lock: str = field(default="ask", metadata=_rule(
        _away_rule("lock"), "one of " + ", ".join(AWAY_CHOICES["lock"])))
    # Pomodoro (control/pomodoro.py): on or off, the focus and break minutes, and whether a
    # break stops the entry for a "Break" entry and goes on with it after.
    pomodoro: bool = field(default=False, metadata=_rule(_is_bool, "true or false"))
    pomodoro_focus: int = field(default=POMODORO_FOCUS_DEFAULT, metadata=_rule(
        _is_pomodoro_minutes, f"a whole number of minutes from 1 to {POMODORO_MINUTES_MAX}"))
    pomodoro_break: int = field(default=POMODORO_BREAK_DEFAULT, metadata=_rule(
        _is_pomodoro_minutes, f"a whole number of minutes from 1 to {POMODORO_MINUTES_MAX}"))
    pomodoro_break_entries: bool = field(default=False, metadata=_rule(_is_bool,
                                                                       "true or false"))
    # Favorites (control/favorites.py): entries pinned to the top of the menu and of quick
    # start, in their order.
    favorites: list[dict[str, Any]] = field(default_factory=list, metadata=_rule(
        _is_favorites, f"a list of at most {FAVORITES_MAX} favorites"))
    # Reminders (control/reminders.py): "You're not tracking" after this many minutes without
    # a timer (0: never), on these weekdays (0 = Monday), from..until local time; "Still
    # working on it?" once a timer is this many hours old (0: never).
    remind_minutes: int = field(default=0, metadata=_rule(
        _is_remind_minutes, f"a whole number of minutes from 0 to {REMIND_MINUTES_MAX}"))
    remind_days: list[int] = field(default_factory=lambda: list(REMIND_DAYS_DEFAULT),
                                   metadata=_rule(_is_weekdays,
                                                  "a list of weekdays, 0 (Monday) to 6"))
    remind_from: str = field(default="09:00", metadata=_rule(_is_clock, "a time as HH:MM"))
    remind_until: str = field(default="17:00", metadata=_rule(_is_clock, "a time as HH:MM"))
    remind_hours: int = field(default=0, metadata=_rule(
        _is_remind_hours, f"a whole number of hours from 0 to {REMIND_HOURS_MAX}"))
    # A notification (with Stop) when a timer starts from outside trayapp's menu and windows
    # (a hotkey, the command line, another device).
    notify_timer_started: bool = field(default=True, metadata=_rule(_is_bool,
                                                                    "true or false"))

    # Not settings. `problem`: what in the file could not be used, in one sentence for the user.
    problem: str | None = field(default=None, init=False, compare=False)
    _version: int = field(default=CURRENT_VERSION, init=False, repr=False, compare=False)
    _extra: JsonObject = field(default_factory=dict, init=False, repr=False, compare=False)
    # Values from a newer file that this version cannot read: written back unless replaced.
    _kept: JsonObject = field(default_factory=dict, init=False, repr=False, compare=False)
    # An unusable file that could not be copied aside yet, and its bytes (None: unreadable).
    _uncopied: bool = field(default=False, init=False, repr=False, compare=False)
    _bad_bytes: bytes | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def path(cls) -> Path:
        return config_dir() / "settings.json"

    @classmethod
    def load(cls) -> Config:
        """The settings file, or the defaults. Never raises for anything found on disk."""
        path = cls.path()
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return cls()
        except OSError as exc:
            return cls._garbled(path, None, f"could not be read ({exc.strerror or exc})")
        try:
            data = _parse(raw)
            version = _version_of(data)
            data = _upgrade(data, version)
        except _Garbled as exc:
            return cls._garbled(path, raw, str(exc))
        if version > CURRENT_VERSION:
            log.warning("settings: %s is version %d, newer than this trayapp reads (%d); "
                        "using what it understands and keeping the rest", path, version,
                        CURRENT_VERSION)

        config = cls()
        config._version = max(version, CURRENT_VERSION)
        invalid: list[str] = []
        for f in _SETTINGS:
            if f.name not in data:
                continue
            value = data.pop(f.name)
            rule = _rule_of(f)
            if rule.check(value):
                setattr(config, f.name, value)
                continue
            log.info("settings: %s=%s is not %s; using the default %s", f.name,
                     reprlib.repr(value), rule.expect, json.dumps(_default(f)))
            if version > CURRENT_VERSION:
                config._kept[f.name] = value  # perhaps a newer format: kept, not a problem
            else:
                invalid.append(f.name)
        config._extra = data
        if invalid:  # one sentence for the user; the details are in the log
            config.problem = (f"The settings file {path} holds values trayapp cannot use "
                              f"({', '.join(invalid)}), so it uses their defaults instead.")
        return config

    def reload(self) -> None:
        """Read the file again, in place: whoever holds this object sees what another
        process (`trayapp connect`, `disconnect`, `workspace`) saved."""
        fresh = type(self).load()
        for f in fields(self):
            setattr(self, f.name, getattr(fresh, f.name))

    def connected(self) -> list[Service]:
        """The services with a Maton connection, in a fixed order (Toggl Track first)."""
        return [s for s in Service if s.value in self.connections]

    def save(self) -> None:
        """Atomic write: a crash leaves the old file or the new one, never half of one.
        Raises OSError when the file cannot be written."""
        path = self.path()
        if self._uncopied:
            try:
                broken = _keep_aside(path, self._bad_bytes)
            except OSError as exc:
                raise OSError(f"Settings not saved: {path} is unusable and could not be copied "
                              f"aside first ({exc.strerror or exc})") from exc
            log.warning("settings: kept a copy of the unusable file as %s", broken)
            self._uncopied, self._bad_bytes = False, None
        text = json.dumps(self._to_json(), indent=2, sort_keys=True) + "\n"
        write_atomic(path, text.encode("utf-8"))
        private_folder(path.parent)

    def _to_json(self) -> JsonObject:
        out: JsonObject = dict(self._extra)
        for f in _SETTINGS:
            value = getattr(self, f.name)
            if f.name in self._kept and value == _default(f):
                value = self._kept[f.name]  # a newer version's value, untouched here
            out[f.name] = value
        out["version"] = self._version
        return out

    @classmethod
    def _garbled(cls, path: Path, raw: bytes | None, why: str) -> Config:
        """The defaults, after keeping the unusable file aside; `problem` says what happened."""
        config = cls()
        start = f"The settings file {path} {why}, so trayapp is using the default settings"
        try:
            broken = _keep_aside(path, raw)
        except OSError as exc:
            config._uncopied, config._bad_bytes = True, raw
            config.problem = (f"{start}; it could not be copied aside "
                              f"({exc.strerror or exc}), so it will not be overwritten.")
        else:
            kept = "a copy was kept as" if raw is not None else "it was moved to"
            config.problem = f"{start}; {kept} {broken}."
        log.info("settings: %s", config.problem)  # the caller tells the user
        return config


# -- helpers ----------------------------------------------------------------------------------


class _Garbled(Exception):
    """The file cannot be used at all; the message completes "The settings file ... "."""


_SETTINGS: tuple[Field[Any], ...] = tuple(f for f in fields(Config) if "rule" in f.metadata)


def _rule_of(f: Field[Any]) -> _Rule:
    rule: _Rule = f.metadata["rule"]
    return rule


def _default(f: Field[Any]) -> object:
    if callable(f.default_factory):
        return f.default_factory()
    return f.default


def _parse(raw: bytes) -> JsonObject:
    try:
        text = raw.decode("utf-8-sig")  # a BOM (as some Windows editors write) is harmless
    except UnicodeDecodeError as exc:
        raise _Garbled(f"is not UTF-8 text (byte {exc.start})") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _Garbled(f"is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                       f"{exc.msg})") from exc
    except (ValueError, RecursionError) as exc:
        raise _Garbled("is not valid JSON") from exc
    if not isinstance(data, dict):
        raise _Garbled(f"holds {_json_kind(data)} instead of an object")
    return data


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "null"


def _version_of(data: JsonObject) -> int:
    """Removes and returns the file's version; no version is 1, an invalid one is current."""
    version = data.pop("version", 1)
    if isinstance(version, int) and not isinstance(version, bool) and version >= 1:
        return version
    log.warning("settings: version=%s is not a whole number from 1; reading it as version %d",
                reprlib.repr(version), CURRENT_VERSION)
    return CURRENT_VERSION


def _upgrade(data: JsonObject, version: int) -> JsonObject:
    for number in range(version, CURRENT_VERSION):
        try:
            data = _UPGRADES[number - 1](data)
        except Exception as exc:  # a step meeting data it did not expect: no traceback
            log.warning("settings: upgrade from version %d failed: %r", number, exc)
            raise _Garbled(f"could not be upgraded from version {number}") from exc
    return data


def _keep_aside(path: Path, raw: bytes | None) -> Path:
    """Copy the unusable file to settings.json.broken; move it there if it cannot be read."""
    broken = path.with_name(path.name + ".broken")
    if raw is None:
        refuse_link(path)  # a link is not moved either: left as the user made it
        os.replace(path, broken)
    else:
        write_atomic(broken, raw)
    return broken


def gateway_url() -> str:
    """TRAYAPP_GATEWAY_URL when set (and allowed), else Maton's public gateway."""
    return check_gateway_url(os.environ.get("TRAYAPP_GATEWAY_URL") or DEFAULT_GATEWAY_URL)
