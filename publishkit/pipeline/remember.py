"""build/.sources.json: what each article file was when last read, so an unchanged one is not read.

For every article that loaded, the file's stat (size, mtime_ns, ctime_ns, inode) and sha256, and
what loading found: the front matter, the body's first line, the line of ``reviewed:``, the text
after each ``assets/``, and which disclaimers each registry resolved to. A later command whose
file has the same stat uses that instead of reading, hashing and parsing the file again, so a
build's cost follows what changed, not the size of the catalog.

A file changed within RACY_NS of being read may be changed again within the same clock tick
without its stat showing it: its stat is not remembered, so the next command reads it again.
Anything of this module, the article model or the limits changing forgets every record.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import time
from datetime import date
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import PublishError
from ..kit.fsutil import write_atomic
from ..kit.jsonfile import outline
from ..kit.statmemo import StatMemo
from ..model.article import Article, FrontMatter, load_article
from ..model.registry import Disclaimer, Registry
from ..model.remembered import RememberedArticle, asset_tails
from ..model.settings import Settings
from .translations import with_translation

SOURCES_JSON = ".sources.json"
SCHEMA = 3  # 2: front-matter lines and key lines kept; 3: the original a translation translates
RACY_NS = 2_000_000_000  # 2 s: coarser than any file system's mtime (FAT's is 2 s)


def _stat(path: Path) -> list[int] | None:
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_mode]


def _fingerprint(settings: Settings) -> str:
    """What a record is only valid for: the limits loading applies and the code that loads."""
    here = Path(__file__).resolve().parent.parent / "model"
    h = hashlib.sha256(f"{SCHEMA} {__version__}".encode())
    h.update(json.dumps(dataclasses.asdict(settings.limits), sort_keys=True).encode())
    for name in ("article.py", "langtag.py", "yamlsafe.py", "nesting.py", "registry.py", "remembered.py"):
        h.update((here / name).read_bytes())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()


def registry_fingerprint(registry: Registry) -> str:
    """What resolve() depends on besides the article: each entry's id, rule and patterns (one per
    language)."""
    rules = [[d.id, d.applies, d.match, [list(m) for m in d.matches_by]] for d in registry.entries]
    return hashlib.sha256(json.dumps(rules).encode()).hexdigest()[:16]


def _meta_json(meta: FrontMatter) -> dict[str, Any]:
    data = dataclasses.asdict(meta)
    data["reviewed"] = meta.reviewed.isoformat()
    return data


def _meta_of(data: dict[str, Any]) -> FrontMatter:
    values = dict(data)
    values["reviewed"] = date.fromisoformat(values["reviewed"])
    for key in ("disclaimers", "tags"):
        values[key] = tuple(values[key])
    return FrontMatter(**values)


# build/.sources (its text, and parsed) as this process last read or wrote it, while the file
# keeps its stat: a watcher's edit does not parse every article's record again (about 15 ms at
# 500 articles). Shared by every SourceCache of the process: read, never changed.
_READ: StatMemo[tuple[str, dict[str, Any]]] = StatMemo()


def _read_records(path: Path) -> tuple[str, dict[str, Any]]:
    """build/.sources's text ("" when it cannot be read) and its JSON ({} when it is not JSON)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, ValueError):
        return "", {}
    try:
        data = json.loads(text)
    except ValueError:
        return text, {}
    return text, data if isinstance(data, dict) else {}


