"""Orchestration: read and validate everything, convert in batches, render, audit, write atomically."""

from __future__ import annotations

import contextlib
import hashlib
import json
import tempfile
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from . import doctree
from .article import Article, load_article
from .assets import find_line, resolve_image
from .audit import EXTRACTORS, Requirement, audit
from .config import Settings, build_time
from .context import Body, DisclaimerText, RenderContext
from .disclaimers import Disclaimer, Registry, load_registry
from .errors import PublishError, RenderError, SourceError
from .fsutil import build_lock, remove_stale_temps, sha256, write_atomic
from .manifest import ManifestEntry, load_manifest, save_manifest
from .pandoc import WriteJob, read_many, write_many
from .renderers import REGISTRY, Renderer
from .review import review_status
from .templating import make_environment


@dataclass
class Outcome:
    slug: str
    format: str
    status: str  # built | unchanged | failed
    path: str = ""
    size: int = 0
    error: PublishError | None = None
    entry: ManifestEntry | None = None


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)
    errors: list[PublishError] = field(default_factory=list)  # problems not tied to one output
    warnings: list[PublishError] = field(default_factory=list)
    notes: list[PublishError] = field(default_factory=list)  # information only, never a failure

    @property
    def ok(self) -> bool:
        return not self.errors and all(o.status != "failed" for o in self.outcomes)


Progress = Callable[[Outcome], None]

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
    """Versions from package metadata: known without importing WeasyPrint or starting pandoc."""
    return dict(_tool_versions())


@cache
def _tool_versions() -> dict[str, str]:
    # Installed versions do not change while a build runs: read the metadata once per process.
    out = {}
    for name in TOOL_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _intact(path: Path | None, entry: ManifestEntry) -> bool:
    """The output is still exactly what the manifest says was built (no hand edits, no truncation)."""
    try:
        return path is not None and sha256(path.read_bytes()) == entry.sha256
    except OSError:
        return False


def _hash_files(paths: Sequence[Path]) -> str:
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


def template_paths(settings: Settings, renderer: Renderer) -> list[Path]:
    paths = [settings.templates_dir / t for t in renderer.templates]
    fonts = settings.templates_dir / "fonts"
    if getattr(renderer, "uses_fonts", False) and fonts.is_dir():
        paths.extend(p for p in fonts.iterdir() if p.is_file())
    return paths


def _asset_paths(settings: Settings, article: Article) -> list[Path]:
    """Assets an article may pull in: its own images (by name in the text) and the brand logo."""
    out = []
    if settings.assets_dir.is_dir():
        for p in settings.assets_dir.iterdir():
            if p.is_file() and (f"assets/{p.name}" in article.body or p.name == settings.brand.logo):
                out.append(p)
    return out


