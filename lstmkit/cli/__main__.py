"""``python -m lstmkit.cli``: the ``lstmkit`` command."""

from lstmkit.cli import main

main()
