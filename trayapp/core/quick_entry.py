"""Quick entry: one line of text read as a whole time entry, and the names in it matched
against the catalog.

    >>> parsed = parse("Fix login @Website #bug +Testing $")
    >>> parsed.description, parsed.project, parsed.tags, parsed.task, parsed.billable
    ('Fix login', 'Website', ('bug',), 'Testing', True)
    >>> found = resolve(parsed, projects, tags, tasks)      # or understand(text, ...)
    >>> found.draft()                                        # an EntryDraft, ids filled in
    >>> found.problems                                       # what could not be matched

The syntax is the Toggl web timer's (`@project`, `#tag`), plus `+task` (Clockify) and a lone
`$` for billable:

- A mark counts only at the start of a word: `bob@example.com` and `C++` are text.
- `@`, `#` or `+` followed by digits only is text ("issue #12", "+1"), unless the catalog
  has a name that is exactly those digits; `@"2024"` always means the name.
- A name with spaces is quoted, `@"Client Work"` (`\\"` and `\\\\` inside quotes), or typed
  as is when the catalog knows it: `@Client Work` takes the longest run of words that is a
  known name (`parse(text, Known.of(...))`). Without a match, the name is the one word.
- A project may be written `Client / Project` (spaces around `/` optional) to pick among
  projects of the same name.
- A backslash keeps a word as text: `\\@home`, `\\#1`, `\\$`. A mark alone (`meet @ 5`) is text.
- Words of the description are joined by one space.

Resolving matches names exactly but case-insensitively (the catalog's spelling wins). What does
not match is never dropped: `Resolved.problems` says what and offers `choices` (each with the
text that replaces the mention, so a UI can apply one). An unknown tag is not blocking (the
service creates it); an unknown, ambiguous or archived project or task is.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from .models import EntryDraft, Project, Tag, Task
from .text import fit_to_send

Kind = Literal["project", "tag", "task"]
MARKS: dict[str, Kind] = {"@": "project", "#": "tag", "+": "task"}
SIGN = {kind: mark for mark, kind in MARKS.items()}
BILLABLE = "$"
ESCAPABLE = frozenset("@#+$\\\"")
MAX_NAME_WORDS = 12  # how far a known multi-word name is looked for
MAX_CHOICES = 5


def name_key(name: str) -> str:
    """How names compare: case-insensitively, whitespace runs as one space, `a/b` = `a / b`."""
    flat = " ".join(name.casefold().split())
    return re.sub(r"\s*/\s*", " / ", flat)


def natural_key(text: str) -> tuple[tuple[int, int, str], ...]:
    """Sorts "Project 2" before "Project 10" (numbers by value, the rest case-insensitively)."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.split(r"([0-9]+)", text.casefold()) if part)


def match_rank(query: str, *names: str) -> int | None:
    """How well `query` finds one of `names` (say a project's name and its label): 0 exact,
    1 prefix, 2 every word starts a word, 3 every word is inside; None when it does not."""
    words = query.casefold().split()
    if not words:
        return 3
    best: int | None = None
    wanted = name_key(query)
    for name in names:
        key = name_key(name)
        hay_words = re.split(r"[\s/]+", key)
        if key == wanted:
            rank = 0
        elif key.startswith(wanted):
            rank = 1
        elif all(any(w.startswith(q) for w in hay_words) for q in words):
            rank = 2
        elif all(q in key for q in words):
            rank = 3
        else:
            continue
        best = rank if best is None else min(best, rank)
    return best


# -- parsing ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Known:
    """Names the catalog knows, as `name_key`s: lets a name with spaces go unquoted."""

    projects: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    tasks: frozenset[str] = frozenset()

    @classmethod
    def of(cls, projects: Iterable[Project] = (), tags: Iterable[Tag] = (),
           tasks: Iterable[Task] | None = ()) -> Known:
        project_keys: set[str] = set()
        for p in projects:
            project_keys.update((name_key(p.name), name_key(p.label)))
        return cls(frozenset(project_keys), frozenset(name_key(t.name) for t in tags),
                   frozenset(name_key(t.name) for t in tasks or ()))

    def has(self, kind: Kind, name: str) -> bool:
        names = {"project": self.projects, "tag": self.tags, "task": self.tasks}[kind]
        return name_key(name) in names


@dataclass(frozen=True)
class Mention:
    """`@name`, `#name` or `+name` as written: `start`/`end` index the text it came from."""

    kind: Kind
    name: str
    start: int
    end: int


