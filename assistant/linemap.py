"""The mapping a knowledge-base YAML file is read into: a dict that knows its lines.

Its own module so that the YAML reader (`yamlfile`, which builds it) and the loader (`knowledge`,
which reads it and makes empty ones) both reach it without importing each other.
"""

from __future__ import annotations


class LineMap(dict):
    """A YAML mapping that knows its line and the line of each key (made by `yamlfile.load`)."""

    line: int = 0
    key_lines: dict = {}