class SourceCache:
    """The records of one build folder: load(path) gives the Article, remembered when unchanged."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.fingerprint = _fingerprint(settings)
        self.records: dict[str, dict[str, Any]] = {}
        self.reads = 0  # article files read by this object (for the tests and the benchmark)
        self._fingerprints: dict[int, str] = {}
        self._registries: list[Registry] = []
        # Each disclaimer's wording in each language, once per registry (a gallery resolves
        # every article; most share a few disclaimers and languages).
        self._worded: dict[tuple[int, str, str], Disclaimer] = {}
        path = settings.build_dir / SOURCES_JSON
        self._text, data = _READ.get(settings.build_dir, [path], lambda: _read_records(path))
        # What the file holds, as ``save`` would make it (None: unknown, or of another schema).
        self._saved: tuple[str, dict[str, Any]] | None = None
        try:
            if data.get("schema") == SCHEMA and data.get("fingerprint") == self.fingerprint:
                self.records = dict(data["articles"])
                self._saved = (self.fingerprint, data["articles"])
        except (KeyError, TypeError, ValueError):
            pass

    def load(self, path: Path) -> Article:
        """The article at ``path``: from its record when the file's stat is the remembered one,
        else read and parsed (raising SourceError as load_article does) and remembered."""
        stat = _stat(path)
        record = self.records.get(path.stem)
        if stat is not None and record is not None and record.get("stat") == stat:
            try:
                return RememberedArticle(
                    slug=path.stem,
                    path=path,
                    meta=_meta_of(record["meta"]),
                    body_line=int(record["body_line"]),
                    sha256=str(record["sha256"]),
                    tails=list(record["tails"]),
                    limits=self.settings.limits,
                    front_lines=tuple(record["front_lines"]),
                    key_lines={tuple(k): int(n) for k, n in record["key_lines"]},
                    translates=str(record["translates"]),
                )
            except (KeyError, TypeError, ValueError):
                pass  # a damaged record: read the file
        self.records.pop(path.stem, None)
        self.reads += 1
        article = load_article(path, self.settings.limits)
        self.records[path.stem] = {
            "stat": stat,
            "sha256": article.sha256,
            "meta": _meta_json(article.meta),
            "body_line": article.body_line,
            "front_lines": list(article.front_lines),
            "key_lines": [[list(k), n] for k, n in sorted(article.key_lines.items(), key=str)],
            "tails": asset_tails(article.body),
            "translates": article.translates,
            "resolved": {},
        }
        return article

    def resolve(self, registry: Registry, article: Article) -> tuple[Disclaimer, ...]:
        """registry.resolve(article), remembered per registry for an unchanged file."""
        record = self.records.get(article.slug)
        if record is None or record.get("sha256") != article.sha256:
            return registry.resolve(article)
        fp = self._fingerprints.get(id(registry))
        if fp is None:  # once per registry: this runs for every article a gallery shows
            fp = self._fingerprints[id(registry)] = registry_fingerprint(registry)
            self._registries.append(registry)  # alive as long as its id is a key here
        ids = record["resolved"].get(fp)
        if ids is None or any(registry.get(i) is None for i in ids):
            ids = [d.id for d in registry.resolve(article)]
            # A new record: the one read may be shared with what this process remembers (_READ).
            self.records[article.slug] = {**record, "resolved": {**record["resolved"], fp: ids}}
        # Worded for the article's language, as registry.resolve() gives them.
        return tuple(
            self._in_language(registry, i, article.meta.language) for i in ids if registry.get(i) is not None
        )

    def _in_language(self, registry: Registry, id_: str, lang: str) -> Disclaimer:
        """``registry.get(id_).in_language(lang)``, worked out once (a missing wording raises
        its RegistryError every time, as that does)."""
        key = (id(registry), id_, lang)
        found = self._worded.get(key)
        if found is None:
            entry = registry.get(id_)
            assert entry is not None
            found = self._worded[key] = entry.in_language(lang, registry.path)
        return found

    def save(self, existing: set[str]) -> None:
        """Write the records of the articles that still exist (only when they changed). A file
        modified within RACY_NS of now keeps no stat, so the next command reads it again."""
        now = time.time_ns()
        records = {}
        for slug, record in sorted(self.records.items()):
            if slug not in existing:
                continue
            stat = record.get("stat")
            if stat is not None and stat[1] >= now - RACY_NS:
                record = {**record, "stat": None}
            records[slug] = record
        if self._saved == (self.fingerprint, records):  # mostly the same objects: no text to make
            return
        data = {"schema": SCHEMA, "fingerprint": self.fingerprint, "articles": records}
        text = outline(data, 2, sort_keys=True, indent=" ")  # one article a line
        if text != self._text:
            path = self.settings.build_dir / SOURCES_JSON
            write_atomic(path, text.encode("utf-8"))
            self._text = text
            _READ.remember(self.settings.build_dir, path, (text, data))
        self._saved = (self.fingerprint, records)


def load_all(
    sources: SourceCache, paths: list[Path], registries: dict[str, Registry], strict: bool = False
) -> tuple[list[tuple[Article, dict[str, tuple[Disclaimer, ...]]]], list[tuple[Path, PublishError]]]:
    """Every article with the disclaimers each clinic's registry resolves for it (a stale
    translation's with its mark, see translations.py); and the files that failed to load or
    resolve, with why. ``strict`` refuses a stale translation."""
    loaded, failed = [], []
    for path in paths:
        try:
            article = sources.load(path)
            applying = {b: sources.resolve(r, article) for b, r in registries.items()}
            if article.translates:  # its original and record are other files: judged every run
                applying = with_translation(sources.settings, article, applying, strict)
        except PublishError as exc:
            failed.append((path, exc))
            continue
        loaded.append((article, applying))
    return loaded, failed
