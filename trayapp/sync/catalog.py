"""The catalog's side of a Session: projects, clients, tags and (Clockify) tasks.

- Read from the cache, this workspace's only (`catalog_items`); the cache holds archived
  items too, so that they can be found by name to be restored or deleted.
- Made where the user types (`create_project`, `create_client`, `create_tag`): local first,
  like an entry. The item gets a local id at once and an outbox row; the outbox sends every
  catalog creation before any entry change (`catalog_first`), so an entry never reaches the
  service before its project; when the server's id arrives, every reference to the local
  id (cached entries and items, changes not yet sent) is rewritten (Store.replace_id), and
  the id map keeps the alias. A creation is sent exactly once: names are unique in a
  workspace, so one whose answer was lost is looked up by name instead of made again.
- Changed by the manager (rename, archive, restore, delete, a task done): on the service
  at once, then in the cache. These cannot wait in the outbox: offline, they are refused.

A mixin only to keep session.py to one job; it uses the Session's store, tracker and
helpers, declared below for the type checker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..core import errors as e
from ..core.models import Client, Project, Tag, Task
from ..store.db import LOCAL_PREFIX, OutboxItem, new_local_id

if TYPE_CHECKING:
    from ..api.tracker import Tracker
    from ..store.db import Store

KINDS = ("project", "client", "tag", "task")
#: Outbox actions that make a catalog item, and the kind each makes.
CREATES = {"add project": "project", "add client": "client", "add tag": "tag"}
DEFAULT_COLOR = "#0b83d9"  # Toggl's default, in both services' palettes
CatalogItem = Project | Client | Tag | Task


class NameTaken(e.Conflict):
    """Another item of the workspace has that name already."""

    title = "Name taken"


def archived(item: Any) -> bool:
    """Projects and tasks say `active`, clients and tags `archived`."""
    if isinstance(item, Project | Task):
        return not item.active
    return bool(getattr(item, "archived", False))


def catalog_first(items: list[OutboxItem]) -> list[OutboxItem]:
    """The outbox in the order it is sent: catalog creations first (in their own order: a
    client before the project made in it), then the entries' changes in theirs."""
    return ([i for i in items if i.action in CREATES]
            + [i for i in items if i.action not in CREATES])


def references(item: OutboxItem) -> set[str]:
    """Local catalog ids a change names (an entry's project and task, a project's client)."""
    return {v for k in ("project_id", "task_id", "client_id")
            if isinstance(v := item.payload.get(k), str) and v.startswith(LOCAL_PREFIX)}


