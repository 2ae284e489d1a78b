"""``python -m vestis`` runs the command line."""

from vestis.cli import app

app()
