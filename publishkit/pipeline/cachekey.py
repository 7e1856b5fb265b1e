"""Cache keys: an output is rebuilt only when something it depends on changed."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from ..formats import Format
from ..kit.fsutil import sha256
from ..kit.i18n import find_catalog, is_english
from ..kit.versions import NotInstalled, version
from ..model.article import Article
from ..model.manifest import ManifestEntry
from ..model.registry import Disclaimer
from ..model.remembered import mentions
from ..model.settings import Brand, Settings

TOOL_PACKAGES = (
    "publishkit",
    "pypandoc-binary",
    "weasyprint",
    "python-docx",
    "css-inline",
    "nh3",
    "Jinja2",
)


def tool_versions() -> dict[str, str]:
    """Versions from package metadata: known without importing WeasyPrint or starting pandoc
    (kit/versions.py: without importing importlib.metadata either)."""
    return dict(_tool_versions())


@cache
def _tool_versions() -> dict[str, str]:
    # Installed versions do not change while a build runs: read the metadata once per process.
    out = {}
    for name in TOOL_PACKAGES:
        try:
            out[name] = version(name)
        except NotInstalled:
            out[name] = "not installed"
    return out


# The package's folders whose code shapes no output: the command line, the content checks (their
# results have a key of their own, with their code: checks/checkkey.py) and the gallery (its
# stamp holds its code: site/stamp.py). Every other file of the package makes or audits outputs.
NOT_OUTPUT_CODE = ("cli", "checks", "site")


def code_fingerprint() -> str:
    """The digest of the code that makes and audits the outputs (this package but
    NOT_OUTPUT_CODE): part of every key, so a new version of a renderer, of the audit or of
    pandoc's batch script rebuilds what it would now make differently."""
    return _code_fingerprint(Path(__file__).resolve().parent.parent)


@cache
def _code_fingerprint(package: Path) -> str:
    # Read once per process (about 4 ms): a process runs the code it started with.
    h = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        inside = path.relative_to(package).parts
        if path.is_file() and "__pycache__" not in inside and inside[0] not in NOT_OUTPUT_CODE:
            h.update(path.relative_to(package).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def intact(path: Path | None, entry: ManifestEntry) -> bool:
    """The output is still exactly what the manifest says was built (no hand edits, no truncation)."""
    try:
        return path is not None and sha256(path.read_bytes()) == entry.sha256
    except OSError:
        return False


def hash_files(paths: Sequence[Path]) -> str:
    """One digest of the files' names and bytes. Remembered for as long as every file keeps its
    size and mtime: the templates and fonts are part of every article's key, and are read once
    per process instead of once per article."""
    stamps = []
    for p in sorted(paths):
        try:
            st = p.stat()
            stamps.append((p, st.st_mtime_ns, st.st_size, p.is_file()))
        except OSError:
            stamps.append((p, 0, -1, False))
    memo = tuple(stamps)
    if memo not in _HASHES:
        h = hashlib.sha256()
        for p in sorted(paths):
            h.update(p.name.encode())
            h.update(p.read_bytes() if p.is_file() else b"<missing>")
        _HASHES[memo] = h.hexdigest()
    return _HASHES[memo]


_HASHES: dict[tuple[tuple[Path, int, int, bool], ...], str] = {}


def template_paths(settings: Settings, renderer: Format) -> list[Path]:
    """The files under templates/ the format declares it reads (its templates, and its fonts)."""
    paths = [settings.templates_dir / t for t in renderer.templates]
    fonts = settings.templates_dir / "fonts"
    if renderer.fonts and fonts.is_dir():
        paths.extend(p for p in fonts.iterdir() if p.is_file())
    return paths


def catalog_hash(settings: Settings, language: str) -> str:
    """The digest of the language's catalog (templates/locale/): editing es.po rebuilds the
    Spanish outputs only. English and a language without a catalog have none."""
    found = None if is_english(language) else find_catalog(settings.templates_dir, language)
    return hash_files([found[1]]) if found else ""


_IDENTITY = ("from_", "reply_to", "unsubscribe_url")
_PLAN_ONLY = ("editions", "large_print")


def _asset_files(settings: Settings) -> list[Path]:
    """The files in source/assets/ (symlinks are never read: the build refuses them, and hashing
    one would read any file at all)."""
    if not settings.assets_dir.is_dir() or settings.assets_dir.is_symlink():
        return []
    return [p for p in settings.assets_dir.iterdir() if p.is_file() and not p.is_symlink()]


def _asset_paths(files: list[Path], article: Article, brand: Brand) -> list[Path]:
    """Assets an article may pull in: its own images (by name in the text) and the brand logo."""
    return [p for p in files if mentions(article, f"assets/{p.name}") or p.name == brand.logo]


class KeyMemo:
    """What every output's key of one build shares, worked out once per build instead of once per
    output (a 50-article catalog has 250 keys): each format's templates and settings, each
    clinic's details, each language's catalog, the asset list. One memo per build, never kept
    longer: a file edited between two builds is read again by the next."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._parts: dict[tuple[str, ...], Any] = {}

    def get(self, what: tuple[str, ...], make: Any) -> Any:
        if what not in self._parts:
            self._parts[what] = make()
        return self._parts[what]

    def assets(self) -> list[Path]:
        return self.get(("assets",), lambda: _asset_files(self.settings))  # type: ignore[no-any-return]


def _sections(settings: Settings, renderer: Format) -> dict[str, Any]:
    # Which editions exist is the plan's business; each output's key has its own edition.
    # The sender identity ([tool.publish.email] from, ...) is the clinic's: in "brand".
    return {
        s: {k: v for k, v in settings.section(s).items() if k not in _PLAN_ONLY and k not in _IDENTITY}
        for s in renderer.settings_sections
        if s != "brand"
    }


def cache_key(
    settings: Settings,
    renderer: Format,
    article: Article,
    disclaimers: Sequence[Disclaimer],
    versions: dict[str, str],
    review: str = "",
    brand: Brand | None = None,
    edition: str = "standard",
    memo: KeyMemo | None = None,
) -> str:
    """The key of one output. A variant's key holds its own clinic's details and nothing of the
    other clinics', so changing one clinic's phone number rebuilds only that clinic's outputs.
    ``memo``: the build's, shared by all its keys (the same key, worked out once per build)."""
    brand = brand or settings.brands["default"]
    memo = memo or KeyMemo(settings)
    language = article.meta.language
    data: dict[str, Any] = {
        "review": review,  # the review state changes outputs: an overdue article carries a mark
        "format": renderer.name,
        "brand": memo.get(("brand", brand.id), lambda: dataclasses.asdict(brand)),
        "edition": edition,
        "source": article.sha256,
        "disclaimers": [[d.id, d.text, d.short] for d in disclaimers],
        # the wording of this clinic's taglines (source/taglines.yaml), not the whole file's
        "taglines": [[t.lang, t.name, t.text] for t in settings.taglines.pick(brand.taglines)],
        "templates": memo.get(
            ("templates", renderer.name), lambda: hash_files(template_paths(settings, renderer))
        ),
        "catalog": memo.get(("catalog", language), lambda: catalog_hash(settings, language)),
        "assets": hash_files(_asset_paths(memo.assets(), article, brand)),
        "settings": memo.get(("settings", renderer.name), lambda: _sections(settings, renderer)),
        "versions": versions,
        "code": code_fingerprint(),
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
