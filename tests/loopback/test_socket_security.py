"""The command socket against another local user: the folder it lives in must be ours alone,
and each end checks who is at the other (a second uid, 65534, plays the other user; CI runs
as root so it can). Also, same-user lines the app cannot use get a clear answer at once."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from trayapp import ipc

from ..conftest import TEST_KEY
from ..support.e2e import AppProcess, cli, env_for, wait_for_socket

OTHER = 65534  # nobody: the other local user
BOUND = 10  # seconds any step of these tests may take


def need_root() -> None:
    """Fail, not skip: without a second uid these tests prove nothing."""
    if os.geteuid() != 0:
        pytest.fail("this test plays a second local user (uid 65534): run it as root")


def other_user_python() -> str:
    """An interpreter the other user may run (a venv under /root is out of its reach)."""
    for candidate in (sys.executable, shutil.which("python3"), "/usr/bin/python3"):
        if candidate and _runs_as_other(candidate):
            return candidate
    pytest.fail("no Python interpreter that uid 65534 may run")


def _runs_as_other(python: str) -> bool:
    try:
        done = subprocess.run([python, "-I", "-c", "pass"], user=OTHER, group=OTHER,
                              extra_groups=[], cwd="/", capture_output=True, timeout=BOUND)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def as_other(code: str, *args: str, stdin: int | None = None) -> subprocess.Popen:
    return subprocess.Popen([other_user_python(), "-I", "-c", code, *args], user=OTHER,
                            group=OTHER, extra_groups=[], cwd="/", stdin=stdin,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


# Run as the other user: a folder open to all with a socket in it that takes any command and
# answers that it was done. Prints "ready", and at the end (stdin closed) what it received.
FAKE_APP = r"""
import json, os, select, socket, sys
folder, path = sys.argv[1], sys.argv[2]
os.makedirs(folder, exist_ok=True)
os.chmod(folder, 0o777)
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(path)
os.chmod(path, 0o777)
server.listen(8)
print("ready", flush=True)
received = []
while True:
    readable, _, _ = select.select([server, sys.stdin], [], [], 20)
    if not readable or sys.stdin in readable:
        break
    conn, _ = server.accept()
    conn.settimeout(2)
    try:
        received.append(conn.recv(65536).decode(errors="replace"))
        conn.sendall(b'{"ok": true, "exit": 0, "message": "Done (fake)"}\n')
    except OSError:
        pass
    conn.close()
