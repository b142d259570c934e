"""The catalog commands of DESIGN.md ("Catalog") one-shot on both services against the
emulator: list (--json shape), add, rename, archive, restore, delete (asks, or --yes), names
exactly but case-insensitively with suggestions, and what each does on the service."""

from __future__ import annotations

import json

import pytest

from ..support.e2e import cli

SERVICES = ["toggl-track", "clockify"]


def run(home, emulator, service, *args):
    return cli(home, emulator.base_url, "--service", service, *args)


def listed(home, emulator, service, kind, *extra):
    out = run(home, emulator, service, kind, "list", "--json", *extra)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def server_projects(emulator, service):
    if service == "toggl-track":
        return {p["name"]: p["active"] for p in emulator.toggl.projects}
    return {p["name"]: not p["archived"] for p in emulator.clockify.projects}


@pytest.mark.parametrize("service", SERVICES)
def test_project_list_add_rename_archive_restore_delete(home, emulator, service):
    rows = listed(home, emulator, service, "project")
    assert rows and all({"id", "name", "archived", "client", "color", "billable"} <= set(r)
                        for r in rows)
    assert not any(r["archived"] for r in rows)

    out = run(home, emulator, service, "project", "add", "Garden", "--color", "#0b83d9")
    assert out.returncode == 0, out.stderr
    assert server_projects(emulator, service).get("Garden") is True  # active on the service
    out = run(home, emulator, service, "project", "add", "garden")
    assert out.returncode == 1 and "exists already" in out.stderr

    out = run(home, emulator, service, "project", "rename", "GARDEN", "Orchard")
    assert out.returncode == 0, out.stderr
    assert "Orchard" in server_projects(emulator, service)

    assert run(home, emulator, service, "project", "archive", "orchard").returncode == 0
    assert server_projects(emulator, service)["Orchard"] is False
    assert "Orchard" not in [r["name"] for r in listed(home, emulator, service, "project")]
    every = listed(home, emulator, service, "project", "--archived")
    assert [r["archived"] for r in every if r["name"] == "Orchard"] == [True]
    assert run(home, emulator, service, "project", "restore", "Orchard").returncode == 0
    assert server_projects(emulator, service)["Orchard"] is True

    out = run(home, emulator, service, "project", "delete", "Orchard")  # stdin: no terminal
    assert out.returncode == 2 and "--yes" in out.stderr
    assert "Orchard" in server_projects(emulator, service)
    out = run(home, emulator, service, "project", "delete", "Orchard", "--yes")
    assert out.returncode == 0, out.stderr
    assert "Orchard" not in server_projects(emulator, service)


@pytest.mark.parametrize("service", SERVICES)
def test_unknown_names_suggest_and_change_nothing(home, emulator, service):
    before = server_projects(emulator, service)
    out = run(home, emulator, service, "project", "rename", "Websit", "X")
    assert out.returncode == 1 and "No project named “Websit”" in out.stderr
    assert "Did you mean “" in out.stderr and "Website" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert server_projects(emulator, service) == before
    out = run(home, emulator, service, "client", "add", "")
    assert out.returncode == 2


@pytest.mark.parametrize("service", SERVICES)
def test_clients_and_tags(home, emulator, service):
    assert run(home, emulator, service, "client", "add", "Hooli").returncode == 0
    assert "Hooli" in [r["name"] for r in listed(home, emulator, service, "client")]
    out = run(home, emulator, service, "project", "add", "Portal", "--client", "hooli")
    assert out.returncode == 0, out.stderr
    rows = listed(home, emulator, service, "project")
    assert [r["client"] for r in rows if r["name"] == "Portal"] == ["Hooli"]
    assert run(home, emulator, service, "client", "rename", "Hooli", "Pied Piper").returncode == 0
    rows = listed(home, emulator, service, "project")
    assert [r["client"] for r in rows if r["name"] == "Portal"] == ["Pied Piper"]
    assert run(home, emulator, service, "client", "delete", "Pied Piper", "--yes").returncode == 0
    rows = listed(home, emulator, service, "project")
    assert [r["client"] for r in rows if r["name"] == "Portal"] == [None]

    assert run(home, emulator, service, "tag", "add", "Errand").returncode == 0
    assert run(home, emulator, service, "tag", "rename", "errand", "Chore").returncode == 0
    names = [r["name"] for r in listed(home, emulator, service, "tag")]
    assert "Chore" in names and "Errand" not in names
    assert run(home, emulator, service, "tag", "delete", "Chore", "--yes").returncode == 0
    assert "Chore" not in [r["name"] for r in listed(home, emulator, service, "tag")]


