"""The service-neutral heart of trayapp: models, errors, durations. Pure Python, no Qt, no I/O."""