print(json.dumps(received), flush=True)
"""


class FakeApp:
    """FAKE_APP, run as the other user, listening at `path`."""

    def __init__(self, folder: Path, path: Path) -> None:
        self.proc = as_other(FAKE_APP, str(folder), str(path), stdin=subprocess.PIPE)
        assert self.proc.stdout is not None
        ready = self.proc.stdout.readline().strip()
        if ready != "ready":
            self.proc.kill()
            raise AssertionError(f"the fake app did not start: {self.proc.communicate()}")

    def received(self) -> list[str]:
        """Stop it; every line that reached it."""
        out, err = self.proc.communicate("", timeout=BOUND)
        assert self.proc.returncode == 0, err
        return json.loads(out)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(BOUND)


@pytest.fixture
def shared_tmp():
    """A temp dir like /tmp (sticky, open to all), that the other user can reach: pytest's
    own tmp_path sits under a folder private to root."""
    path = Path(tempfile.mkdtemp(prefix="trayapp-socket-"))
    path.chmod(0o1777)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def one_line_refusal(out: subprocess.CompletedProcess) -> str:
    assert out.returncode == 1, (out.stdout, out.stderr)
    assert "Traceback" not in out.stderr and out.stderr.count("\n") == 1, out.stderr
    assert out.stderr.startswith("trayapp: ") and out.stdout == ""
    return out.stderr


# -- the socket's folder --------------------------------------------------------------------------


def test_a_command_never_goes_to_a_folder_another_user_made_first(home, emulator, shared_tmp):
    """No runtime dir: the socket's folder is under the temp dir, where anyone can make it
    first. The command is refused, not sent there, and not done one-shot either."""
    need_root()
    folder = shared_tmp / f"trayapp-{os.getuid()}"
    fake = FakeApp(folder, folder / "ipc.sock")
    try:
        env = env_for(home, emulator.base_url)
        del env["XDG_RUNTIME_DIR"]
        env["TMPDIR"] = str(shared_tmp)
        out = subprocess.run([sys.executable, "-m", "trayapp", "start", "Secret meeting"],
                             env=env, capture_output=True, text=True, timeout=BOUND * 3)
        received = fake.received()
    finally:
        fake.close()
    error = one_line_refusal(out)
    assert str(folder) in error and "another user" in error
    assert not any(received)  # not a byte of the command
    assert not [x for x in emulator.toggl.entries if x["description"] == "Secret meeting"]


def test_a_runtime_subfolder_owned_by_another_user_is_refused(home, emulator):
    need_root()
    folder = home / "runtime" / "trayapp"
    folder.mkdir(mode=0o700)
    os.chown(folder, OTHER, OTHER)
    error = one_line_refusal(cli(home, emulator.base_url, "status", timeout=BOUND * 3))
    assert str(folder) in error and "another user" in error


@pytest.mark.parametrize("shape", ["symlink", "open-mode", "file"])
def test_a_socket_folder_that_is_not_a_private_folder_is_refused(tmp_path, monkeypatch, shape):
    """Ours, but a link to elsewhere, open to others, or not a folder: refused, one line."""
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    folder = runtime / "trayapp"
    if shape == "symlink":
        (tmp_path / "elsewhere").mkdir(mode=0o700)
        folder.symlink_to(tmp_path / "elsewhere")
    elif shape == "open-mode":
        folder.mkdir()
        folder.chmod(0o755)
    else:
        folder.write_text("")
    with pytest.raises(ipc.UnsafeSocket) as refused:
        ipc.address()
    assert str(folder) in str(refused.value) and "\n" not in str(refused.value)
    answer = ipc.send({"command": "status", "args": {}})
    assert answer is not None and answer["ok"] is False and answer["exit"] == 1
    assert answer["error"] == str(refused.value)


def test_a_missing_socket_folder_is_made_private(tmp_path, monkeypatch):
    """Made 0700 whatever the umask, under the temp dir too."""
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    previous = os.umask(0)
    try:
        path = Path(ipc.address())
    finally:
        os.umask(previous)
    assert path.parent == tmp_path / f"trayapp-{os.getuid()}"
    assert (path.parent.stat().st_mode & 0o777) == 0o700


# -- who is at the other end ----------------------------------------------------------------------


def test_a_socket_answered_by_another_user_gets_no_command(home, emulator, shared_tmp):
    """Our own private folder, yet another user's process listens there (put in place by
    root here: nobody else could): the command line sees who answers and sends nothing."""
    need_root()
    folder = home / "runtime" / "trayapp"
    folder.mkdir(mode=0o700)
    staging = shared_tmp / "staging"
    fake = FakeApp(staging, staging / "ipc.sock")
    try:
        (staging / "ipc.sock").rename(folder / "ipc.sock")  # the socket stays the same
        out = cli(home, emulator.base_url, "start", "Secret meeting", timeout=BOUND * 3)
        received = fake.received()
    finally:
        fake.close()
    error = one_line_refusal(out)
    assert "another user (uid 65534)" in error.lower() and "not sent" in error
    assert not any(received)  # not a byte of the command
    assert not [x for x in emulator.toggl.entries if x["description"] == "Secret meeting"]


# Run as the other user: connect to the app's socket, send a command, print what came back.
INTRUDER = r"""
import socket, sys
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.settimeout(5)
sock.connect(sys.argv[1])
try:
    sock.sendall(b'{"command": "start", "args": {"description": "From another user"}}\n')
    answer = sock.makefile("rb").readline()
