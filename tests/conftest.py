"""Shared fixtures, and the test layers: each folder is one (see `LAYERS`), and its tests carry
its marker, so `pytest -m unit` runs the fast ones. In-process Qt tests run offscreen;
desktop tests need the session that scripts/test sets up (Xvfb, tray host, D-Bus,
gnome-keyring) and fail without it in CI."""

from __future__ import annotations

import os
import shutil
import tempfile

# Before anything imports Qt: in-process tests are always offscreen and deterministic.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
# Never touch the developer's real config, data or keyring entries.
_ISOLATED = tempfile.mkdtemp(prefix="trayapp-tests-")
for _var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME",
             "XDG_RUNTIME_DIR"):
    os.environ[_var] = os.path.join(_ISOLATED, _var.lower())
    os.makedirs(os.environ[_var], mode=0o700, exist_ok=True)
os.environ.pop("MATON_API_KEY", None)
os.environ.pop("TRAYAPP_GATEWAY_URL", None)

import pytest  # noqa: E402

from trayapp.api.gateway import Gateway  # noqa: E402

REQUIRE_DESKTOP = os.environ.get("REQUIRE_DESKTOP") == "1"
LAYERS = {
    "unit": "pure Python: no network, no Qt",
    "loopback": "against the emulator on a real loopback socket (or in-process), no Qt",
    "qt": "widgets and the whole app in-process, offscreen, with pytest-qt",
    "desktop": "the real desktop: Xvfb, a tray host, D-Bus, a keyring, xdotool",
}


def pytest_configure(config: pytest.Config) -> None:
    for name, what in LAYERS.items():
        config.addinivalue_line("markers", f"{name}: {what}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        layer = item.path.parent.name
        if layer not in LAYERS:
            raise pytest.UsageError(f"{item.nodeid}: a test lives in one of {sorted(LAYERS)}")
        item.add_marker(layer)
TEST_KEY = "test-key"


def need(condition: object, why: str) -> None:
    """Skip on a developer's bare machine; fail in CI, where the desktop must be there."""
    if not condition:
        if REQUIRE_DESKTOP:
            pytest.fail(f"REQUIRE_DESKTOP=1 but {why}")
        pytest.skip(why)


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path, monkeypatch):
    """Each test gets its own config and data dirs: no store or settings leak between tests."""
    for var, sub in (("XDG_CONFIG_HOME", "xdg-config"), ("XDG_DATA_HOME", "xdg-data")):
        path = tmp_path / sub
        path.mkdir(exist_ok=True)
        monkeypatch.setenv(var, str(path))


@pytest.fixture(autouse=True)
def heartbeat(request):
    """Qt tests: give Python a turn every 200 ms, so a test stuck in a Qt event loop (a modal
    dialog nobody answers) still meets its time-out instead of hanging the run."""
    if "qtbot" not in request.fixturenames and "qapp" not in request.fixturenames:
        yield
        return
    from PySide6.QtCore import QTimer

    request.getfixturevalue("qapp")
    timer = QTimer()
    timer.timeout.connect(lambda: None)
    timer.start(200)
    yield
    timer.stop()


@pytest.fixture
def memory_keyring():
    """The OS keyring replaced by a dict for one test."""
    import keyring

    from .support.fakes.memory_keyring import MemoryKeyring

    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def x11() -> str:
    need(os.environ.get("DISPLAY") and shutil.which("xdotool"), "no X display / xdotool")
    return os.environ["DISPLAY"]


@pytest.fixture
def session_bus() -> str:
    need(os.environ.get("DBUS_SESSION_BUS_ADDRESS"), "no D-Bus session bus")
    return os.environ["DBUS_SESSION_BUS_ADDRESS"]


@pytest.fixture
def emulator():
    """A seeded emulator served on a real loopback socket."""
    from trayapp.emulator import Emulator, serve

    emu = Emulator(api_key=TEST_KEY, seed=True)
    server = serve(emu, host="127.0.0.1", port=0)
    emu.base_url = server.base_url
    try:
        yield emu
    finally:
        server.close()


@pytest.fixture
def gateway(emulator):
    """A gateway client on the emulator that never sleeps between retries."""
    gw = Gateway(TEST_KEY, emulator.base_url, sleep=lambda s: None)
    try:
        yield gw
    finally:
        gw.close()


@pytest.fixture
def home(tmp_path):
    for sub in ("config", "data", "runtime"):
        (tmp_path / sub).mkdir(mode=0o700)
    return tmp_path


# -- the emulator on its own: a fake clock, a server, a raw client (tests/test_emulator*.py) ---


@pytest.fixture
def clock():
    from trayapp.emulator.testing import FakeClock

    return FakeClock()


@pytest.fixture
def emu(clock):
    from trayapp.emulator import Emulator

    return Emulator(api_key=TEST_KEY, seed=True, clock=clock)


@pytest.fixture
def server(emu):
    from trayapp.emulator import serve

    srv = serve(emu)
    yield srv
    srv.close()


@pytest.fixture
def client(server):
    import httpx

    headers = {"Authorization": f"Bearer {TEST_KEY}"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=5) as c:
        yield c
