"""Benchmarks at region scale: a synthetic region, scenarios timed against floors in the same run.

`python -m bench` (or `make bench`) builds the region on SQLite and, when BENCH_DATABASE_URL is
set, on PostgreSQL, prints one JSON line per scenario and writes docs/performance.md.
"""
