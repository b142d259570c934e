"""Packaging: the Linux desktop files validate, every package recipe points at files that exist,
the icons are what the recipes say, and the PyInstaller bundle builds and runs.

The bundle tests (at the end, `-k "not bundle"` skips them) build dist/ into a temporary
directory with packaging/build-linux (~30 s on 2 cores), or reuse ./dist/trayapp when it is newer
than every source, then run the frozen app: --version without a display, the --demo tray under
Xvfb + trayer, and a one-shot command that reads the API key from gnome-keyring. Size and build
time go to bench/results/bundle.json.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import plistlib
import re
import shutil
import signal
import struct
import subprocess
import sys
import time
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from trayapp import APP_ID, APP_NAME, __version__
from trayapp.platform import autostart

from ..conftest import TEST_KEY, need
from ..support.e2e import AppProcess

ROOT = Path(__file__).resolve().parents[2]
RES = ROOT / "resources"
PKG = ROOT / "packaging"
DESKTOP = RES / f"{APP_ID}.desktop"
METAINFO = RES / f"{APP_ID}.metainfo.xml"
ICONS = RES / "icons"
HICOLOR_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def tool(name: str, package: str) -> str:
    path = shutil.which(name)
    need(path, f"{name} not installed (apt install {package})")
    return str(path)


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which always comes first after the signature."""
    assert data[:8] == PNG_MAGIC, "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


# -- Linux desktop integration ---------------------------------------------------------------------