@dataclass(frozen=True)
class Parsed:
    text: str
    description: str
    mentions: tuple[Mention, ...] = ()
    billable: bool = False

    def names(self, kind: Kind) -> tuple[str, ...]:
        return tuple(m.name for m in self.mentions if m.kind == kind)

    @property
    def project(self) -> str | None:
        return next(iter(self.names("project")), None)

    @property
    def task(self) -> str | None:
        return next(iter(self.names("task")), None)

    @property
    def tags(self) -> tuple[str, ...]:
        """Each tag once, as first written."""
        first: dict[str, str] = {}
        for name in self.names("tag"):
            first.setdefault(name_key(name), name)
        return tuple(first.values())

    @property
    def fields(self) -> tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...], bool]:
        """What the text says, without where: (description, projects, tags, tasks, billable)."""
        return (self.description, self.names("project"), self.names("tag"),
                self.names("task"), self.billable)


@dataclass(frozen=True)
class _Word:
    text: str
    start: int
    end: int


def _words(text: str) -> list[_Word]:
    """Whitespace-separated words; a quoted name after a mark stays one word."""
    out: list[_Word] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        if text[i] in MARKS and i + 1 < n and text[i + 1] == '"':
            i += 2
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" and i + 1 < n else 1
            i = min(n, i + 1)  # the closing quote (an open one runs to the end)
        else:
            while i < n and not text[i].isspace():
                i += 1
        out.append(_Word(text[start:i], start, i))
    return out


def _unquote(word: str) -> str:
    """The inside of `"..."` (the closing quote may be missing): `\\x` is x."""
    out: list[str] = []
    i = 1
    while i < len(word) and word[i] != '"':
        if word[i] == "\\" and i + 1 < len(word):
            i += 1
        out.append(word[i])
        i += 1
    return "".join(out)


def parse(text: str, known: Known | None = None) -> Parsed:
    """Read one line of quick entry. Never raises; see the module's docstring for the rules."""
    known = known or Known()
    words = _words(text)
    description: list[str] = []
    mentions: list[Mention] = []
    billable = False
    i = 0
    while i < len(words):
        word = words[i]
        raw, i = word.text, i + 1
        mark, rest = raw[0], raw[1:]
        if raw == BILLABLE:
            billable = True
        elif mark == "\\" and rest[:1] in ESCAPABLE and rest:
            description.append(rest)
        elif mark in MARKS and rest.startswith('"'):
            name = " ".join(fit_to_send(_unquote(rest)).split())
            if name:
                mentions.append(Mention(MARKS[mark], name, word.start, word.end))
            else:
                description.extend(raw.split())
        elif mark in MARKS and rest:
            kind = MARKS[mark]
            # The longest run of words that is a known name ("@Client Work").
            take = 1
            for count in range(min(MAX_NAME_WORDS, len(words) - i + 1), 1, -1):
                candidate = " ".join([rest] + [w.text for w in words[i:i + count - 1]])
                if known.has(kind, candidate):
                    take = count
                    break
            name = " ".join(fit_to_send(" ".join(
                [rest] + [w.text for w in words[i:i + take - 1]])).split())
            if not name or take == 1 and rest.isdigit() and not known.has(kind, rest):
                description.append(raw)  # "issue #12", "+1"
                continue
            end = words[i + take - 2].end if take > 1 else word.end
            mentions.append(Mention(kind, name, word.start, end))
            i += take - 1
        else:
            description.append(raw)
    flat = " ".join(fit_to_send(" ".join(description)).split())
    return Parsed(text, flat, tuple(mentions), billable)


# -- writing (the inverse of parse) ---------------------------------------------------------------

def mention_text(kind: Kind, name: str) -> str:
    """`@Website`, `@"Client Work"`: a name as quick entry writes it."""
    mark = SIGN[kind]
    if name and not any(c.isspace() for c in name) and not name.startswith('"') \
            and not name.isdigit():
        return mark + name
    return mark + '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text_word(word: str) -> str:
    if word == BILLABLE or (word[:1] in MARKS and len(word) > 1) or (
            word[:1] == "\\" and word[1:2] in ESCAPABLE and len(word) > 1):
        return "\\" + word
    return word


def compose(description: str, projects: Sequence[str] = (), tags: Sequence[str] = (),
            tasks: Sequence[str] = (), billable: bool = False) -> str:
    """The quick-entry text for these fields: `parse(compose(...))` gives them back."""
    parts = [_text_word(w) for w in description.split()]
    parts += [mention_text("project", n) for n in projects]
    parts += [mention_text("task", n) for n in tasks]
    parts += [mention_text("tag", n) for n in tags]
    if billable:
        parts.append(BILLABLE)
    return " ".join(parts)


