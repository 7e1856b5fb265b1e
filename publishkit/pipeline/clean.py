"""``publish.py clean``: remove what the build made from build/, and nothing a person put there."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..kit.fsutil import TMP_PREFIX, build_lock, sha256
from ..model.manifest import MANIFEST, load_manifest
from ..model.settings import Settings
from ..site.gallery import made_by_gallery
from ..site.thumbs import GALLERY_DIR
from .disclaimerstore import STORE as DISCLAIMERS_JSON
from .remember import SOURCES_JSON


@dataclass
class Cleaned:
    removed: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)  # not made by the build
    changed: list[Path] = field(default_factory=list)  # made by the build, then edited by someone


def _inside(build_dir: Path, rel: str) -> Path | None:
    """``build_dir/rel`` if it is a regular file really inside build/ (a tampered manifest cannot
    point outside it, and a symlink is never followed)."""
    path = build_dir / rel
    try:
        real = Path(os.path.realpath(path))
        if path.is_symlink() or not real.is_relative_to(Path(os.path.realpath(build_dir))):
            return None
    except (OSError, ValueError):
        return None
    return path if path.is_file() else None


def clean(settings: Settings) -> Cleaned:
    from ..checks.runner import CHECK_JSON

    build_dir = settings.build_dir
    result = Cleaned()
    if not build_dir.is_dir():
        return result
    with build_lock(build_dir):
        manifest = load_manifest(build_dir)
        targets: list[Path] = []
        folders = {build_dir / GALLERY_DIR}
        for entry in manifest.values():
            folder = (build_dir / entry.path).parent
            if Path(os.path.realpath(folder)).is_relative_to(Path(os.path.realpath(build_dir))):
                folders.add(folder)
            path = _inside(build_dir, entry.path)
            if path is None:
                continue
            if sha256(path.read_bytes()) == entry.sha256:
                targets.append(path)
            else:
                result.changed.append(path)
        for path in made_by_gallery(build_dir):
            if _inside(build_dir, str(path.relative_to(build_dir))) is not None:
                targets.append(path)
        targets += list(build_dir.rglob(f"{TMP_PREFIX}*"))  # left by a build that was killed
        # The manifest last: until then it says what was made.
        for name in (CHECK_JSON, SOURCES_JSON, DISCLAIMERS_JSON, MANIFEST):
            if _inside(build_dir, name) is not None:
                targets.append(build_dir / name)
        for path in targets:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                result.removed.append(path)
        for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
            with contextlib.suppress(OSError):  # only when empty: a person's files keep it
                folder.rmdir()
    with contextlib.suppress(OSError):
        build_dir.rmdir()
    if build_dir.is_dir():
        changed = set(result.changed)
        result.kept = sorted(
            p for p in build_dir.rglob("*") if (p.is_file() or p.is_symlink()) and p not in changed
        )
    return result
