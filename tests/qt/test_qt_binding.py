"""Guards against a broken Qt binding. PySide6 6.12.0 (on Python 3.11) drops a reference to
None on every call of a method returning void; a tray that updates its tooltip every second
then aborts with "none_dealloc" after about an hour. pyproject.toml excludes that version;
this test catches any other release with the same fault before users do."""

import sys

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel


def test_void_calls_do_not_leak_references_to_none(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    obj = QObject()
    before = sys.getrefcount(None)
    for _ in range(2000):
        obj.setObjectName("x")
        label.setText("x")
        label.setToolTip("y")
    assert abs(sys.getrefcount(None) - before) < 100
