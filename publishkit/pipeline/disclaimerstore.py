"""build/.disclaimers.json: each disclaimer wording as an earlier command converted it.

Every command that builds converts the disclaimers that apply: two pandoc runs (a read, then the
HTML and plain-text writes), about 45 ms before the first output, for the same Markdown converted
the same way every time. A wording converted whole, without a warning and without an image (an
image's AST names its file on this machine), is kept here under a key of its Markdown, the pandoc
it was converted with, the code that makes outputs (the outputs' own ``code_fingerprint``) and the
depth limit; the next command uses it while all of them are the same. Anything else is converted
every time, as before. The outputs are audited against what is used either way, and `verify`
converts the registry's wordings itself.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ..formats.context import DisclaimerText
from ..kit import doctree
from ..kit.fsutil import write_atomic
from ..kit.jsonfile import outline
from ..kit.pandoc import bundle_version, pandoc_path
from ..kit.statmemo import StatMemo
from ..model.registry import Disclaimer
from ..model.settings import Settings
from .cachekey import code_fingerprint

STORE = ".disclaimers.json"
SCHEMA = 1
KEPT_AT_MOST = 256  # wordings (a catalog has tens); beyond, the oldest are dropped
# The wordings as this process last read or wrote them, while the file keeps its stat.
_READ: StatMemo[dict[str, Any]] = StatMemo()

Kept = tuple[str, str, list[dict[str, Any]]]  # html, plain, ast (pandoc blocks)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    texts = data.get("texts") if isinstance(data, dict) and data.get("schema") == SCHEMA else None
    return texts if isinstance(texts, dict) else {}


class DisclaimerStore:
    """The wordings kept in one build folder: ``get`` one, ``put`` new ones, then ``save``."""

    def __init__(self, settings: Settings) -> None:
        self.build_dir = settings.build_dir
        self.path = self.build_dir / STORE
        # code_fingerprint: the code that makes outputs (converting, checking, writing them), as
        # in every output's key: a change to any of it converts the wordings again.
        how = [SCHEMA, bundle_version(), pandoc_path(), code_fingerprint(), settings.limits.max_tree_depth]
        self._how = json.dumps(how)
        self._texts = dict(_READ.get(self.build_dir, [self.path], lambda: _read(self.path)))
        self._changed = False

    def _key(self, disclaimer: Disclaimer) -> str:
        return hashlib.sha256(f"{self._how}\0{disclaimer.text}".encode()).hexdigest()

    def get(self, disclaimer: Disclaimer) -> Kept | None:
        """The wording's html, plain text and blocks as kept, or None (convert it)."""
        kept = self._texts.get(self._key(disclaimer))
        if not isinstance(kept, dict):
            return None
        html, plain, ast = kept.get("html"), kept.get("plain"), kept.get("ast")
        if isinstance(html, str) and isinstance(plain, str) and isinstance(ast, list):
            return html, plain, ast
        return None

    def put(self, disclaimer: Disclaimer, text: DisclaimerText) -> None:
        """Keep a wording converted whole and without warnings (the caller's to know)."""
        if doctree.images({"blocks": text.ast}):
            return  # its AST names an image's path on this machine
        key = self._key(disclaimer)
        self._texts.pop(key, None)  # the newest last: the oldest are dropped first
        self._texts[key] = {"html": text.html, "plain": text.plain, "ast": text.ast}
        self._changed = True

    def save(self) -> None:
        """Write the file, when a wording was added and build/ exists."""
        if not self._changed or not self.build_dir.is_dir():
            return
        texts = dict(list(self._texts.items())[-KEPT_AT_MOST:])
        write_atomic(self.path, outline({"schema": SCHEMA, "texts": texts}, 2).encode("utf-8"))
        _READ.remember(self.build_dir, self.path, texts)
        self._changed = False
