"""The load benchmark (run.py) and the settings it serves the uncached pages with."""
