"""Quick entry: the syntax, matching names against the catalog, and what is said when a name
does not match."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trayapp.core.models import EntryDraft, Project, Tag, Task
from trayapp.core.quick_entry import (
    Known,
    compose,
    match_rank,
    mention_text,
    natural_key,
    parse,
    replace_mention,
    resolve,
    understand,
)

PROJECTS = (
    Project("p1", "w", "Website", "#e91e63", "c1", "Acme"),
    Project("p2", "w", "Design", "#2196f3", "c1", "Acme"),
    Project("p3", "w", "Design", "#4caf50", "c2", "Globex"),
    Project("p4", "w", "Client Work", "#9e9e9e", billable=True),
    Project("p5", "w", "Old stuff", "#000000", active=False),
    Project("p6", "w", "2024", "#000000"),
)
TAGS = (Tag("t1", "w", "bug"), Tag("t2", "w", "Review"), Tag("t3", "w", "code review"))
TASKS = (Task("k1", "p1", "Testing"), Task("k2", "p1", "Build"), Task("k3", "p2", "Testing"),
         Task("k4", "p4", "Deploy"))


# -- the syntax ---------------------------------------------------------------------------------

def test_the_example_of_the_issue():
    parsed = parse("Fix login @Website #bug +Testing $")
    assert parsed.description == "Fix login"
    assert (parsed.project, parsed.tags, parsed.task, parsed.billable) == (
        "Website", ("bug",), "Testing", True)


@pytest.mark.parametrize("text, description", [
    ("mail bob@example.com", "mail bob@example.com"),  # a mark counts at a word's start only
    ("issue #12 and PR +3", "issue #12 and PR +3"),  # digits alone: text
    ("C++ or C#", "C++ or C#"),
    ("costs $5", "costs $5"),  # only a lone $ is billable
    ("meet @ 5 # + ok", "meet @ 5 # + ok"),  # a mark alone is text
    (r"ping \@bob about \#general \$", "ping @bob about #general $"),  # escaped
    (r"a \\@b", r"a \@b"),
    ("  spaced   out\twords\n", "spaced out words"),
])
def test_text_that_stays_text(text, description):
    parsed = parse(text)
    assert parsed.description == description
    assert parsed.mentions == () and not parsed.billable


def test_quoted_names_with_spaces_and_an_open_quote_while_typing():
    parsed = parse('Call @"Client Work" #"code review" +"Phase 2" about it')
    assert parsed.fields == ("Call about it", ("Client Work",), ("code review",), ("Phase 2",),
                             False)
    assert parse('x @"Client Wo').project == "Client Wo"
    assert parse(r'x #"say \"hi\""').tags == ('say "hi"',)
    assert parse('#"2024" @""').fields == ('@""', (), ("2024",), (), False)


def test_known_names_with_spaces_need_no_quotes_longest_wins():
    known = Known.of(PROJECTS, TAGS, TASKS)
    parsed = parse("Call @Client Work now #code review", known)
    assert parsed.fields == ("Call now", ("Client Work",), ("code review",), (), False)
    # "Acme / Design" and "Acme/Design" both name the project under its client.
    assert parse("x @Acme / Design y", known).project == "Acme / Design"
    assert parse("x @Acme/Design y", known).project == "Acme/Design"
    # Without the catalog the name is one word and the rest stays text.
    assert parse("Call @Client Work now").fields == ("Call Work now", ("Client",), (), (),
                                                     False)


def test_digits_are_a_name_when_the_catalog_has_it():
    known = Known.of(PROJECTS, TAGS, TASKS)
    assert parse("plan @2024", known).project == "2024"
    assert parse("plan @2024").description == "plan @2024"


def test_mentions_keep_where_they_were_written_for_rewriting():
    text = "Fix @Webiste now"
    mention = parse(text).mentions[0]
    assert text[mention.start:mention.end] == "@Webiste"
    assert replace_mention(text, mention, "@Website") == "Fix @Website now"


@pytest.mark.parametrize("kind, name, text", [
    ("project", "Website", "@Website"),
    ("project", "Acme / Design", '@"Acme / Design"'),
    ("tag", "12", '#"12"'),
    ("task", 'say "hi" now', r'+"say \"hi\" now"'),
])
def test_mention_text(kind, name, text):
    assert mention_text(kind, name) == text
    assert parse(text).names(kind) == (name,)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab @#+$"\\ \t2/é\x00')), max_size=40)
       | st.text(max_size=60))
def test_parse_never_raises_and_its_fields_round_trip(text):
    parsed = parse(text)
    assert parsed.description == parsed.description.strip()
    again = parse(compose(*parsed.fields))
    assert again.fields == parsed.fields
    known = Known.of(PROJECTS, TAGS, TASKS)
    parse(text, known)  # never raises with names known either
    understand(text, PROJECTS, TAGS, TASKS)


# -- resolving ----------------------------------------------------------------------------------

def test_resolve_exact_case_insensitive_takes_the_catalogs_spelling():
    found = understand("Fix login @website #BUG #review +testing $", PROJECTS, TAGS, TASKS)
    assert found.problems == ()
    assert found.draft() == EntryDraft(description="Fix login", project_id="p1", task_id="k1",
                                       tags=("bug", "Review"), billable=True)


def test_unknown_project_says_so_with_choices():
    found = understand("Fix @Webiste", PROJECTS, TAGS)
    (problem,) = found.problems
    assert problem.message == "No project named 'Webiste'. Did you mean: Acme / Website?"
    assert problem.blocking and found.blocked and found.project is None
    assert [c.text for c in problem.choices] == ["@Website"]
    fixed = replace_mention("Fix @Webiste", problem.mention, problem.choices[0].text)
    assert understand(fixed, PROJECTS, TAGS).project.id == "p1"


def test_ambiguous_project_lists_both_and_client_slash_project_picks_one():
    found = understand("Sketch @Design", PROJECTS, TAGS)
    (problem,) = found.problems
    assert problem.message == "'Design' matches 2 projects: Acme / Design, Globex / Design"
    assert [c.text for c in problem.choices] == ['@"Acme / Design"', '@"Globex / Design"']
    assert understand('Sketch @"globex / design"', PROJECTS, TAGS).project.id == "p3"
    assert understand("Sketch @Globex/Design", PROJECTS, TAGS).project.id == "p3"


def test_archived_project_is_a_problem():
    found = understand("x @Old stuff", PROJECTS, TAGS)
    assert found.blocked and "archived" in found.problems[0].message


def test_new_tag_is_said_but_not_blocking():
    found = understand("x #bgu", PROJECTS, TAGS)
    (problem,) = found.problems
    assert not problem.blocking and not found.blocked
    assert problem.message == "New tag 'bgu' will be created. Did you mean: bug?"
    assert found.tags == ("bgu",)


def test_tasks_within_the_project_or_alone_when_only_one_project_has_it():
    assert understand("x @Website +Build", PROJECTS, TAGS, TASKS).task.id == "k2"
    alone = understand("x +Deploy", PROJECTS, TAGS, TASKS)
    assert (alone.project.id, alone.task.id, alone.billable) == ("p4", "k4", True)
    both = understand("x +Testing", PROJECTS, TAGS, TASKS)
    (problem,) = both.problems
    assert problem.message == ("'Testing' matches 2 tasks: Acme / Design: Testing, "
                               "Acme / Website: Testing")
    assert problem.choices[1].text == '+Testing @Website'
    wrong = understand("x @Website +Deploy", PROJECTS, TAGS, TASKS)
    assert wrong.problems[0].message == "No task named 'Deploy' in Acme / Website."


def test_a_task_where_the_service_has_none():
    found = understand("x +Build", PROJECTS, TAGS, None)
    assert found.blocked and "no tasks" in found.problems[0].message


def test_two_projects_is_a_problem():
    found = understand("x @Website @Client Work", PROJECTS, TAGS)
    assert found.blocked and "More than one project" in found.problems[-1].message


def test_billable_follows_the_project_unless_given():
    assert understand("x @Client Work", PROJECTS).billable
    assert not understand("x @Website", PROJECTS).billable
    found = understand("x @Website $", PROJECTS)
    assert found.billable and found.billable_given


# -- ranking and natural order ------------------------------------------------------------------

def test_natural_order_and_rank():
    names = ["Project 10", "Project 2", "project 1", "Project 11"]
    assert sorted(names, key=natural_key) == ["project 1", "Project 2", "Project 10",
                                              "Project 11"]
    assert match_rank("number 3", "Project number 3") == 2
    assert match_rank("number 3", "Project number 13") == 3
    assert match_rank("project", "Project number 13") == 1
    assert match_rank("project number 3", "Project number 3") == 0
    assert match_rank("zzz", "Project") is None


def test_resolve_on_its_own_parse():
    found = resolve(parse('Call @"Client Work" #"code review"'), PROJECTS, TAGS)
    assert (found.project.id, found.tags, found.problems) == ("p4", ("code review",), ())