def test_tasks_on_clockify(home, emulator):
    svc = "clockify"
    assert run(home, emulator, svc, "task", "add", "Website", "Copy").returncode == 0
    rows = listed(home, emulator, svc, "task", "Website")
    assert [(r["project"], r["done"]) for r in rows if r["name"] == "Copy"] == [("Website", False)]
    assert run(home, emulator, svc, "task", "rename", "Website", "copy", "Texts").returncode == 0
    assert run(home, emulator, svc, "task", "done", "Website", "Texts").returncode == 0
    rows = listed(home, emulator, svc, "task", "Website", "--archived")
    assert [r["done"] for r in rows if r["name"] == "Texts"] == [True]
    assert "Texts" not in [r["name"] for r in listed(home, emulator, svc, "task", "Website")]
    assert run(home, emulator, svc, "task", "add", "Website", "Again").returncode == 0
    out = run(home, emulator, svc, "task", "delete", "Website", "Again", "--yes")
    assert out.returncode == 0, out.stderr  # marked done first, as Clockify demands
    assert "Again" not in {t["name"] for t in emulator.clockify.tasks}


def test_toggl_has_no_tasks(home, emulator):
    out = run(home, emulator, "toggl-track", "task", "list", "Website")
    assert out.returncode == 2 and "no tasks" in out.stderr


def test_through_the_running_app_the_same(home, emulator):
    from .test_cli import running_app

    app = running_app(home, emulator)
    try:
        out = cli(home, emulator.base_url, "project", "add", "Via app", "--client", "Acme")
        assert out.returncode == 0, out.stderr
        rows = json.loads(cli(home, emulator.base_url, "project", "list", "--json").stdout)
        assert [r["client"] for r in rows if r["name"] == "Via app"] == ["Acme"]
        assert "Via app" in server_projects(emulator, "toggl-track")
        out = cli(home, emulator.base_url, "project", "rename", "Acme / via app", "Via socket")
        assert out.returncode == 0, out.stderr
        out = cli(home, emulator.base_url, "project", "rename", "Nope", "X")
        assert out.returncode == 1 and "No project named “Nope”" in out.stderr
        out = cli(home, emulator.base_url, "project", "delete", "Via socket", "--yes")
        assert out.returncode == 0, out.stderr
        assert "Via socket" not in server_projects(emulator, "toggl-track")
        out = cli(home, emulator.base_url, "task", "list", "Website")
        assert out.returncode == 2 and "no tasks" in out.stderr
    finally:
        app.close()


def test_an_add_the_service_refuses_does_not_say_added(home, emulator):
    """The emulator refuses a second "Website" (under no client): the reply names the
    refusal, never "Added", and the refused project is not kept: no phantom "Website" is
    left to make the next command's name ambiguous, nor a problem to clear by hand."""
    out = cli(home, emulator.base_url, "project", "add", "Website")
    assert out.returncode == 1, (out.stdout, out.stderr)
    assert "Added" not in out.stdout and "Name has already been taken" in out.stderr
    names = [p["name"] for p in json.loads(
        cli(home, emulator.base_url, "project", "list", "--json").stdout)]
    assert names.count("Website") == 1
    status = json.loads(cli(home, emulator.base_url, "status", "--json").stdout)
    assert status["problems"] == [] and status["pending"] == 0
