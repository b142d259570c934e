"""The house's rules, read from the imports (lazy ones included): dependencies point down,
the Qt-free layers never import Qt, and the windows never reach the HTTP client or the
database."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "trayapp"
QT = "Qt"

# Each part of trayapp (a package or a top-level module) and what it may import.
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "files": set(),
    "paths": set(),
    "ipc": set(),
    "emulator": set(),
    "api": {"core"},
    "store": {"core"},
    "secrets": {"core"},
    "logs": {"core", "paths"},
    "sync": {"core", "api", "store"},
    "config": {"core", "api", "files", "paths"},
    "control": {"core", "api", "store", "sync", "config", "secrets", "paths", "logs",
                "emulator"},
    "worker": {"core", QT},
    "qt_imports": {QT},
    "platform": {"files", "ipc", QT},
    "runtime": {"core", "sync", "control", "worker", QT},
    "execution": {"core", "sync", "control", "app", QT},  # app: for its type only
    "ui": {"core", "sync", "control", "config", "platform", "paths", QT},
    "app": {"core", "sync", "control", "config", "platform", "ui", "worker", "runtime", "ipc",
            "logs", "execution", QT},
    "gui": {"app", "ui", "worker", "logs", "qt_imports", "secrets", QT},
    "cli_args": {"core"},
    "cli": {"core", "control", "emulator", "gui", "ipc", "secrets", "cli_args"},
    "__main__": {"cli"},
}


def part_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "trayapp"


def imports(path: Path, package_dir: Path = PACKAGE) -> set[str]:
    """The parts of trayapp (and Qt) that the file imports."""
    module = ".".join(path.relative_to(package_dir.parent).with_suffix("").parts)
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            target = ".".join([*base, node.module] if node.module else base)
            # `from .. import logs`: modules of the package; `from .. import APP_ID`: the
            # package's own names (its __init__, open to everyone).
            targets = ([f"{target}.{a.name}" for a in node.names
                        if (package_dir / f"{a.name}.py").exists()
                        or (package_dir / a.name).is_dir()] if target == "trayapp"
                       else [target])
        else:
            continue
        for target in targets:
            if target.startswith("PySide6") or target.startswith("shiboken6"):
                found.add(QT)
            elif target.startswith("trayapp."):
                found.add(part_of(target))
    return found


def test_every_part_imports_only_what_lies_below_it():
    broken = []
    for path in sorted(PACKAGE.rglob("*.py")):
        part = part_of(".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts))
        if part in ("trayapp", "__init__"):
            continue
        assert part in ALLOWED, f"{path}: a new part of the house; add it to ALLOWED"
        extra = imports(path) - ALLOWED[part] - {part}
        if extra:
            broken.append(f"{path.relative_to(PACKAGE.parent)} imports {sorted(extra)}")
    assert not broken, "\n".join(broken)


def test_the_rule_sees_what_a_file_imports(tmp_path):
    fake = tmp_path / "trayapp" / "ui"
    fake.mkdir(parents=True)
    (tmp_path / "trayapp" / "secrets.py").write_text("")
    (fake / "bad.py").write_text("from ..store.db import Store\n"
                                 "def later():\n    from .. import secrets\n"
                                 "    import PySide6.QtCore\n")
    assert imports(fake / "bad.py", tmp_path / "trayapp") == {"store", "secrets", QT}
