"""Wenjin (文津): library services platform for central–branch public library networks."""

__version__ = "0.1.0"
