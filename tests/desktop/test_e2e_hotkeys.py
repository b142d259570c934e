"""Global hotkeys on the real X display, through the running app: the configured combination
starts a timer in the emulator, a second one stops it, and a combination already taken by
another client is reported."""

from __future__ import annotations

from Xlib import XK, X
from Xlib import display as xdisplay

from ..conftest import TEST_KEY
from ..support.e2e import AppProcess, xdo


def running(emulator):
    return [x for x in emulator.toggl.entries if x["stop"] is None
            and not x.get("server_deleted_at")]


def test_hotkeys_start_and_stop_and_clash_is_reported(x11, emulator, tmp_path):
    other = xdisplay.Display()  # another application already owns Ctrl+Alt+Shift+N
    root = other.screen().root
    keycode = other.keysym_to_keycode(XK.string_to_keysym("n"))
    mods = X.ControlMask | X.Mod1Mask | X.ShiftMask
    root.grab_key(keycode, mods, True, X.GrabModeAsync, X.GrabModeAsync)
    other.sync()
    app = AppProcess([], {"MATON_API_KEY": TEST_KEY, "TRAYAPP_GATEWAY_URL": emulator.base_url,
                          "TRAYAPP_HOTKEYS": "x11"}, tmp_path)
    try:
        bound = app.expect(lambda ev: ev["event"] == "hotkeys", what="hotkeys bound")
        assert bound["backend"] == "x11"
        assert set(bound["errors"]) == {"new_timer"}
        assert "already used" in bound["errors"]["new_timer"]
        app.expect(lambda ev: ev["event"] == "state" and ev["synced"], what="first sync")
        last = sorted((x for x in emulator.toggl.entries if x["stop"]),
                      key=lambda x: x["start"])[-1]["description"]

        xdo("key", "ctrl+alt+shift+t")  # toggle: nothing runs, so continue the last entry
        app.expect(lambda ev: ev["event"] == "state" and ev["running"] == last
                   and ev["pending"] == 0, what="started by hotkey")
        assert [x["description"] for x in running(emulator)] == [last]

        xdo("key", "ctrl+alt+shift+s")  # stop
        app.expect(lambda ev: ev["event"] == "state" and ev["running"] is None
                   and ev["pending"] == 0, what="stopped by hotkey")
        assert running(emulator) == []
    finally:
        app.close()
        root.ungrab_key(keycode, X.AnyModifier)
        other.close()
