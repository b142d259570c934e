"""The entries requests as the local socket receives them: shapes checked before use; `edit`
with an id is the command line's edit, without it the Edit window."""

from __future__ import annotations

import pytest

from trayapp.control.actions import Request, UsageError
from trayapp.control.windows import is_window


@pytest.mark.parametrize("args", [{"start": 5}, {"id": ["x"]}, {"week": "yes"},
                                  {"no_project": 1}, {"at": {"a": 1}}])
def test_bad_shapes_are_refused(args):
    with pytest.raises(UsageError):
        Request.from_message({"command": "add", "args": args})


def test_good_shapes_pass():
    request = Request.from_message({"command": "entries", "args": {"week": True}})
    assert request.args == {"week": True}
    Request.from_message({"command": "split", "args": {"id": "12", "at": "-5m"}})


def test_edit_with_an_id_is_not_a_window():
    assert is_window("edit", {}) and not is_window("edit", {"id": "12"})
