"""``python -m roltrap`` runs the command line."""

from roltrap.cli.main import run

run()
