"""Benchmarks: speed and frugality goals live here, never in timed tests."""