except (ConnectionResetError, BrokenPipeError):  # closed with the line unread
    answer = b""
except TimeoutError:
    answer = b"(no answer, still connected)"
print(repr(answer))
"""


def app_home(shared_tmp: Path) -> Path:
    """A home the other user can reach (ours, in a folder open to all)."""
    home = shared_tmp / "home"
    home.mkdir(mode=0o700)
    for sub in ("config", "data", "runtime"):
        (home / sub).mkdir(mode=0o700)
    return home


def running_app(home: Path, emulator) -> AppProcess:
    env = {"MATON_API_KEY": TEST_KEY, "TRAYAPP_GATEWAY_URL": emulator.base_url,
           "QT_QPA_PLATFORM": "offscreen",
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    app = AppProcess([], env, home)
    try:
        app.expect(lambda ev: ev["event"] == "state" and ev["synced"], what="first sync")
        wait_for_socket(home)
    except BaseException:
        app.close()
        raise
    return app


def test_the_app_drops_a_connection_from_another_user(emulator, shared_tmp):
    """The folder opened up by mistake (here by the test): the app still takes no command
    from another user, says so in its log, and goes on serving its own."""
    need_root()
    home = app_home(shared_tmp)
    app = running_app(home, emulator)
    try:
        sock = home / "runtime" / "trayapp" / "ipc.sock"
        for folder in (home, home / "runtime", sock.parent):
            folder.chmod(0o711)
        sock.chmod(0o777)
        started = time.monotonic()
        intruder = as_other(INTRUDER, str(sock))
        out, err = intruder.communicate(timeout=BOUND)
        assert intruder.returncode == 0, err
        assert out.strip() == "b''" and time.monotonic() - started < 5  # dropped, not held
        assert any(f"uid {OTHER}" in line for line in app.output), app.tail()

        sock.parent.chmod(0o700)
        out = cli(home, emulator.base_url, "status", timeout=BOUND * 3)
        assert out.returncode == 0, out.stderr
        assert "Traceback" not in app.tail()
    finally:
        app.close()
    assert not [x for x in emulator.toggl.entries if x["description"] == "From another user"]


# -- same-user lines the app cannot use -----------------------------------------------------------


def test_unusable_lines_of_our_own_user_are_answered_at_once(home, emulator):
    """Lines the command line never sends get a clear answer within a second or two (exit
    2; an unknown service is refused by the rule that picks the service), never the command
    line's 10 s wait nor an internal error."""
    app = running_app(home, emulator)
    try:
        path = str(home / "runtime" / "trayapp" / "ipc.sock")
        for line in (b'{"command": "status", "args": {"service": "nope"}}\n',
                     b'{"command": "start", "args": {"service": "jira"}}\n'):
            answer, took = _ask_timed(path, line)
            assert answer["ok"] is False and answer["exit"] in (1, 2), (line, answer)
            assert "Unknown service" in answer["error"] and took < 3, (line, answer, took)
        for line in (b'{"command": "start", "args": {"description": ["a"]}}\n',
                     b'{"command": "start", "args": {"project": {"x": 1}}}\n',
                     b'{"command": "start", "args": "text"}\n',
                     b'{"command": 7}\n',
                     b'{"command": "rm -rf"}\n',
                     b'"just a string"\n',
                     b'{"command": "start", "args": {"description": "\xff\xfe"}}\n',
                     b"\xc3\x28\n"):
            answer, took = _ask_timed(path, line)
            assert answer["ok"] is False and answer["exit"] == 2, (line, answer)
            assert "Internal" not in answer["error"] and took < 3, (line, answer, took)
        assert "Traceback" not in app.tail()
    finally:
        app.close()


def _ask_timed(path: str, line: bytes) -> tuple[dict, float]:
    """The app's answer to one raw line, and how long it took."""
    started = time.monotonic()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(BOUND)
        sock.connect(path)
        sock.sendall(line)
        answer = json.loads(sock.makefile("rb").readline())
    return answer, time.monotonic() - started
