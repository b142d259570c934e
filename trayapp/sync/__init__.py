"""The session with a service: local-first actions, outbox replay, reconciliation. No Qt."""
