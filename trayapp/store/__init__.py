"""Local SQLite store: the cache behind the menus and the outbox of unsynced actions. No Qt."""