def test_desktop_entry_validates():
    validate = tool("desktop-file-validate", "desktop-file-utils")
    result = subprocess.run([validate, str(DESKTOP)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and "error" not in result.stdout.lower(), result.stdout
    text = DESKTOP.read_text(encoding="utf-8")
    # The icon name and the file name are the app id: portals, notifications and the
    # autostart entry all refer to the app by it.
    assert f"Icon={APP_ID}\n" in text
    assert re.search(r"^Exec=trayapp$", text, re.M)


def test_metainfo_validates_and_matches_the_project():
    appstreamcli = tool("appstreamcli", "appstream")
    result = subprocess.run([appstreamcli, "validate", "--no-net", str(METAINFO)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    root = ET.parse(METAINFO).getroot()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == DESKTOP.name
    assert root.findtext("metadata_license") == "CC0-1.0"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert root.findtext("project_license") == project["license"]
    assert root.findtext("provides/binary") in project["scripts"]
    # The newest release listed is the version being packaged.
    assert root.find("releases/release").get("version") == __version__


def test_hicolor_icons_have_their_sizes():
    for n in HICOLOR_SIZES:
        path = ICONS / "hicolor" / f"{n}x{n}" / "apps" / f"{APP_ID}.png"
        assert png_size(path.read_bytes()) == (n, n), path
    for path in (ICONS / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg",
                 ICONS / "hicolor" / "symbolic" / "apps" / f"{APP_ID}-symbolic.svg"):
        assert ET.parse(path).getroot().tag == "{http://www.w3.org/2000/svg}svg", path


def test_windows_ico_parses():
    data = (ICONS / "windows" / "trayapp.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1) and count >= 4
    sizes = set()
    for i in range(count):
        w, h, _, _, planes, bits, length, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * i: 22 + 16 * i])
        w, h = w or 256, h or 256  # 0 means 256
        assert png_size(data[offset:offset + length]) == (w, h) and bits == 32 and planes == 1
        assert offset + length <= len(data)
        sizes.add(w)
    assert {16, 32, 48, 256} <= sizes  # what Explorer, the taskbar and the installer show


def test_macos_icns_and_template_icons():
    data = (ICONS / "macos" / "trayapp.icns").read_bytes()
    assert data[:4] == b"icns" and struct.unpack(">I", data[4:8])[0] == len(data)
    pos, kinds = 8, {}
    while pos < len(data):
        kind, length = data[pos:pos + 4].decode(), struct.unpack(">I", data[pos + 4:pos + 8])[0]
        kinds[kind] = png_size(data[pos + 8:pos + length])
        pos += length
    assert kinds["ic10"] == (1024, 1024) and kinds["ic07"] == (128, 128)

    from PySide6.QtGui import QImage

    for name, n in (("TrayIconTemplate.png", 22), ("TrayIconTemplate@2x.png", 44)):
        image = QImage(str(ICONS / "macos" / name))
        assert (image.width(), image.height()) == (n, n)
        # A template image is black and alpha only: macOS tints it for the menu bar.
        colours = {image.pixelColor(x, y).rgb() & 0xFFFFFF
                   for x in range(n) for y in range(n) if image.pixelColor(x, y).alpha()}
        assert colours == {0}, name


# -- macOS and Windows recipes ---------------------------------------------------------------------

def test_info_plist():
    with (PKG / "macos" / "Info.plist").open("rb") as f:
        info = plistlib.load(f)
    assert info["CFBundleIdentifier"] == APP_ID
    assert info["LSUIElement"] is True  # a menu-bar app: no Dock icon
    assert info["NSHighResolutionCapable"] is True
    assert re.fullmatch(r"\d+\.\d+", info["LSMinimumSystemVersion"])
    assert (ICONS / "macos" / info["CFBundleIconFile"]).is_file()
    assert info["CFBundleExecutable"] == "trayapp"


def test_inno_setup_script_references_existing_files():
    iss = (PKG / "windows" / "trayapp.iss").read_text(encoding="utf-8")
    root = re.search(r'#define Root "([^"]+)"', iss).group(1)
    paths = re.findall(r'(?:Source: |SetupIconFile=)"?(\{#Root\}[^";\n]+)', iss)
    assert len(paths) >= 2
    for raw in paths:
        rel = raw.replace("{#Root}", root).replace("\\", "/")
        path = (PKG / "windows" / rel).resolve()
        if path.is_relative_to(ROOT / "dist"):
            # The PyInstaller output: COLLECT(name="trayapp") in the spec makes dist/trayapp/.
            assert path.relative_to(ROOT / "dist").parts[0] == "trayapp", raw
            continue
        assert path.exists(), raw
    # The login task writes the very value the app's settings checkbox reads and writes.
    assert f'#define RunKey "{autostart.RUN_KEY}"' in iss
    assert f'#define ApprovedKey "{autostart.APPROVED_KEY}"' in iss
    assert f'ValueName: "{APP_NAME}"' in iss and "uninsdeletevalue" in iss
    assert f"RegDeleteValue(HKEY_CURRENT_USER, '{{#RunKey}}', '{APP_NAME}')" in iss


def test_pyinstaller_spec_references_existing_files_and_modules():
    source = (PKG / "trayapp.spec").read_text(encoding="utf-8")
    tree = ast.parse(source)  # the spec is Python; parsed, never run here
    # Module-level `NAME = ROOT / "dir" / "file"` (or built on such a NAME), resolved here.
    known: dict[str, Path] = {"ROOT": ROOT}

    def resolve(node: ast.expr) -> Path | None:
        if isinstance(node, ast.Name):
            return known.get(node.id)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) \
                and isinstance(node.right, ast.Constant):
            base = resolve(node.left)
            return None if base is None else base / node.right.value
        return None

    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            path = resolve(node.value)
            if path is not None and node.targets[0].id != "ROOT":
                known[node.targets[0].id] = path
    paths = [p for name, p in known.items() if name != "ROOT"]
    assert {"ENTRY", "RESOURCES", "ICON_ICO", "ICON_ICNS", "INFO_PLIST"} <= set(known)
    for path in paths:
        assert path.exists(), path
    (hidden,) = [n.value for n in ast.walk(tree) if isinstance(n, ast.Assign)
                 and getattr(n.targets[0], "id", None) == "hiddenimports"]
    names = [e.value for e in hidden.elts if isinstance(e, ast.Constant)]
    assert "keyring.backends.SecretService" in names
    for name in names:  # a typo here would only be a build warning
        assert importlib.util.find_spec(name) is not None, name


def test_flatpak_manifest():
    manifest = PKG / "flatpak" / f"{APP_ID}.yml"
    text = manifest.read_text(encoding="utf-8")
    assert re.search(rf"^id: {re.escape(APP_ID)}$", text, re.M)
    assert re.search(r"^command: trayapp$", text, re.M)
    assert re.search(r"^runtime: org\.kde\.Platform$", text, re.M)
    for arg in ("--share=network", "--socket=wayland", "--socket=fallback-x11", "--share=ipc",
                "--talk-name=org.kde.StatusNotifierWatcher", "--talk-name=org.freedesktop.secrets",
                "--talk-name=org.freedesktop.Notifications"):
        assert re.search(rf"^\s+- {re.escape(arg)}\b", text, re.M), arg
    # Local sources (relative to the manifest) and the repository files the build installs.
    for rel in re.findall(r"^\s+path: (\S+)", text, re.M):
        assert (manifest.parent / rel).exists(), rel
    installed = re.findall(r"\b(resources/[\w./@-]+)", text)
    assert f"resources/{APP_ID}.metainfo.xml" in installed
    for rel in installed:
        assert (ROOT / rel).exists(), rel
    # Every downloaded file is pinned.
    urls = re.findall(r"^\s+url: (\S+)", text, re.M)
    hashes = re.findall(r"^\s+sha256: ([0-9a-f]{64})$", text, re.M)
    assert urls and len(urls) == len(hashes)


def test_packaging_scripts_are_clean():
    """scripts/test lints trayapp, tests and bench; the packaging code is checked here."""
    ruff = Path(sys.executable).with_name("ruff")
    need(ruff.exists(), "ruff not installed in the venv")
    result = subprocess.run([str(ruff), "check", str(PKG)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stdout
    scripts = (PKG / "build-linux", PKG / "linux" / "install.sh", PKG / "macos" / "build-macos")
    for script in scripts:
        assert os.access(script, os.X_OK), script
        check = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr


# -- the PyInstaller bundle ------------------------------------------------------------------------

BUNDLE_TIMEOUT = 600  # the build takes ~30 s here; generous for a slow CI machine


def _newest_source() -> float:
    files = [ROOT / "pyproject.toml", *PKG.glob("*.spec"), PKG / "entry.py",
             *(ROOT / "trayapp").rglob("*.py"), *RES.rglob("*")]
    return max(p.stat().st_mtime for p in files if p.is_file())


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> dict:
    """The built bundle: reused from ./dist when fresh, else built into a temporary dir."""
    need(shutil.which("objdump"), "objdump not installed (apt install binutils)")
    reused = ROOT / "dist" / "trayapp"
    if (reused / "trayapp").exists() and (reused / "trayapp").stat().st_mtime > _newest_source():
        info = {"dir": reused, "build_seconds": None, "reused": True}
    else:
        out = tmp_path_factory.mktemp("bundle")
        env = dict(os.environ, PY=sys.executable, DIST_DIR=str(out / "dist"),
                   BUILD_DIR=str(out / "build"))
        start = time.monotonic()
        result = subprocess.run([str(PKG / "build-linux"), "--no-tar"], env=env, cwd=ROOT,
                                capture_output=True, text=True, timeout=BUNDLE_TIMEOUT - 60)
        seconds = time.monotonic() - start
        assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
        info = {"dir": out / "dist" / "trayapp", "build_seconds": round(seconds, 1),
                "reused": False}
    # PyInstaller links some libraries twice (symlinks): count each file once.
    size = sum(p.stat().st_size for p in info["dir"].rglob("*")
               if p.is_file() and not p.is_symlink())
    info["size_mb"] = round(size / 2**20, 1)
    return info


def _record(bundle: dict, **extra: object) -> None:
    """Merge into bench/results/bundle.json (gitignored), like the other benchmarks' results."""
    path = ROOT / "bench" / "results" / "bundle.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    data.update({"version": __version__, "size_mb": bundle["size_mb"],
                 "reused_dist": bundle["reused"], "machine": f"{os.cpu_count()} cpu", **extra})
    if bundle["build_seconds"] is not None:  # a reused ./dist keeps the last measured build
        data["build_seconds"] = bundle["build_seconds"]
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def _bundle_env(home: Path, **extra: str) -> dict[str, str]:
    for sub in ("config", "data", "runtime"):
        (home / sub).mkdir(mode=0o700, exist_ok=True)
    env = dict(os.environ, XDG_CONFIG_HOME=str(home / "config"),
               XDG_DATA_HOME=str(home / "data"), XDG_RUNTIME_DIR=str(home / "runtime"))
    for var in ("MATON_API_KEY", "TRAYAPP_GATEWAY_URL", "PYTHON_KEYRING_BACKEND"):
        env.pop(var, None)
    env.update(extra)
    return env


@pytest.mark.timeout(BUNDLE_TIMEOUT)
def test_bundle_contents(bundle, capsys):
    internal = bundle["dir"] / "_internal"
    # The desktop files travel with the app (found like in the wheel: trayapp/resources).
    assert (internal / "trayapp" / "resources" / DESKTOP.name).is_file()
    # keyring finds its backends through entry points: its metadata must be there.
    assert list(internal.glob("keyring-*.dist-info/entry_points.txt"))
    # The host's gtk3 platform theme and the gtk stack it drags in are left out.
    assert not list(internal.rglob("libqgtk3.so")) and not (internal / "libgtk-3.so.0").exists()
    # Lazily imported modules made it into the archive.
    from PyInstaller.archive.readers import CArchiveReader

    exe = CArchiveReader(str(bundle["dir"] / "trayapp"))
    (pyz_name,) = [name for name in exe.toc if name.endswith(".pyz")]  # PYZ.pyz in 6.22
    pyz = exe.open_embedded_archive(pyz_name)
    for name in ("keyring.backends.SecretService", "secretstorage", "jeepney.io.blocking",
                 "trayapp.emulator.server", "trayapp.platform.hotkeys.x11",
                 "trayapp.platform.hotkeys.portal", "Xlib.ext.screensaver"):
        assert name in pyz.toc, name
    _record(bundle)
    with capsys.disabled():
        built = ("reused ./dist" if bundle["reused"]
                 else f"built in {bundle['build_seconds']} s")
        print(f"\nbundle: {bundle['size_mb']} MB, {built} -> bench/results/bundle.json")


@pytest.mark.timeout(BUNDLE_TIMEOUT)
def test_bundle_version_without_display(bundle, tmp_path):
    env = _bundle_env(tmp_path)
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        env.pop(var, None)
    start = time.monotonic()
    result = subprocess.run([str(bundle["dir"] / "trayapp"), "--version"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"trayapp {__version__}"
    _record(bundle, version_seconds=round(time.monotonic() - start, 2))


class BundleProcess(AppProcess):
    """The frozen executable instead of `python -m trayapp`; same E2E event reading."""

    def __init__(self, exe: Path, args: list[str], env: dict[str, str]) -> None:
        import queue
        import threading

        self.proc = subprocess.Popen([str(exe), *args], env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        self.events = queue.Queue()
        self.output = []
        threading.Thread(target=self._read, daemon=True).start()


@pytest.mark.timeout(BUNDLE_TIMEOUT)
def test_bundle_demo_shows_the_tray_and_quits_on_sigterm(bundle, x11, tmp_path):
    env = _bundle_env(tmp_path, QT_QPA_PLATFORM="xcb", TRAYAPP_E2E="1", DISPLAY=x11)
    start = time.monotonic()
    app = BundleProcess(bundle["dir"] / "trayapp", ["--demo"], env)
    try:
        ready = app.expect(lambda e: e["event"] == "ready", timeout=30, what="tray icon")
        assert ready["w"] > 0 and ready["h"] > 0  # embedded in the tray host
        ready_s = time.monotonic() - start
        app.expect(lambda e: e["event"] == "state" and e.get("synced"), timeout=30,
                   what="first sync with the demo emulator")
        synced_s = time.monotonic() - start
        app.proc.send_signal(signal.SIGTERM)
        assert app.proc.wait(15) == 0, "\n".join(app.output[-30:])
    finally:
        app.close()
    _record(bundle, demo_ready_seconds=round(ready_s, 2), demo_synced_seconds=round(synced_s, 2))


@pytest.mark.timeout(BUNDLE_TIMEOUT)
def test_bundle_reads_the_key_from_the_secret_service(bundle, session_bus, emulator, tmp_path):
    """A one-shot `trayapp status` from the bundle: keyring, secretstorage, jeepney and
    cryptography must all work frozen to get the key out of gnome-keyring."""
    import keyring
    from keyring.backends import SecretService

    from trayapp import secrets

    store = SecretService.Keyring()
    try:
        store.set_password(secrets.SERVICE, secrets.ACCOUNT, TEST_KEY)
    except keyring.errors.KeyringError as exc:
        need(False, f"no usable Secret Service: {exc}")
    try:
        env = _bundle_env(tmp_path, TRAYAPP_GATEWAY_URL=emulator.base_url)
        result = subprocess.run([str(bundle["dir"] / "trayapp"), "status", "--json"], env=env,
                                capture_output=True, text=True, timeout=60)
    finally:
        store.delete_password(secrets.SERVICE, secrets.ACCOUNT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert isinstance(json.loads(result.stdout), dict)
    # The request reached the emulator with the key from the keyring.
    assert emulator.requests, "the bundle made no request"
