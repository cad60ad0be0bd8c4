"""``python -m govinfo`` is the ``govinfo`` command."""

from .cli import main

raise SystemExit(main())
