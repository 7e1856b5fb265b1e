"""Which articles a command means: every file in source/, or those the command line names."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher, get_close_matches
from pathlib import Path

from ..errors import SourceError
from ..kit.statmemo import StatMemo
from ..model.langtag import split_stem
from ..model.settings import Settings

# Up to this many articles, an unknown slug's error lists them all; beyond, it suggests the closest.
LIST_AT_MOST = 10
SUGGEST = 3  # how many close slugs to suggest
SIMILAR = 0.6  # difflib's ratio a slug needs to be suggested (difflib's own default)


# source/'s articles as last listed, while the folder keeps its stat: a build lists it four times
# (the command line, the checks, the gallery, the end), a watcher at every edit.
_LISTED: StatMemo[list[Path]] = StatMemo()


def discover(settings: Settings) -> list[Path]:
    """The articles in source/ (its .md files), each original first, then its translations
    (source/<slug>.<L>.md)."""
    src = settings.source_dir
    if not src.is_dir():
        raise SourceError(f"the source folder {settings.source}/ does not exist")
    # A folder's stat changes when a name in it is added, removed or renamed: all a listing shows.
    return list(_LISTED.get(src, [src], lambda: _listing(src)))


def _listing(src: Path) -> list[Path]:
    # One listing, with the types it gives: a glob and then a stat an article took 3 ms at 500.
    # A symlinked article is listed so that loading it reports it, instead of skipping it silently.
    try:
        with os.scandir(src) as listing:
            found = [
                Path(e.path) for e in listing if e.name.endswith(".md") and (e.is_file() or e.is_symlink())
            ]
    except PermissionError:  # what glob made of a folder it may not list: nothing in it
        return []
    return sorted(found, key=lambda p: split_stem(p.stem))


def slug_of(settings: Settings, arg: str) -> str:
    """The slug a command-line argument names: ``x``, ``x.md`` and ``source/x.md`` (from anywhere,
    or absolute) all name ``x``. A .md file in another folder stays as given, so it is not found."""
    path = Path(arg)
    if path.suffix != ".md":
        return arg
    if len(path.parts) == 1:
        return path.stem
    src = settings.source_dir.resolve()
    try:
        if path.resolve().parent == src or (settings.root / path).resolve().parent == src:
            return path.stem
    except (OSError, ValueError):  # a NUL byte, a loop of links: not an article either way
        pass
    return arg


def select(settings: Settings, args: Sequence[str]) -> list[Path]:
    """The articles the command line names, in its order (every article when it names none).
    An original's slug names its translations too; ``<slug>.<L>`` names one translation."""
    paths = discover(settings)
    if not args:
        return paths
    known = {p.stem: p for p in paths}
    chosen: dict[str, Path] = {}
    for arg in args:
        slug = slug_of(settings, arg)
        if slug not in known:
            raise SourceError(_unknown(settings, arg, slug, list(known)))
        chosen[slug] = known[slug]
        chosen.update((p.stem, p) for p in paths if split_stem(p.stem)[0] == slug)
    return list(chosen.values())


def _unknown(settings: Settings, arg: str, slug: str, known: list[str]) -> str:
    """The one line for an argument that names no article: every article in a small catalog,
    else the few slugs closest to what was typed."""
    src = f"{settings.source}/"
    if len(known) <= LIST_AT_MOST:
        return f"no article '{arg}' in {src}. Articles: {', '.join(known) or '(none)'}"
    missing = f"no article '{arg}' in {src} ({len(known)} articles)"
    hint = f"Articles are the .md files in {src}; name one without .md"
    # difflib breaks ties in reverse alphabetical order (-407 before -007): rank ties alphabetically.
    close = get_close_matches(slug, known, n=len(known), cutoff=SIMILAR)
    close.sort(key=lambda s: (-SequenceMatcher(None, s, slug).ratio(), s))
    if not close:
        return f"{missing}, and none with a similar name. {hint}"
    return f"{missing}. Did you mean: {', '.join(close[:SUGGEST])}? {hint}"


def articles_reached(settings: Settings, changed: Iterable[str]) -> list[str] | None:
    """The articles a change to ``changed`` (paths from the project's root) can reach, as slugs
    for ``select``: when every one is an article file in source/ that is there, those articles
    (an original with its translations); None when anything else changed, a registry, the
    settings, a template, an image, an approval or a deleted article: then everything can be
    reached."""
    src = settings.source_dir.resolve()
    slugs: list[str] = []
    for name in changed:
        path = settings.root / name
        try:
            if path.suffix != ".md" or path.parent.resolve() != src or not path.is_file():
                return None
        except (OSError, ValueError):
            return None
        slugs.append(path.stem)
    return slugs or None
