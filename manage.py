#!/usr/bin/env python
"""Django's manage.py, for habit; ``wenjin`` is the same command."""

from wenjin.cli import main

if __name__ == "__main__":
    main()
