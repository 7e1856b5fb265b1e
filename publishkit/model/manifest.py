"""build/manifest.json: what was built, from what, with which disclaimers; written last."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..kit.fsutil import write_atomic
from ..kit.jsonfile import outline
from ..kit.statmemo import StatMemo

MANIFEST = "manifest.json"
SCHEMA = 2  # 2: entries are keyed by (slug, format, brand, language, edition)

Key = tuple[str, str, str, str, str]


@dataclass(frozen=True)
class ManifestEntry:
    path: str  # relative to build/
    slug: str
    format: str
    sha256: str
    bytes: int
    disclaimers: tuple[str, ...]
    registry_sha256: str
    source_sha256: str
    templates_sha256: str
    key: str  # the cache key: rebuild when it changes
    built_at: str
    versions: dict[str, str] = field(default_factory=dict)
    pages: int | None = None
    brand: str = "default"  # the clinic
    language: str = ""  # the output's language (the article's own, until translations)
    edition: str = "standard"
    approved: bool = False  # the clinical content matches an approval
    approval: str = ""  # the approval it matches, else the last one it differs from

    @property
    def manifest_key(self) -> Key:
        return (self.slug, self.format, self.brand, self.language, self.edition)

    def to_json(self) -> dict[str, Any]:
        # What dataclasses.asdict gives, without its deep copy of every value: it was 0.3 s of
        # writing a 2,500-output manifest.
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["disclaimers"] = list(self.disclaimers)
        data["versions"] = dict(self.versions)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ManifestEntry:
        """The entry ``to_json`` made; raises TypeError (as the class does) when a field without
        a default is missing. Unknown keys are left out."""
        if isinstance(data, dict) and data.keys() == _FIELDS:  # every field, as to_json writes them
            # Filled in directly, not through the frozen class's __init__ (an object.__setattr__
            # a field): a 500-article manifest's 2,500 entries took 12 ms that way, 2.5 ms this way.
            entry = object.__new__(cls)
            entry.__dict__.update(data)
            entry.__dict__["disclaimers"] = tuple(data["disclaimers"])
            return entry
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        known["disclaimers"] = tuple(known.get("disclaimers", ()))
        return cls(**known)


_FIELDS = frozenset(ManifestEntry.__dataclass_fields__)


# The manifest this process last read or wrote, by build folder, while the file is unchanged (a
# watcher reads it before each rebuild and writes it after).
_READ: StatMemo[dict[Key, ManifestEntry]] = StatMemo()


def load_manifest(build_dir: Path) -> dict[Key, ManifestEntry]:
    """Entries by (slug, format, brand, language, edition); an unreadable manifest, or one of an
    older schema, counts as empty (everything rebuilds)."""
    path = build_dir / MANIFEST
    return dict(_READ.get(build_dir, [path], lambda: _read_manifest(path)))


def _read_manifest(path: Path) -> dict[Key, ManifestEntry]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("schema") != SCHEMA:
            return {}
        entries = (ManifestEntry.from_json(e) for e in data.get("outputs", []))
        return {e.manifest_key: e for e in entries}
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return {}


def save_manifest(
    build_dir: Path,
    entries: dict[Key, ManifestEntry],
    built_at: str,
    versions: dict[str, str],
    shard: str | None = None,
) -> None:
    """Write build/manifest.json; ``shard`` ("K/N") marks a partial one, for merge-manifests."""
    outputs = [entries[k].to_json() for k in sorted(entries)]
    data: dict[str, Any] = {"schema": SCHEMA, "built_at": built_at, "versions": versions, "outputs": outputs}
    if shard is not None:
        data["shard"] = shard
    text = outline(data, 2, sort_keys=True)  # one output a line
    write_atomic(build_dir / MANIFEST, text.encode("utf-8"))
    if shard is None:  # what load_manifest would read back, in its order
        _READ.remember(build_dir, build_dir / MANIFEST, {k: entries[k] for k in sorted(entries)})
