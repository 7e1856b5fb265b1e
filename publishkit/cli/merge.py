"""`publish.py merge-manifests DIR...`: gather the shards' build/ folders into this project's build/.

Each shard (`publish.py all --shard K/N`) leaves a build/ folder with its outputs and a partial
manifest. This copies every output its manifest lists into build/, refusing two different files
for one path and any file that no longer matches its shard's manifest, then writes one manifest
(and build/check.json) for all of them and the gallery, as one build would.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import PublishError

MAX_OUTPUT_BYTES = 1 << 30  # a shard's file is read whole; no output of ours comes near this
RESERVED = ("manifest.json", "check.json", ".sources.json", ".disclaimers.json", "index.html", "_gallery")


class MergeError(PublishError):
    category = "merge"


@dataclass
class ShardBuild:
    folder: Path
    shard: str | None  # "K/N", or None for a whole build
    built_at: str
    versions: dict[str, str]
    entries: list[Any]  # ManifestEntry


def add_shard_argument(sp: argparse.ArgumentParser) -> None:
    sp.add_argument(
        "--shard",
        type=_shard,
        metavar="K/N",
        help="build only the K-th of N parts of the jobs, balanced by cost (then merge-manifests)",
    )


def _shard(text: str) -> Any:
    from ..pipeline.shard import ShardError, parse_shard

    try:
        return parse_shard(text)
    except ShardError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def add_parser(sub: Any) -> None:
    sp = sub.add_parser(
        "merge-manifests",
        help="gather the build/ folders of `all --shard K/N` runs into build/, with one manifest",
    )
    sp.add_argument("folders", nargs="+", metavar="DIR", help="each shard's build/ folder")
    sp.add_argument("--quiet", action="store_true", help="print only problems")
    sp.set_defaults(run=cmd_merge)


def cmd_merge(args: argparse.Namespace, root: Path) -> int:
    from ..model.settings import load_settings
    from .console import EXIT_FAILED, EXIT_OK, print_problems

    settings = load_settings(root)
    count, report = merge(settings, [Path(f) for f in args.folders])
    print_problems(report, root)
    if not args.quiet:
        print(f"Merged {count} output(s) from {len(args.folders)} folder(s) into {settings.build}/")
    return EXIT_FAILED if report.errors else EXIT_OK


def _read_shard(folder: Path) -> ShardBuild:
    from ..model.manifest import MANIFEST, SCHEMA, ManifestEntry

    path = folder / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise ValueError(f"not a manifest of schema {SCHEMA}")
        entries = [ManifestEntry.from_json(e) for e in data["outputs"]]
        return ShardBuild(folder, data.get("shard"), str(data["built_at"]), dict(data["versions"]), entries)
    except FileNotFoundError:
        raise MergeError(f"no {MANIFEST} here: give each shard's build/ folder", path=folder) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise MergeError(f"unreadable manifest: {exc}", path=path) from None


def _check_cover(shards: Sequence[ShardBuild]) -> None:
    """Shards must be all the parts of one split, each once: a missing part would pass `verify`."""
    labels = [s.shard for s in shards if s.shard is not None]
    if not labels:
        return
    if len(labels) != len(shards):
        whole = next(s.folder for s in shards if s.shard is None)
        raise MergeError("a whole build cannot be merged with shards", path=whole)
    from ..pipeline.shard import ShardError, parse_shard

    seen: dict[str, Path] = {}
    for s in shards:
        label = str(s.shard)
        try:
            parse_shard(label)
        except ShardError:
            raise MergeError(f"the manifest names shard '{label}', not K/N", path=s.folder) from None
        if label in seen:
            raise MergeError(f"shard {label} is given twice (also {seen[label]})", path=s.folder)
        seen[label] = s.folder
    counts = sorted({label.split("/")[1] for label in seen}, key=int)
    if len(counts) > 1:
        raise MergeError(f"shards of different splits: {', '.join(sorted(seen))}")
    n = int(counts[0])
    missing = [f"{k}/{n}" for k in range(1, n + 1) if f"{k}/{n}" not in seen]
    if missing:
        raise MergeError(f"shard {', '.join(missing)} missing: give the build/ folder of every shard")


def _safe_parts(shard: ShardBuild, rel: str) -> list[str]:
    path = PurePosixPath(rel)
    parts = list(path.parts)
    if path.is_absolute() or not parts or any(p in ("", ".", "..") for p in parts) or parts[0] in RESERVED:
        raise MergeError(f"the manifest lists '{rel}', which is not an output path", path=shard.folder)
    return parts


def _collect(shards: Sequence[ShardBuild]) -> tuple[dict[Any, Any], dict[str, tuple[bytes, Path]]]:
    """Every entry by manifest key and every file by path, read and checked against its shard."""
    entries: dict[Any, Any] = {}
    files: dict[str, tuple[bytes, Path]] = {}
    versions = shards[0].versions
    for shard in shards:
        if shard.versions != versions:
            raise MergeError(
                f"built with other tool versions than {shards[0].folder} (every shard must run the "
                "same publishkit, pandoc and WeasyPrint)",
                path=shard.folder,
            )
        for entry in shard.entries:
            _take(shard, entry, entries, files)
    return entries, files


Files = dict[str, tuple[bytes, Path]]  # path under build/: (bytes, the shard folder it came from)


def _take(shard: ShardBuild, entry: Any, entries: dict[Any, Any], files: Files) -> None:
    from ..kit.fsutil import UnsafePath, read_beneath, sha256

    where = shard.folder / entry.path
    try:
        data = read_beneath(shard.folder, _safe_parts(shard, entry.path), MAX_OUTPUT_BYTES)
    except (UnsafePath, OSError) as exc:
        raise MergeError(f"listed in its shard's manifest but not readable: {exc}", path=where) from None
    if sha256(data) != entry.sha256:
        raise MergeError("changed since its shard built it (sha256 differs from its manifest)", path=where)
    seen = files.get(entry.path)
    if seen is not None and seen[0] != data:
        raise MergeError(
            f"two different files for one path, from {seen[1]} and {shard.folder}",
            path=f"build/{entry.path}",
        )
    files[entry.path] = (data, shard.folder)
    other = entries.get(entry.manifest_key)
    if other is not None and other.sha256 != entry.sha256:  # one output, built twice differently
        raise MergeError(f"two different builds of one output: {other.path} and {entry.path}", path=where)
    entries[entry.manifest_key] = entry


def _merge_checks(shards: Sequence[ShardBuild]) -> dict[str, Any] | None:
    """build/check.json of every shard as one (each shard checked the articles it built)."""
    from ..checks.runner import CHECK_JSON, SCHEMA

    articles: dict[str, Any] = {}
    dates: list[str] = []
    for shard in shards:
        try:
            data = json.loads((shard.folder / CHECK_JSON).read_text(encoding="utf-8"))
        except FileNotFoundError:
            continue
        except (OSError, ValueError) as exc:
            raise MergeError(f"unreadable: {exc}", path=shard.folder / CHECK_JSON) from None
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise MergeError(f"not a check report of schema {SCHEMA}", path=shard.folder / CHECK_JSON)
        articles.update(data.get("articles", {}))
        dates.append(str(data.get("checked_on", "")))
    if not dates:
        return None
    totals = {k: sum(a.get(k, 0) for a in articles.values()) for k in ("errors", "warnings", "notes")}
    return {
        "schema": SCHEMA,
        "checked_on": max(dates),
        "totals": {"articles": len(articles), **totals},
        "articles": dict(sorted(articles.items())),
    }


def merge(settings: Any, folders: Sequence[Path]) -> tuple[int, Any]:
    """Copy the shards' outputs into build/, write one manifest, check.json and the gallery."""
    from ..checks.runner import CHECK_JSON, report_text
    from ..kit.fsutil import build_lock, write_atomic
    from ..model.manifest import save_manifest
    from ..pipeline.build import load_registries
    from ..pipeline.outcome import Report
    from ..pipeline.site import write_site

    target = settings.build_dir.resolve()
    for folder in folders:
        if folder.resolve() == target:
            raise MergeError("is this project's own build/ folder: give the shards' copies", path=folder)
    shards = [_read_shard(f) for f in folders]
    _check_cover(shards)
    entries, files = _collect(shards)
    checks = _merge_checks(shards)
    report = Report()
    with build_lock(settings.build_dir):
        for rel, (data, _folder) in sorted(files.items()):
            dest = settings.build_dir / rel
            if not dest.is_file() or dest.read_bytes() != data:
                write_atomic(dest, data)
        if checks is not None:
            write_atomic(settings.build_dir / CHECK_JSON, report_text(checks).encode("utf-8"))
        built_at = max(s.built_at for s in shards)
        save_manifest(settings.build_dir, entries, built_at, shards[0].versions)
        used = [b for b in settings.brands if any(e.brand == b for e in entries.values())]
        write_site(settings, load_registries(settings, used or list(settings.brands)), entries, report)
    if not entries:
        print(f"Note: merge: the manifests list no outputs ({len(folders)} folder(s))", file=sys.stderr)
    return len(entries), report