def cache_key(
    settings: Settings,
    renderer: Renderer,
    article: Article,
    disclaimers: Sequence[Disclaimer],
    versions: dict[str, str],
    review: str = "",
) -> str:
    data: dict[str, Any] = {
        "review": review,  # the review state changes outputs: an overdue article carries a mark
        "format": renderer.name,
        "source": article.sha256,
        "disclaimers": [[d.id, d.text, d.short] for d in disclaimers],
        "templates": _hash_files(template_paths(settings, renderer)),
        "assets": _hash_files(_asset_paths(settings, article)),
        "settings": {s: settings.section(s) for s in renderer.settings_sections},
        "versions": versions,
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


# --- the work for a chunk of articles (runs in a worker process when --jobs > 1) -------------


@dataclass(frozen=True)
class Task:
    article: Article
    disclaimers: tuple[Disclaimer, ...]
    formats: tuple[str, ...]
    keys: dict[str, str]


# Converted disclaimers by (registry path, registry sha256, id): a worker converts each applying
# disclaimer once, not once per chunk (each conversion is two pandoc starts).
_DISCLAIMERS: dict[tuple[str, str, str], DisclaimerText] = {}


def _disclaimer_texts(
    registry: Registry, needed: set[str], settings: Settings, tmp: Path
) -> dict[str, DisclaimerText]:
    known = {
        d.id: _DISCLAIMERS[(str(registry.path), registry.sha256, d.id)]
        for d in registry.entries
        if d.id in needed and (str(registry.path), registry.sha256, d.id) in _DISCLAIMERS
    }
    entries = [d for d in registry.entries if d.id in needed and d.id not in known]
    if not entries:
        return known
    converted = _convert_disclaimers(registry, entries, settings)
    for d_id, text in converted.items():
        _DISCLAIMERS[(str(registry.path), registry.sha256, d_id)] = text
    return {**known, **converted}


def _convert_disclaimers(
    registry: Registry, entries: list[Disclaimer], settings: Settings
) -> dict[str, DisclaimerText]:
    parsed = read_many({d.id: d.text for d in entries}, settings.limits.pandoc_timeout)
    asts = {}
    for d in entries:
        if d.id in parsed.errors:
            raise RenderError(
                f"disclaimer '{d.id}' could not be read: {parsed.errors[d.id]}", path=registry.path
            )
        ast, _removed = doctree.load_stripped(parsed.values[d.id])
        asts[d.id] = ast
    jobs = [WriteJob(f"{d.id}:{w}", asts[d.id], w) for d in entries for w in ("html5", "plain")]
    written = write_many(jobs, settings.limits.pandoc_timeout)
    return {
        d.id: DisclaimerText(
            entry=d,
            html=written.values[f"{d.id}:html5"],
            plain=written.values[f"{d.id}:plain"],
            ast=asts[d.id]["blocks"],
        )
        for d in entries
    }


def build_chunk(
    settings: Settings,
    registry: Registry,
    tasks: list[Task],
    built_at: datetime,
    strict: bool = False,
) -> tuple[list[Outcome], list[PublishError], str]:
    """Convert, render, audit and write every output of ``tasks``. Never raises a PublishError:
    each failure is an Outcome, so one bad article never costs the others their outputs."""
    outcomes: list[Outcome] = []
    warnings: list[PublishError] = []
    env = make_environment(settings.templates_dir)
    versions = tool_versions()
    with tempfile.TemporaryDirectory(prefix="publishkit-") as tmpdir:
        tmp = Path(tmpdir)
        try:
            needed = {d.id for t in tasks for d in t.disclaimers}
            dtexts = _disclaimer_texts(registry, needed, settings, tmp)
            parsed = read_many(
                {t.article.slug: t.article.body for t in tasks}, settings.limits.pandoc_timeout
            )
        except PublishError as exc:
            return (
                [Outcome(t.article.slug, f, "failed", error=exc) for t in tasks for f in t.formats],
                [],
                "",
            )

        # Per article: raw passthrough removed, images checked, per-format ASTs prepared.
        contexts: dict[str, RenderContext] = {}
        jobs: list[WriteJob] = []
        extras: dict[tuple[str, str], tuple[doctree.AST, dict[str, Any]]] = {}
        failed: dict[str, PublishError] = {}
        for task in tasks:
            art = task.article
            try:
                if art.slug in parsed.errors:
                    raise SourceError(
                        f"pandoc could not read the Markdown: {parsed.errors[art.slug]}",
                        path=art.path,
                    )
                ast, removed = doctree.load_stripped(parsed.values[art.slug])
                ast, unlinked = doctree.unsafe_links(ast)
                for raw in removed[:3]:
                    warnings.append(
                        SourceError(
                            f"raw HTML is not allowed and was left out: {raw[:60]!r}",
                            path=art.path,
                            line=find_line(art, raw),
                            category="warning",
                        )
                    )
                for target in unlinked[:3]:
                    warnings.append(
                        SourceError(
                            f"link to {target[:60]!r} was kept as plain text: links must start with "
                            "https://, http://, mailto:, tel: or #",
                            path=art.path,
                            line=find_line(art, target),
                            category="warning",
                        )
                    )
                mine = [w for w in warnings if w.path == str(art.path)]
                if strict and mine:
                    raise SourceError(
                        f"{mine[0].message} (--strict: warnings fail)",
                        path=art.path,
                        line=mine[0].line,
                    )
                images = {
                    src: resolve_image(src, art, settings.assets_dir) for src, _alt in doctree.images(ast)
                }
                ast = doctree.map_images(ast, lambda s, images=images: str(images.get(s, s)))  # type: ignore[misc]
                base = RenderContext(
                    article=art,
                    disclaimers=tuple(dtexts[d.id] for d in task.disclaimers),
                    settings=settings,
                    built_at=built_at,
                    env=env,
                    bodies={},
                )
                contexts[art.slug] = base
                for fmt in task.formats:
                    renderer = REGISTRY[fmt]
                    fmt_ast, extra = renderer.prepare_ast(doctree.for_format(ast, renderer.visibility), base)
                    extras[(art.slug, fmt)] = (fmt_ast, extra)
                    writer_asts = extra.get("writer_asts", {})  # a writer may need its own AST
                    for writer in renderer.pandoc:
                        out = str(tmp / f"{art.slug}.{fmt}.{writer}") if writer == "docx" else None
                        ref = renderer.reference_doc(settings) if writer == "docx" else None
                        jobs.append(
                            WriteJob(
                                f"{art.slug}\x1f{fmt}\x1f{writer}",
                                writer_asts.get(writer, fmt_ast),
                                writer,
                                out=out,
                                reference_doc=ref,
                            )
                        )
            except PublishError as exc:
                failed[art.slug] = exc
        try:
            written = write_many(jobs, settings.limits.pandoc_timeout) if jobs else None
        except PublishError as exc:
            return (
                [Outcome(t.article.slug, f, "failed", error=exc) for t in tasks for f in t.formats],
                warnings,
                "",
            )

        for task in tasks:
            art = task.article
            for fmt in task.formats:
                if art.slug in failed:
                    outcomes.append(Outcome(art.slug, fmt, "failed", error=failed[art.slug]))
                    continue
                outcomes.append(
                    _render_one(
                        settings,
                        registry,
                        task,
                        fmt,
                        contexts[art.slug],
                        extras,
                        written,
                        built_at,
                        versions,
                    )
                )
    return outcomes, warnings, written.version if written else ""


def _render_one(
    settings: Settings,
    registry: Registry,
    task: Task,
    fmt: str,
    base: RenderContext,
    extras: dict[tuple[str, str], tuple[doctree.AST, dict[str, Any]]],
    written: Any,
    built_at: datetime,
    versions: dict[str, str],
) -> Outcome:
    art = task.article
    renderer = REGISTRY[fmt]
    name = renderer.filename(art.slug)
    try:
        outputs: dict[str, Any] = {}
        for writer in renderer.pandoc:
            key = f"{art.slug}\x1f{fmt}\x1f{writer}"
            if key in written.errors:
                raise RenderError(f"pandoc could not write {writer}: {written.errors[key]}", path=name)
            value = written.values[key]
            outputs[writer] = Path(value).read_bytes() if writer == "docx" else value
        fmt_ast, extra = extras[(art.slug, fmt)]
        ctx = replace(base, bodies={fmt: Body(ast=fmt_ast, outputs=outputs, extra=extra)})
        data = renderer.render(ctx)
        extracted = EXTRACTORS[renderer.audit_kind](data)
        requirements = [Requirement(d.id, doctree.stringify(d.ast), d.short) for d in ctx.disclaimers]
        audit(name, extracted, requirements, ctx.review_line, marks=[ctx.review_status.mark])
        rel = f"{art.slug}/{name}"
        write_atomic(settings.build_dir / rel, data)
    except PublishError as exc:
        return Outcome(art.slug, fmt, "failed", error=exc)
    except Exception as exc:  # a bug, not a user's mistake: keep the traceback, build the rest
        traceback.print_exc()
        return Outcome(
            art.slug,
            fmt,
            "failed",
            error=PublishError(f"internal error: {exc!r}", path=name, category="internal"),
        )
    entry = ManifestEntry(
        path=rel,
        slug=art.slug,
        format=fmt,
        sha256=sha256(data),
        bytes=len(data),
        disclaimers=tuple(d.id for d in task.disclaimers),
        registry_sha256=registry.sha256,
        source_sha256=art.sha256,
        templates_sha256=_hash_files(template_paths(settings, renderer)),
        key=task.keys[fmt],
        built_at=built_at.isoformat(),
        versions={**versions, "pandoc": written.version},
        pages=len(extracted.pages) if renderer.audit_kind == "pdf" else None,
    )
    return Outcome(art.slug, fmt, "built", path=rel, size=len(data), entry=entry)


def _run_chunk(
    args: tuple[Settings, Registry, list[Task], datetime, bool],
) -> tuple[list[Outcome], list[PublishError], str]:
    return build_chunk(*args)


# --- the whole build ---------------------------------------------------------------------------


def discover(settings: Settings) -> list[Path]:
    src = settings.source_dir
    if not src.is_dir():
        raise SourceError("the source folder does not exist", path=src)
    return sorted(p for p in src.glob("*.md") if p.is_file())


def build(
    settings: Settings,
    formats: Sequence[str],
    slugs: Sequence[str] = (),
    *,
    force: bool = False,
    strict: bool = False,
    jobs: int = 1,
    progress: Progress | None = None,
    checks: bool = False,
) -> Report:
    """Build ``formats`` for every article (or only ``slugs``). Read and validate first, write last.

    With ``checks``, the content checks run first: an article with a check error (or, with
    ``strict``, a warning) is not built; the others are."""
    report = Report()
    built_at = build_time()
    registry = load_registry(settings.source_dir / "disclaimers.yaml")
    paths = discover(settings)
    if slugs:
        known = {p.stem: p for p in paths}
        missing = [s for s in slugs if s not in known]
        if missing:
            raise SourceError(
                f"no article '{missing[0]}'. Articles: {', '.join(known) or '(none)'}",
                path=settings.source_dir,
            )
        paths = [known[s] for s in slugs]
    versions = tool_versions()
    tasks: list[Task] = []
    with build_lock(settings.build_dir), contextlib.ExitStack() as stack:
        remove_stale_temps(settings.build_dir)
        old = load_manifest(settings.build_dir)
        entries = dict(old)
        loaded: list[tuple[Article, tuple[Disclaimer, ...]]] = []
        for path in paths:
            try:
                article = load_article(path, settings.limits)
                applying = registry.resolve(article)
            except PublishError as exc:
                for fmt in formats:
                    report.outcomes.append(Outcome(path.stem, fmt, "failed", error=exc))
                continue
            loaded.append((article, applying))
        pool = _warm_pool(settings, registry, formats, loaded, old, versions, built_at, jobs, force)
        if pool is not None:
            stack.callback(pool.shutdown)
        if checks:
            stopped = _run_checks(settings, [a for a, _d in loaded], built_at, strict, report, formats, jobs)
            loaded = [(a, d) for a, d in loaded if a.slug not in stopped]
        for article, applying in loaded:
            status = review_status(
                article.meta.reviewed,
                built_at.date(),
                settings.checks.review_every_months,
                settings.checks.due_soon_days,
            )
            todo: list[str] = []
            keys: dict[str, str] = {}
            for fmt in formats:
                key = cache_key(settings, REGISTRY[fmt], article, applying, versions, status.state)
                keys[fmt] = key
                prev = old.get((article.slug, fmt))
                out = settings.build_dir / prev.path if prev else None
                if not force and prev and prev.key == key and _intact(out, prev):
                    outcome = Outcome(
                        article.slug, fmt, "unchanged", path=prev.path, size=prev.bytes, entry=prev
                    )
                    report.outcomes.append(outcome)
                    if progress:
                        progress(outcome)
                else:
                    todo.append(fmt)
            if todo:
                tasks.append(Task(article, applying, tuple(todo), keys))

        for outcomes, warnings in _execute(settings, registry, tasks, built_at, jobs, strict, pool):
            report.warnings.extend(warnings)
            for outcome in outcomes:
                report.outcomes.append(outcome)
                if outcome.entry is not None:
                    entries[(outcome.slug, outcome.format)] = outcome.entry
                if progress:
                    progress(outcome)

        existing = {p.stem for p in discover(settings)}
        entries = {k: v for k, v in entries.items() if k[0] in existing}
        if entries != old:
            save_manifest(settings.build_dir, entries, built_at.isoformat(), versions)
        from .gallery import write_gallery  # build/index.html: every build, after the manifest

        write_gallery(settings, registry, entries, report)
    report.outcomes.sort(key=lambda o: (o.slug, list(REGISTRY).index(o.format)))
    return report


def _run_checks(
    settings: Settings,
    articles: list[Article],
    built_at: datetime,
    strict: bool,
    report: Report,
    formats: Sequence[str],
    jobs: int = 1,
) -> set[str]:
    """Content checks before rendering (cached in build/check.json); returns the slugs to stop."""
    from .checks import run_checks, save_report

    results = run_checks(settings, articles, built_at.date(), strict=strict, jobs=jobs)
    save_report(settings, results, built_at.date(), {p.stem for p in discover(settings)})
    stopped = set()
    for slug, result in results.items():
        blocking = result.errors(strict)
        report.errors.extend(blocking)
        for finding in result.findings:
            if finding.level == "warning" and not strict:
                report.warnings.append(result.as_error(finding))
            elif finding.level == "info":
                report.notes.append(result.as_error(finding))
        if blocking:
            stopped.add(slug)
            n = len(blocking)
            what = "problem" if strict else "error"
            stop = PublishError(
                f"not built: the content check found {n} {what}{'s' if n > 1 else ''} (listed above)",
                path=result.path,
                category="check",
            )
            report.outcomes.extend(Outcome(slug, fmt, "failed", error=stop) for fmt in formats)
    return stopped


def _chunk_size(n: int, jobs: int) -> int:
    return max(1, min(25, -(-n // max(1, jobs))))


def _execute(
    settings: Settings,
    registry: Registry,
    tasks: list[Task],
    built_at: datetime,
    jobs: int,
    strict: bool,
    pool: ProcessPoolExecutor | None = None,
) -> Any:
    """Yield (outcomes, warnings) per chunk: in this process, or across ``jobs`` worker processes
    (the warm ``pool`` when there is one, even for a single chunk: its WeasyPrint is loaded)."""
    if not tasks:
        return
    chunk = _chunk_size(len(tasks), jobs)
    chunks = [tasks[i : i + chunk] for i in range(0, len(tasks), chunk)]
    args = [(settings, registry, c, built_at, strict) for c in chunks]
    if pool is not None:
        for outcomes, warnings, _version in pool.map(_run_chunk, args):
            yield outcomes, warnings
        return
    if jobs <= 1 or len(chunks) == 1:
        for c in chunks:
            outcomes, warnings, _version = build_chunk(settings, registry, c, built_at, strict)
            yield outcomes, warnings
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for outcomes, warnings, _version in pool.map(_run_chunk, args):
            yield outcomes, warnings


def _warm_pool(
    settings: Settings,
    registry: Registry,
    formats: Sequence[str],
    loaded: list[tuple[Article, tuple[Disclaimer, ...]]],
    old: dict[tuple[str, str], ManifestEntry],
    versions: dict[str, str],
    built_at: datetime,
    jobs: int,
    force: bool,
) -> ProcessPoolExecutor | None:
    """With --jobs > 1 and something to build, start the workers before the content checks, so
    that they load WeasyPrint and its fonts and convert the disclaimers while this process checks.
    An output whose key matches counts as done here; the real decision comes after the checks."""
    if jobs <= 1:
        return None
    pending = 0
    for article, applying in loaded:
        state = review_status(
            article.meta.reviewed,
            built_at.date(),
            settings.checks.review_every_months,
            settings.checks.due_soon_days,
        ).state
        for fmt in formats:
            prev = old.get((article.slug, fmt))
            if (
                force
                or prev is None
                or prev.key != cache_key(settings, REGISTRY[fmt], article, applying, versions, state)
            ):
                pending += 1
                break
    if not pending:
        return None
    workers = min(jobs, -(-pending // _chunk_size(pending, jobs)))
    pool = ProcessPoolExecutor(
        max_workers=workers, initializer=_warm_worker, initargs=(settings, registry, tuple(formats))
    )
    pool.submit(int)  # starts the workers now (all at once: the pool forks)
    return pool


def _warm_worker(settings: Settings, registry: Registry, formats: tuple[str, ...]) -> None:
    """Load what rendering needs ahead of the first article. Only a head start: a failure here
    is left for the real render to report."""
    try:
        for fmt in formats:
            REGISTRY[fmt].warm_up(settings)
        with tempfile.TemporaryDirectory(prefix="publishkit-") as tmp:
            _disclaimer_texts(registry, {d.id for d in registry.entries}, settings, Path(tmp))
    except Exception:
        pass
