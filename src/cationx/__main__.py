"""``python -m cationx`` runs the command line."""

from cationx.cli import main

main()