def same_name(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


class CatalogMixin:
    if TYPE_CHECKING:
        store: Store
        tracker: Tracker
        svc: str
        clock: Callable[[], datetime]

        @property
        def wid(self) -> str | None: ...
        def _key(self, name: str) -> str: ...
        def _now(self) -> datetime: ...
        def prepare(self) -> str: ...

    # -- reading --------------------------------------------------------------------------
    def _catalog(self, kind: str) -> list[Any]:
        """This workspace's items of `kind` as cached (archived ones too). Items made here
        and not yet sent belong to it, as do tasks of its projects."""
        wid = self.wid
        found = self.store.catalog(self.svc, kind)
        if kind == "task":
            projects = {p.id for p in self._catalog("project")}
            return [t for t in found if t.project_id in projects]
        return [x for x in found if wid is None or x.workspace_id in (wid, "")
                or x.id.startswith(LOCAL_PREFIX)]

    def catalog_items(self, kind: str, archived: bool = False) -> list[Any]:
        """Projects, clients, tags or tasks ("project", "client", "tag", "task") of this
        workspace from the cache, by name; archived (and done) ones only when `archived`.
        No request: `refresh_catalog` (or `tasks(project_id)`) loads them."""
        if kind not in KINDS:
            raise ValueError(f"unknown catalog kind {kind!r}")
        items = [x for x in self._catalog(kind) if archived or not _archived(x)]
        return sorted(items, key=lambda x: (x.name.casefold(), x.id))

    # -- loading --------------------------------------------------------------------------
    def refresh_catalog(self, wid: str) -> None:
        """Projects (archived too), clients (archived too) and tags of the workspace: one
        request each (Toggl; Clockify: a page each), kept per workspace."""
        clients = self.tracker.clients(wid, include_archived=True)
        names = {c.id: c.name for c in clients}
        projects = [
            p if p.client_name or not p.client_id
            else replace(p, client_name=names.get(p.client_id))
            for p in self.tracker.projects(wid, include_archived=True)
        ]
        tags = self.tracker.tags(wid)
        with self.store.transaction() as db:
            self.store.replace_catalog(self.svc, "project", projects, wid, db)
            self.store.replace_catalog(self.svc, "client", clients, wid, db)
            self.store.replace_catalog(self.svc, "tag", tags, wid, db)
            self.store.set_meta_time(self._key("catalog_sync"), self.clock(), db)

    def catalog_age(self) -> float | None:
        """Seconds since the catalog was loaded (None: never, in this workspace)."""
        last = self.store.meta_time(self._key("catalog_sync"))
        return None if last is None else (self.clock() - last).total_seconds()

    def tasks(self, project_id: str, include_done: bool = False) -> list[Task]:
        """A project's tasks (Clockify), fetched when the user picks the project (one
        request); `include_done` for the manager (done tasks can be deleted)."""
        if not self.tracker.supports_tasks or project_id.startswith(LOCAL_PREFIX):
            return []
        wid = self.prepare()
        found = self.tracker.tasks(wid, project_id, include_done=include_done)
        with self.store.transaction() as db:
            if include_done:
                self.store.replace_tasks(self.svc, project_id, found, db)
            else:  # the done ones are not listed: keep what is known of them
                kept = [t for t in self.store.catalog(self.svc, "task")
                        if t.project_id == project_id and not t.active]
                self.store.replace_tasks(self.svc, project_id, [*kept, *found], db)
        return found

    # -- made where the user types: local first ------------------------------------------
    def create_project(self, name: str, client_name: str | None = None,
                       color: str | None = None, billable: bool | None = None) -> Project:
        """A new project, with a local id at once; sent before any entry that uses it.
        `client_name`: an existing client of this workspace (else NotFound). A project of
        that name (in that client) exists already: Conflict."""
        name = _checked(name, "project")
        client = None
        if client_name:
            client = next((c for c in self._catalog("client") if same_name(c.name, client_name)),
                          None)
            if client is None:
                raise e.NotFound(f"No client named “{client_name.strip()}”.")
        for p in self._catalog("project"):
            if same_name(p.name, name) and p.client_id == (client.id if client else None):
                where = f" for client “{client.name}”" if client else ""
                raise NameTaken(f"A project named “{p.name}” exists already{where}"
                                 + (" (archived)." if not p.active else "."))
        project = Project(id=_local_id(), workspace_id=self.wid or "", name=name,
                          color=color or DEFAULT_COLOR, client_id=client.id if client else None,
                          client_name=client.name if client else None, active=True,
                          billable=bool(billable))
        payload = {"name": name, "client_id": project.client_id, "color": color,
                   "billable": bool(billable)}
        self._queue_create("project", project, payload)
        return project

    def create_client(self, name: str) -> Client:
        name = _checked(name, "client")
        for c in self._catalog("client"):
            if same_name(c.name, name):
                raise NameTaken(f"A client named “{c.name}” exists already"
                                 + (" (archived)." if c.archived else "."))
        client = Client(id=_local_id(), workspace_id=self.wid or "", name=name)
        self._queue_create("client", client, {"name": name})
        return client

    def create_tag(self, name: str) -> Tag:
        name = _checked(name, "tag")
        for t in self._catalog("tag"):
            if same_name(t.name, name):
                raise NameTaken(f"A tag named “{t.name}” exists already.")
        tag = Tag(id=_local_id(), workspace_id=self.wid or "", name=name)
        self._queue_create("tag", tag, {"name": name})
        return tag

    def _queue_create(self, kind: str, item: CatalogItem, payload: dict[str, Any]) -> None:
        action = next(a for a, k in CREATES.items() if k == kind)
        with self.store.transaction() as db:
            self.store.put_catalog(self.svc, kind, [item], db=db)
            self.store.add_outbox(self.svc, action, item.id, payload, self._now(), db)

    # -- sending a creation ---------------------------------------------------------------
    def _replay_catalog(self, wid: str, item: OutboxItem) -> None:
        """Send one creation, exactly once: a try that may have reached the server (its
        answer lost, or a crash mid-request) is looked up by name before another is made;
        a name the service says is taken is the item made by that try, or by someone else:
        either way, the one to use."""
        kind = CREATES[item.action]
        payload = self._with_server_ids(item.payload)
        if isinstance(payload.get("client_id"), str) and payload["client_id"].startswith(
                LOCAL_PREFIX):
            raise e.NotFound("Its client never reached the server.")
        if item.attempts:
            found = self._named(wid, kind, payload)
            if found is not None:
                self._made(item, kind, found)
                return
        current = self.store.mark_tried(item.seq, self.clock())
        if current is None:
            return  # given up meanwhile
        try:
            made = self._create_on_server(wid, kind, payload)
        except (e.OutcomeUnknown, e.BadRequest, e.Conflict) as exc:
            found = self._named(wid, kind, payload)
            if found is None:
                raise exc from None
            made = found
        except (e.NetworkError, e.Throttled, e.AuthError, e.ConnectionError_, e.RequestError):
            self.store.set_attempts(item.seq, item.attempts, item.tried_at)  # not made
            raise
        self._made(item, kind, made)

    def _create_on_server(self, wid: str, kind: str, payload: dict[str, Any]) -> CatalogItem:
        if kind == "project":
            return self.tracker.create_project(
                wid, payload["name"], client_id=payload.get("client_id"),
                color=payload.get("color"), billable=bool(payload.get("billable")))
        if kind == "client":
            return self.tracker.create_client(wid, payload["name"])
        return self.tracker.create_tag(wid, payload["name"])

    def _named(self, wid: str, kind: str, payload: dict[str, Any]) -> CatalogItem | None:
        """The item of that name on the server (one request, archived ones included)."""
        found: list[Any]
        if kind == "project":
            found = [p for p in self.tracker.projects(wid, include_archived=True)
                     if p.client_id == payload.get("client_id")]
        elif kind == "client":
            found = list(self.tracker.clients(wid, include_archived=True))
        else:
            found = list(self.tracker.tags(wid))
        return next((x for x in found if same_name(x.name, payload["name"])), None)

    def _made(self, item: OutboxItem, kind: str, made: CatalogItem) -> None:
        """The server's item replaces the local one everywhere, in one transaction."""
        with self.store.transaction() as db:
            local = next((x for x in self.store.catalog(self.svc, kind) if x.id == item.entry_id),
                         None)
            if isinstance(made, Project) and not made.client_name and isinstance(local, Project):
                made = replace(made, client_name=local.client_name)
            self.store.delete_catalog(self.svc, kind, item.entry_id, db)
            self.store.put_catalog(self.svc, kind, [made], db=db)
            self.store.map_id(self.svc, item.entry_id, made.id, db)
            self.store.replace_id(self.svc, item.entry_id, made.id, db)
            self.store.remove_outbox(item.seq, db)

    def _with_server_ids(self, payload: dict[str, Any]) -> dict[str, Any]:
        """A payload whose local catalog ids have server ids by now, with those."""
        out = dict(payload)
        for key in ("project_id", "task_id", "client_id"):
            value = out.get(key)
            if isinstance(value, str) and value.startswith(LOCAL_PREFIX):
                out[key] = self.store.server_id(self.svc, value) or value
        return out

    def _waits_for_catalog(self, item: OutboxItem, blocked: set[str]) -> bool:
        """An entry's change names a project (or task) not on the server yet: it waits."""
        for local in references(item):
            if local in blocked or self.store.server_id(self.svc, local) is None:
                return True
        return False

    def _drop_create(self, item: OutboxItem, db: Any) -> None:
        """Give up a creation: the local item goes, and what named it names nothing."""
        self.store.remove_outbox(item.seq, db)
        self.store.delete_catalog(self.svc, CREATES[item.action], item.entry_id, db)
        self.store.replace_id(self.svc, item.entry_id, None, db)

    # -- changed by the manager: on the service at once ------------------------------------
    def _unsent(self, item: CatalogItem) -> OutboxItem | None:
        if not item.id.startswith(LOCAL_PREFIX):
            return None
        return next((i for i in self.store.outbox(self.svc)
                     if i.entry_id == item.id and i.action in CREATES), None)

    def _local_only(self, item: CatalogItem, what: str) -> OutboxItem | None:
        """A local item that never reached the service: its creation, to change instead
        (None: it is on the service). One being sent right now cannot be changed yet."""
        if not item.id.startswith(LOCAL_PREFIX):
            return None
        unsent = self._unsent(item)
        if unsent is None or unsent.attempts:
            raise e.OutcomeUnknown(f"“{item.name}” is being sent to the service right now.",
                                   hint=f"Try to {what} it again in a moment.")
        return unsent

    def rename_item(self, kind: str, item: CatalogItem, new_name: str) -> CatalogItem:
        """Rename on the service, then in the cache (one request). A name taken by another
        item of this workspace is refused before asking."""
        new_name = _checked(new_name, kind)
        clash = [x for x in self._catalog(kind) if same_name(x.name, new_name) and x.id != item.id
                 and getattr(x, "client_id", None) == getattr(item, "client_id", None)
                 and getattr(x, "project_id", None) == getattr(item, "project_id", None)]
        if clash:
            raise NameTaken(f"A {kind} named “{clash[0].name}” exists already.")
        unsent = self._local_only(item, "rename")
        renamed: CatalogItem = replace(item, name=new_name)
        if unsent is not None:  # not sent yet: it will be sent with the new name
            with self.store.transaction() as db:
                self.store.update_outbox_payload(unsent.seq, {**unsent.payload,
                                                              "name": new_name}, db)
                self.store.put_catalog(self.svc, kind, [renamed], db=db)
            return renamed
        wid = self.prepare()
        if isinstance(item, Project):
            renamed = replace(self.tracker.update_project(wid, item.id, name=new_name),
                              client_name=item.client_name)
        elif isinstance(item, Client):
            renamed = self.tracker.update_client(wid, item.id, name=new_name)
            with self.store.transaction() as db:  # projects show their client's name
                self.store.put_catalog(self.svc, "project", [
                    replace(p, client_name=new_name) for p in self._catalog("project")
                    if p.client_id == item.id], db=db)
        elif isinstance(item, Tag):
            renamed = self.tracker.update_tag(wid, item.id, name=new_name)
        else:
            renamed = self.tracker.update_task(wid, item, name=new_name)
        self.store.put_catalog(self.svc, kind, [renamed])
        return renamed

    def edit_project(self, project: Project, **changes: Any) -> Project:
        """A project's colour, billable or client (`client`: a Client, or None for none),
        on the service at once (one request), then in the cache."""
        if project.id.startswith(LOCAL_PREFIX):
            unsent = self._local_only(project, "change")
            assert unsent is not None
            payload = dict(unsent.payload)
            if "client" in changes:
                payload["client_id"] = changes["client"].id if changes["client"] else None
            payload.update({k: v for k, v in changes.items() if k in ("color", "billable")})
            with self.store.transaction() as db:
                self.store.update_outbox_payload(unsent.seq, payload, db)
                changed = _with_settings(project, changes)
                self.store.put_catalog(self.svc, "project", [changed], db=db)
            return changed
        sent: dict[str, Any] = {k: v for k, v in changes.items() if k in ("color", "billable")}
        if "client" in changes:
            sent["client_id"] = changes["client"].id if changes["client"] else None
        if not sent:
            return project
        made = self.tracker.update_project(self.prepare(), project.id, **sent)
        changed = replace(made, client_name=changes["client"].name if changes.get("client")
                          else None if "client" in changes else project.client_name)
        self.store.put_catalog(self.svc, "project", [changed])
        return changed

    def archive_item(self, kind: str, item: CatalogItem, archive: bool = True) -> CatalogItem:
        """Archive (or restore) a project or client; mark a task done (or active again)."""
        if item.id.startswith(LOCAL_PREFIX):
            self._local_only(item, "archive")
            raise e.Conflict(f"“{item.name}” is not on the service yet: it can be archived "
                             "once it is sent.")
        wid = self.prepare()
        changed: CatalogItem
        if isinstance(item, Project):
            changed = replace(self.tracker.archive_project(wid, item.id, archive),
                              client_name=item.client_name)
        elif isinstance(item, Client):
            changed = self.tracker.archive_client(wid, item.id, archive)
            if archive and self.tracker.service.value == "toggl-track":
                # Toggl archives the client's projects with it: read them again.
                self.refresh_catalog(wid)
        elif isinstance(item, Task):
            changed = self.tracker.update_task(wid, item, active=not archive)
        else:
            raise e.BadRequest("Tags are not archived here: rename or delete them.")
        self.store.put_catalog(self.svc, kind, [changed])
        return changed

    def delete_item(self, kind: str, item: CatalogItem) -> None:
        """Delete on the service as it demands (see the control's delete_question): a
        Clockify project is archived first, a Clockify task marked done first. Entries keep
        their time, without the project (or task, or tag)."""
        unsent = self._local_only(item, "delete")
        if unsent is not None:  # never reached the service: forgotten here
            with self.store.transaction() as db:
                self._drop_create(unsent, db)
            return
        wid = self.prepare()
        if isinstance(item, Project):  # Clockify: archived first (the state is known)
            self.tracker.delete_project(wid, item.id, archived=not item.active)
        elif isinstance(item, Client):
            self.tracker.delete_client(wid, item.id)
        elif isinstance(item, Tag):
            self.tracker.delete_tag(wid, item.id)
        else:
            self.tracker.delete_task(wid, item)
        with self.store.transaction() as db:
            self.store.delete_catalog(self.svc, kind, item.id, db)
            if kind in ("project", "task"):  # its entries stay, without it
                self.store.replace_id(self.svc, item.id, None, db)
            if isinstance(item, Client):
                self.store.put_catalog(self.svc, "project", [
                    replace(p, client_id=None, client_name=None)
                    for p in self._catalog("project") if p.client_id == item.id], db=db)
            if isinstance(item, Project):
                self.store.replace_tasks(self.svc, item.id, [], db)

    def add_task(self, project: Project, name: str) -> Task:
        """A task in a project (Clockify; one request)."""
        if not self.tracker.supports_tasks:
            raise e.BadRequest(f"{self.tracker.service.title} has no tasks here.")
        name = _checked(name, "task")
        if project.id.startswith(LOCAL_PREFIX):
            raise e.Conflict(f"“{project.name}” is not on the service yet: add its tasks once "
                             "it is sent.")
        known = [t for t in self._catalog("task") if t.project_id == project.id]
        if any(same_name(t.name, name) for t in known):
            raise NameTaken(f"A task named “{name}” exists already in “{project.name}”.")
        made = self.tracker.create_task(self.prepare(), project.id, name)
        self.store.put_catalog(self.svc, "task", [made])
        return made


def _with_settings(project: Project, changes: dict[str, Any]) -> Project:
    out = replace(project, **{k: v for k, v in changes.items() if k in ("color", "billable")})
    if "client" in changes:
        client = changes["client"]
        out = replace(out, client_id=client.id if client else None,
                      client_name=client.name if client else None)
    return out


def _archived(item: Any) -> bool:
    return archived(item)


def _local_id() -> str:
    return new_local_id()


MAX_NAME = 250  # Clockify's limit for a project name; nobody types more


def _checked(name: str, kind: str) -> str:
    """A name fit to send: not empty, one line, not too long."""
    text = " ".join(str(name).split())
    if not text:
        raise e.BadRequest(f"The {kind} needs a name.")
    if any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in text):
        raise e.BadRequest(f"The {kind} name holds control characters.")
    if len(text) > MAX_NAME:
        raise e.BadRequest(f"The {kind} name is {len(text)} characters long; at most "
                           f"{MAX_NAME} are allowed.")
    return text