def replace_mention(text: str, mention: Mention, replacement: str) -> str:
    """`text` with one mention rewritten (applying a problem's choice)."""
    return text[:mention.start] + replacement + text[mention.end:]


# -- resolving ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Choice:
    label: str  # as shown: "Acme / Design"
    text: str  # what replaces the mention: '@"Acme / Design"'


@dataclass(frozen=True)
class Problem:
    kind: Kind
    name: str
    message: str
    choices: tuple[Choice, ...] = ()
    blocking: bool = True
    mention: Mention | None = None


@dataclass(frozen=True)
class Resolved:
    description: str
    project: Project | None = None
    task: Task | None = None
    tags: tuple[str, ...] = ()  # the catalog's spelling; new names as typed
    billable: bool = False  # `$`, else the project's default
    billable_given: bool = False  # `$` was typed
    problems: tuple[Problem, ...] = ()
    parsed: Parsed = field(default_factory=lambda: Parsed("", ""))

    @property
    def blocked(self) -> bool:
        return any(p.blocking for p in self.problems)

    def draft(self) -> EntryDraft:
        return EntryDraft(description=self.description,
                          project_id=self.project.id if self.project else None,
                          task_id=self.task.id if self.task else None,
                          tags=self.tags, billable=self.billable)


def _listed(names: Iterable[str]) -> str:
    return ", ".join(names)


