"""Benchmarks: scripts that print numbers (run as python -m bench.<name> from the repo root)."""
