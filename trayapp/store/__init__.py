"""Local SQLite store: the cache behind the menus and the outbox of unsynced actions. No Qt.

The only package that speaks SQL: the layers above call named Store methods, so the tables
(schema.py, versioned) can change without touching them."""
