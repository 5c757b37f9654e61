"""Benchmarks at province and national scale (issue 9): ``bench/run`` or ``python -m bench``."""
