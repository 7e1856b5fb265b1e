"""pyphen's hyphenation patterns read at first use, not all at load.

WeasyPrint hyphenates with pyphen, which parses every pattern of a language's ``hyph_*.dic`` when
it is first asked for that language: for each of English's 11,000 lines a regular expression,
a tuple of ints and a trim, 50 to 90 ms in each process that lays out a handout (the helper of a
one-article build does it on the build's critical path). A handout looks up a few hundred of
them. ``LazyHyphDict`` reads the file the same way but keeps each ordinary line as its text,
under the same key (the line without its digits), and parses a line the first time a word
looks it up, with pyphen's own rules. ``positions`` is pyphen's, with that one step added.

``install`` puts it in place of ``pyphen.HyphDict``, which ``pyphen.Pyphen`` (and so WeasyPrint)
calls for a language it has not loaded yet. Lines pyphen treats specially (``^^hh`` escapes,
nonstandard ``/`` alternatives) and a key written twice are parsed at load as pyphen parses
them. ``tests/test_hyphenation.py`` checks every dictionary pyphen ships against pyphen's own
parse, word for word.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pyphen  # type: ignore[import-untyped]

_DIGITS = re.compile(r"\d")  # pyphen's parse takes each \d as a value, everything else as a letter


def install() -> None:
    """Make every pyphen dictionary loaded from now on in this process a ``LazyHyphDict``."""
    pyphen.HyphDict = LazyHyphDict


def parse_line(pattern: str) -> tuple[str, tuple[int, tuple[Any, ...]] | None]:
    """One stripped pattern line, exactly as ``pyphen.HyphDict`` parses it: its key, and its
    (start, values), or None for a line pyphen leaves out (only zeros)."""
    pattern = pyphen.parse_hex(lambda match: chr(int(match.group(1), 16)), pattern)
    factory: Any = int
    if "/" in pattern and "=" in pattern:
        pattern, alternative = pattern.split("/", 1)
        factory = pyphen.AlternativeParser(pattern, alternative)
    tags, values = zip(*[(string, factory(i or "0")) for i, string in pyphen.parse(pattern)], strict=True)
    key = "".join(tags)
    if max(values) == 0:
        return key, None
    start, end = 0, len(values)
    while not values[start]:
        start += 1
    while not values[end - 1]:
        end -= 1
    return key, (start, values[start:end])


def _ordinary(line: str) -> bool:
    """A line whose key is its letters and which can wait to be parsed."""
    return "^^" not in line and not ("/" in line and "=" in line)


class LazyHyphDict(pyphen.HyphDict):  # type: ignore[misc]
    """A ``pyphen.HyphDict`` whose lines are parsed at their first lookup (see above)."""

    def __init__(self, path: Path) -> None:
        with path.open("rb") as fd:  # pyphen's reading, as pyphen does it
            encoding = fd.readline().decode()
        if encoding.lower() == "microsoft-cp1251":
            encoding = "cp1251"
        lines = [line.strip() for line in path.read_text(encoding).split("\n")[1:]]
        lines = [line for line in lines if line and not line.startswith(pyphen.ignored)]
        # key -> the line's text (not parsed yet), its (start, values), or () when pyphen
        # leaves the line out. A lookup that finds nothing costs what it costs in pyphen.
        keys = _DIGITS.sub("", "\n".join(lines)).split("\n")
        found: dict[str, Any] = dict(zip(keys, lines, strict=True))
        if len(found) < len(lines) or not all(map(_ordinary, lines)):
            found = {}  # a key written twice, or a line to parse now: line by line, in order
            for key, line in zip(keys, lines, strict=True):
                if _ordinary(line) and key not in found:
                    found[key] = line
                    continue
                key, parsed = parse_line(line)  # pyphen: a later line replaces an earlier one,
                if parsed is not None:  # unless it is only zeros
                    found[key] = parsed
                elif key not in found:
                    found[key] = ()
        self._found = found
        self.cache: dict[str, list[Any]] = {}
        # Longer than pyphen's when the longest key is only zeros: such a key finds nothing.
        self.maxlen = max(len(key) for key in found)

    @property
    def patterns(self) -> dict[str, tuple[int, tuple[Any, ...]]]:
        """Every pattern, parsed: what ``pyphen.HyphDict.patterns`` holds."""
        return {key: value for key in list(self._found) if (value := self._lookup(key))}

    def _lookup(self, key: str) -> Any:
        value = self._found.get(key)
        if value.__class__ is str:
            value = self._found[key] = parse_line(value)[1] or ()
        return value

    def positions(self, word: str) -> list[Any]:
        """``pyphen.HyphDict.positions``, each pattern parsed at its first lookup."""
        word = word.lower()
        points = self.cache.get(word)
        if points is None:
            found = self._found
            pointed_word = f".{word}."
            references = [0] * (len(pointed_word) + 1)
            for i in range(len(pointed_word) - 1):
                stop = min(i + self.maxlen, len(pointed_word)) + 1
                for j in range(i + 1, stop):
                    pattern = found.get(pointed_word[i:j])
                    if not pattern:
                        continue
                    if pattern.__class__ is str:
                        pattern = self._lookup(pointed_word[i:j])
                        if not pattern:
                            continue
                    offset, values = pattern
                    slice_ = slice(i + offset, i + offset + len(values))
                    references[slice_] = map(max, values, references[slice_])
            self.cache[word] = points = [
                pyphen.DataInt(i - 1, reference=reference)
                for i, reference in enumerate(references)
                if reference % 2
            ]
        return points
