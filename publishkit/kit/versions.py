"""Installed packages' versions, as ``importlib.metadata.version`` gives them, without its import.

Every command needs the versions of the tools that make the outputs (they are part of each
output's key and of the manifest) before it knows what to build. ``importlib.metadata`` costs
about 40 ms to import (it loads the ``email`` package, ``zipfile``, ``csv``, ...) and about 3 ms a
version: 60 ms of every command, one article's or a nothing-changed build's, on the path before
anything else can start.

``version`` looks where ``importlib.metadata`` looks first: the ``*.dist-info`` and ``*.egg-info``
folders of each ``sys.path`` folder, in order, matched by the normalized name before the first
``-`` (as its ``FastPath`` does). It reads the ``Version`` field from the head of the metadata
file. Anything it does not read this way (a zip on ``sys.path``, an ``.egg``, two candidates in
one folder, a field it cannot find) goes to ``importlib.metadata`` itself, so the answer is always
the one ``importlib.metadata`` would give. ``tests/test_versions.py`` compares both for every
distribution installed.
"""

from __future__ import annotations

import os
import re
import sys
from functools import cache

_SUFFIXES = (".dist-info", ".egg-info")
_SEPARATORS = re.compile(r"[-_.]+")


class NotInstalled(LookupError):
    """No distribution of that name is installed."""


def version(name: str) -> str:
    """The version ``importlib.metadata.version(name)`` returns; ``NotInstalled`` where it raises
    ``PackageNotFoundError``."""
    wanted = _normalize(name)
    for entry in sys.path:
        found = _candidates(entry or ".")
        if found is None:
            break  # a zip or an egg: importlib.metadata looks inside them
        paths = found.get(wanted)
        if paths is None:
            continue
        if len(paths) == 1 and (value := _read_version(paths[0])) is not None:
            return value
        break  # two candidates, or a field not plain to read: importlib.metadata answers
    return _slow(name)


def _normalize(name: str) -> str:
    return _SEPARATORS.sub("_", name).lower()


@cache
def _candidates(folder: str) -> dict[str, list[str]] | None:
    """normalized name -> metadata folders in ``folder``; None for a folder this does not read."""
    if os.path.isfile(folder):
        return None  # a zip on sys.path
    try:
        children = os.listdir(folder)
    except OSError:
        return {}  # importlib.metadata finds nothing there either
    out: dict[str, list[str]] = {}
    for child in children:
        low = child.lower()
        if low.endswith(".egg"):
            return None
        if low.endswith(_SUFFIXES):
            key = _normalize(low.rpartition(".")[0].partition("-")[0])
            out.setdefault(key, []).append(os.path.join(folder, child))
    return out


def _read_version(path: str) -> str | None:
    """The ``Version`` field of the metadata in ``path`` as the ``email`` parser reads it, or None
    where it is not plain to read (no such field, a folded value, a line that is not a field)."""
    for filename in ("METADATA", "PKG-INFO"):
        try:
            with open(os.path.join(path, filename), encoding="utf-8") as fh:
                lines = fh.read().split("\n")
        except FileNotFoundError:
            continue
        except (OSError, UnicodeDecodeError):
            return None
        for i, line in enumerate(lines):
            if not line.strip() or line[:1] in (" ", "\t"):
                return None  # the fields ended, or a folded field before this one: not plain
            key, colon, value = line.partition(":")
            if not colon:
                return None
            if key.lower() == "version":
                if i + 1 < len(lines) and lines[i + 1][:1] in (" ", "\t"):
                    return None  # a folded value
                return value.lstrip(" \t").rstrip("\r")
        return None
    return None


def _slow(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        raise NotInstalled(name) from None
