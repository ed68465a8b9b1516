"""The ``wenjin`` command: Django management with Wenjin's settings.

``wenjin migrate``, ``wenjin demo-data --scale small``, ``wenjin createtoken admin`` … Command
names may be written with hyphens (``demo-data``) or underscores (``demo_data``).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenjin.settings")
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    argv[0] = "wenjin"
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
