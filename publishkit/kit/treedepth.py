"""How deep pandoc's JSON for a document nests, measured without recursing, before it is loaded."""

from __future__ import annotations

import re
from itertools import accumulate
from pathlib import Path

from ..errors import SourceError

# JSON strings (their brackets are text) and every byte that is not a bracket, for json_depth.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}
_DATA_POS = re.compile(r'"data-pos","(\d+):')

# Only if max_tree_depth is raised beyond what the AST walks and WeasyPrint (both recursive) can
# take: the default leaves them about a third of Python's recursion limit to spare.
TOO_DEEP = "too complex: nested too deeply to process (lower [tool.publish.limits] max_tree_depth)"


class TooDeep(SourceError):
    """pandoc's JSON for a document is nested deeper than ``max_tree_depth``."""

    def __init__(self, limit: int, offset: int, path: str | Path | None = None) -> None:
        super().__init__(
            "too complex: formatting or ::: blocks nested too deeply (the document tree is more "
            f"than {limit} levels deep)",
            path=path,
        )
        self.offset = offset  # in the JSON text, where the limit was passed

    def line_in(self, text: str) -> int | None:
        """The source line of what is nested too deep, when ``text`` was read with source
        positions: the last ``data-pos`` before the point where the limit was passed."""
        at = text.rfind('"data-pos","', 0, self.offset)
        m = _DATA_POS.match(text, at) if at >= 0 else None
        return int(m.group(1)) if m else None


def json_depth(text: str, limit: int, path: str | Path | None = None) -> None:
    """Raise TooDeep if ``text`` (JSON) nests arrays and objects more than ``limit`` deep.

    ``json.loads`` and the AST walks recurse once per level, so a document nested a few hundred
    levels deep (200 ``**`` or 400 ``:::`` inside each other) would end in a RecursionError.
    This scan does not recurse and is linear: strings out, brackets only, a running sum."""
    # Outside strings JSON is ASCII: bytes.translate drops the rest in one fast pass.
    brackets = _JSON_STRING.sub("", text).encode("utf-8").translate(None, _NOT_BRACKET)
    if max(accumulate(map(_STEP.__getitem__, brackets)), default=0) > limit:
        depths = accumulate(map(_STEP.__getitem__, brackets))
        first = next(i for i, d in enumerate(depths) if d > limit)
        raise TooDeep(limit, _offset_of_bracket(text, first), path)


def _offset_of_bracket(text: str, index: int) -> int:
    """Where in ``text`` the ``index``-th bracket outside strings is (only after a refusal)."""
    seen = -1
    for m in re.finditer(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', text):
        if m.group() in "[]{}":
            seen += 1
            if seen == index:
                return m.start()
    return len(text)