def _suggest(name: str, candidates: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Close ones among `candidates` (a label and the names it goes by): those `name` finds as
    a search, then similar spellings (typos)."""
    ranks = {label: match_rank(name, *names) for label, names in candidates.items()}
    found = sorted((rank, natural_key(label), label) for label, rank in ranks.items()
                   if rank is not None)
    key = name_key(name)

    def likeness(label: str) -> float:
        return max(difflib.SequenceMatcher(None, key, name_key(n)).ratio()
                   for n in candidates[label])

    similar = sorted(((likeness(label), label) for label in candidates),
                     key=lambda pair: -pair[0])
    out = [label for _, _, label in found] + [label for score, label in similar
                                              if score >= 0.6]
    return list(dict.fromkeys(out))[:MAX_CHOICES]


def project_mention(project: Project, projects: Iterable[Project]) -> str:
    """The shortest mention that names this project alone: `@Website`, `@"Acme / Design"`."""
    same = [p for p in projects if p.active and name_key(p.name) == name_key(project.name)]
    return mention_text("project", project.name if len(same) <= 1 else project.label)


_project_text = project_mention


def _find_project(mention: Mention, projects: Sequence[Project]
                  ) -> tuple[Project | None, Problem | None]:
    key = name_key(mention.name)
    active = [p for p in projects if p.active]
    found = [p for p in active if name_key(p.label) == key] or [
        p for p in active if name_key(p.name) == key]
    if len(found) == 1:
        return found[0], None
    if found:
        found.sort(key=lambda p: natural_key(p.label))
        choices = tuple(Choice(p.label, _project_text(p, active)) for p in found)
        return None, Problem("project", mention.name,
                             f"'{mention.name}' matches {len(found)} projects: "
                             f"{_listed(p.label for p in found)}", choices, mention=mention)
    archived = [p for p in projects if not p.active and key in (name_key(p.name),
                                                                name_key(p.label))]
    if archived:
        return None, Problem("project", mention.name,
                             f"Project '{archived[0].label}' is archived: restore it first, "
                             "or choose another.", mention=mention)
    by_label = {p.label: p for p in active}
    close = _suggest(mention.name, {p.label: (p.name, p.label) for p in active})
    choices = tuple(Choice(label, _project_text(by_label[label], active)) for label in close)
    hint = f" Did you mean: {_listed(close)}?" if close else ""
    return None, Problem("project", mention.name, f"No project named '{mention.name}'.{hint}",
                         choices, mention=mention)


def _find_task(mention: Mention, project: Project | None, projects: Sequence[Project],
               tasks: Sequence[Task]) -> tuple[Task | None, Project | None, Problem | None]:
    by_id = {p.id: p for p in projects if p.active}
    scope = [t for t in tasks if t.active and t.project_id in by_id
             and (project is None or t.project_id == project.id)]
    key = name_key(mention.name)
    found = [t for t in scope if name_key(t.name) == key]
    where = f" in {project.label}" if project else ""
    if len(found) == 1:
        return found[0], by_id[found[0].project_id], None
    active = list(by_id.values())

    def choice(task: Task) -> Choice:
        owner = by_id[task.project_id]
        text = mention_text("task", task.name)
        if project is None:
            text += " " + _project_text(owner, active)
        return Choice(f"{owner.label}: {task.name}" if project is None else task.name, text)

    if found:
        found.sort(key=lambda t: natural_key(by_id[t.project_id].label))
        choices = tuple(choice(t) for t in found)
        return None, None, Problem("task", mention.name,
                                   f"'{mention.name}' matches {len(found)} tasks: "
                                   f"{_listed(c.label for c in choices)}", choices,
                                   mention=mention)
    names = {t.id: t.name if project else f"{by_id[t.project_id].label}: {t.name}"
             for t in scope}
    close = _suggest(mention.name, {t.id: (t.name,) for t in scope})
    picked = [t for t in scope if t.id in close]
    picked.sort(key=lambda t: close.index(t.id))
    choices = tuple(choice(t) for t in picked[:MAX_CHOICES])
    hint = f" Did you mean: {_listed(names[t.id] for t in picked[:MAX_CHOICES])}?" \
        if picked else ""
    return None, None, Problem("task", mention.name,
                               f"No task named '{mention.name}'{where}.{hint}", choices,
                               mention=mention)


def _repeated(kind: Kind, mentions: Sequence[Mention]) -> Problem:
    names = _listed(m.name for m in mentions)
    return Problem(kind, mentions[1].name, f"More than one {kind}: {names}. Keep one.",
                   mention=mentions[1])


def resolve(parsed: Parsed, projects: Iterable[Project] = (), tags: Iterable[Tag] = (),
            tasks: Iterable[Task] | None = None) -> Resolved:
    """Match the names in `parsed` against the catalog. `tasks` None: the service has none
    (Toggl here), so a `+task` is a problem. A task alone picks its project when only one
    project has it."""
    projects, tags = list(projects), list(tags)
    problems: list[Problem] = []
    project: Project | None = None
    task: Task | None = None

    project_mentions = [m for m in parsed.mentions if m.kind == "project"]
    if project_mentions:
        project, problem = _find_project(project_mentions[0], projects)
        problems += [problem] if problem else []
        if len(project_mentions) > 1:
            problems.append(_repeated("project", project_mentions))

    task_mentions = [m for m in parsed.mentions if m.kind == "task"]
    if task_mentions and tasks is None:
        first = task_mentions[0]
        problems.append(Problem("task", first.name,
                                f"Entries here have no tasks: write \\+{first.name} to keep "
                                "it as text.", mention=first))
    elif task_mentions and not (project_mentions and project is None):
        task, owner, problem = _find_task(task_mentions[0], project, projects, list(tasks or ()))
        problems += [problem] if problem else []
        project = project or owner
        if len(task_mentions) > 1:
            problems.append(_repeated("task", task_mentions))

    spelling: dict[str, str] = {}
    for tag in sorted(tags, key=lambda t: t.archived):  # an active tag's spelling first
        spelling.setdefault(name_key(tag.name), tag.name)
    names: dict[str, str] = {}
    for mention in (m for m in parsed.mentions if m.kind == "tag"):
        key = name_key(mention.name)
        if key in names:
            continue
        names[key] = spelling.get(key, mention.name)
        if key not in spelling:
            live = {t.name: (t.name,) for t in tags if not t.archived}
            close = _suggest(mention.name, live)
            hint = f" Did you mean: {_listed(close)}?" if close else ""
            problems.append(Problem(
                "tag", mention.name, f"New tag '{mention.name}' will be created.{hint}",
                tuple(Choice(c, mention_text("tag", c)) for c in close), blocking=False,
                mention=mention))

    billable = parsed.billable or bool(project and project.billable)
    return Resolved(parsed.description, project, task, tuple(names.values()), billable,
                    parsed.billable, tuple(problems), parsed)


def understand(text: str, projects: Iterable[Project] = (), tags: Iterable[Tag] = (),
               tasks: Iterable[Task] | None = None) -> Resolved:
    """parse + resolve, with the catalog's names known to the parser (unquoted names with
    spaces work). What `trayapp start` and the windows call."""
    projects, tags = list(projects), list(tags)
    task_list = None if tasks is None else list(tasks)
    return resolve(parse(text, Known.of(projects, tags, task_list)), projects, tags, task_list)
