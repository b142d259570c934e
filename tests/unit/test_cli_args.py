"""The command line's arguments: --service and --json before or after the command (a
DESIGN.md contract), and what each request carries."""

from __future__ import annotations

import pytest

from trayapp.cli_args import build_parser, request_of


@pytest.mark.parametrize("argv", [
    ["--service", "clockify", "--json", "status"],
    ["status", "--service", "clockify", "--json"],
    ["--json", "status", "--service", "clockify"],
    ["--service", "clockify", "status", "--json"],
])
def test_shared_options_go_before_or_after_the_command(argv):
    args = build_parser().parse_args(argv)
    assert request_of(args) == {"command": "status",
                                "args": {"service": "clockify", "json": True}}


def test_a_start_request():
    args = build_parser().parse_args(["start", "Report", "--project", "Acme / Web",
                                      "--tags", "a,b", "--billable", "--service", "toggl-track"])
    assert request_of(args) == {"command": "start", "args": {
        "description": "Report", "project": "Acme / Web", "tags": "a,b", "billable": True,
        "service": "toggl-track"}}


def test_no_command_activates_the_app():
    assert request_of(build_parser().parse_args([])) == {"command": "activate", "args": {}}


def test_a_bad_service_is_bad_usage(capsys):
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args(["status", "--service", "harvest"])
    assert info.value.code == 2 and "invalid choice" in capsys.readouterr().err


def test_bytes_that_are_not_utf8_are_refused(capsys):
    from trayapp.cli import main

    assert main(["start", "bad\udcff\udcfebytes"]) == 2
    assert "not valid UTF-8" in capsys.readouterr().err


def test_descriptions_are_checked_and_printed_safely():
    from trayapp.control.actions import UsageError, checked_description, printable

    assert checked_description("  Report  ") == "Report"
    for bad in ("a" * 3001, "nul\x00byte", "escape\x1b[31m"):
        with pytest.raises(UsageError):
            checked_description(bad)
    assert printable("red\x1b[31m bell\x07") == "red?[31m bell?"


@pytest.mark.parametrize("argv", [
    [], ["--demo"], ["-v", "status", "--json"], ["start", "Report", "--project", "Acme / Web",
                                                "--tags", "a,b", "--billable", "--at", "9:05"],
    ["--service", "clockify", "stop", "--at", "14:30"], ["entries", "--week", "--json"],
    ["add", "x", "--start", "9:00", "--duration", "1h"], ["edit", "12", "--no-project"],
    ["project", "add", "Site", "--client", "Acme"], ["task", "done", "Site", "Deploy"],
    ["workspace", "Side"], ["connect", "clockify"], ["emulator", "--port", "0"],
    ["start", "status"],  # a command's name as a description
])
def test_a_parser_made_for_the_words_given_reads_them_as_the_whole_one(argv):
    """build_parser(wanted=argv) gives only the commands named their options (a start-up
    saving): what it reads must be exactly what the whole parser reads."""
    assert vars(build_parser(wanted=argv).parse_args(argv)) == vars(build_parser().parse_args(argv))


def test_the_help_lists_every_command_whatever_was_given(capsys):
    for parser in (build_parser(), build_parser(wanted=["--help"])):
        with pytest.raises(SystemExit):
            parser.parse_args(["--help"])
    whole, lean = capsys.readouterr().out.split("usage:")[1:]
    assert whole == lean and "timesheet" in whole and "emulator" in whole
