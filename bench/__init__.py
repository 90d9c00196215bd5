"""Benchmarks (``make bench``); a package so mypy names bench/warroom.py ``bench.warroom``, not ``warroom``."""
