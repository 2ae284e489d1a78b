"""Runnable benchmark scripts: ``python -m benchmarks.<name>``; each writes its section of docs/benchmarks.md."""
