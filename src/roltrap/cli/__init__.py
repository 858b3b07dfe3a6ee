"""Command-line shell: parses options, calls :class:`roltrap.core.Roltrap`, prints results."""
