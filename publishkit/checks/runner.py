"""Content checks for every article: readability, review date, risky claims, structure; check.json.

Everything but the review date depends only on the article's bytes and the settings, so it is kept
in build/check.json under a key and reused: a run where nothing changed starts no pandoc and does
not import textstat. The review date depends on the clock and is judged afresh every run.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import PublishError, RenderError
from ..kit import doctree
from ..kit.fsutil import write_atomic
from ..kit.jsonfile import outline
from ..kit.pandoc import BatchResult, read_many
from ..kit.statmemo import StatMemo
from ..kit.timelimit import injected, time_limit
from ..kit.treedepth import TOO_DEEP, TooDeep
from ..model.approval import last_approval
from ..model.article import Article
from ..model.review import ReviewStatus, review_status
from ..model.settings import Settings
from . import registry
from .base import ERROR, INFO, LEVEL_ORDER, WARNING, Content, Dated, Finding
from .checkkey import content_key
from .prose import read_document
from .readability import measure

CHECK_JSON = "check.json"
SCHEMA = 1
# Findings of this check say the article ran out of time: never reused from check.json, as the
# next run (a quieter machine, a larger limit) may finish.
TIMEOUT = "time-limit"


@dataclass
class ArticleCheck:
    slug: str
    path: str  # as given, for messages
    key: str
    audience: str
    review: ReviewStatus
    readability: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    target: float | None = None
    target_ease: float | None = None  # Spanish: the lowest Szigriszt-Pazos score (INFLESZ)

    def count(self, level: str) -> int:
        return sum(1 for f in self.findings if f.level == level)

    def errors(self, strict: bool = False) -> list[PublishError]:
        """Findings as PublishErrors (category 'check') at ``level`` error, or warning too when strict."""
        levels = (ERROR, WARNING) if strict else (ERROR,)
        return [self.as_error(f) for f in self.findings if f.level in levels]

    def as_error(self, f: Finding) -> PublishError:
        return PublishError(f.message, path=self.path, line=f.line, category="check")

    def to_json(self) -> dict[str, Any]:
        ease = {"target_ease": self.target_ease} if self.readability.get("formula") else {}
        return {
            "path": self.path,
            "key": self.key,
            "audience": self.audience,
            "target_grade": self.target,
            **ease,
            "readability": self.readability,
            "review": self.review.to_json(),
            "errors": self.count(ERROR),
            "warnings": self.count(WARNING),
            "notes": self.count(INFO),
            "findings": [f.to_json() for f in self.findings],
        }


def check_content(
    settings: Settings, article: Article, ast: doctree.AST
) -> tuple[dict[str, Any], list[Finding]]:
    """The part of the check that depends only on the article: every registered check's content."""
    to_file = article.body_line - 1  # body-relative line -> file line
    doc = read_document(ast)
    scores = measure(doc, article.meta.language, settings.checks.words_per_minute)
    for sec in scores["sections"]:
        sec["line"] += to_file
    content = Content(settings, article, ast, doc, scores, to_file)
    return scores, [f for check in registry().values() for f in check.content(content)]


def _judge(
    settings: Settings,
    article: Article,
    key: str,
    scores: dict[str, Any],
    content: list[Finding],
    built: date,
    strict: bool,
) -> ArticleCheck:
    checks = settings.checks
    approval = last_approval(settings.source_dir, article.slug)
    reviewed = approval.day if approval else article.meta.reviewed
    status = review_status(reviewed, built, checks.review_every_months, checks.due_soon_days)
    dated = Dated(settings, article, built, status, strict, approval.by if approval else "")
    findings = [f for check in registry().values() for f in check.dated(dated)] + content
    findings.sort(key=lambda f: (LEVEL_ORDER[f.level], f.line or 0))
    return ArticleCheck(
        slug=article.slug,
        path=str(article.path),
        key=key,
        audience=article.meta.audience,
        review=status,
        readability=scores,
        findings=findings,
        # A Spanish article is read on another scale, where higher is easier: it has no grade target.
        target=None if "ease" in scores else checks.target_for(article.meta.audience),
        target_ease=checks.ease_target_for(article.meta.audience) if "ease" in scores else None,
    )


# build/check.json as this process last read or wrote it, while the file keeps its stat: a
# watcher's edit parses it once, not before the checks and again after the outputs (about 15 ms
# each at 500 articles). Shared by every caller: read, never changed.
_READ: StatMemo[dict[str, Any]] = StatMemo()


def read_report(build_dir: Path) -> dict[str, Any]:
    """build/check.json, parsed ({} when there is none or it is not JSON)."""
    path = build_dir / CHECK_JSON
    return _READ.get(build_dir, [path], lambda: _parse_report(path))


def _parse_report(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def load_cache(build_dir: Path) -> dict[str, dict[str, Any]]:
    """The cached results in build/check.json by slug (a new dict; the results are shared)."""
    data = read_report(build_dir)
    try:
        return dict(data["articles"]) if data.get("schema") == SCHEMA else {}
    except (KeyError, TypeError, ValueError):
        return {}


def _reusable(old: dict[str, Any] | None, key: str) -> bool:
    """Whether a cached result stands: the same key, and no time limit in it (judged again)."""
    if not old or old.get("key") != key:
        return False
    return all(f["check"] != TIMEOUT for f in old["findings"])


def unchecked(settings: Settings, articles: Sequence[Article]) -> list[Article]:
    """The ``articles`` whose content check would run now (no cached result stands for them)."""
    cache = load_cache(settings.build_dir)
    return [a for a in articles if not _reusable(cache.get(a.slug), content_key(settings, a))]


def run_checks(
    settings: Settings,
    articles: Sequence[Article],
    built: date,
    *,
    strict: bool = False,
    force: bool = False,
    jobs: int = 1,
) -> dict[str, ArticleCheck]:
    """Check ``articles``; reuse cached results for unchanged ones. One pandoc process for the rest,
    or, with ``jobs`` > 1, one per worker process, each checking its share of them."""
    cache = {} if force else load_cache(settings.build_dir)
    results: dict[str, ArticleCheck] = {}
    todo: list[tuple[Article, str]] = []
    fresh = {c.name for c in registry().values() if c.each_run}  # judged again, never reused
    for article in articles:
        key = content_key(settings, article)
        old = cache.get(article.slug)
        if old is not None and _reusable(old, key):
            content = [Finding(**f) for f in old["findings"] if f["check"] not in fresh]
            results[article.slug] = _judge(settings, article, key, old["readability"], content, built, strict)
        else:
            todo.append((article, key))
    workers = min(jobs, len(todo) // MIN_PER_WORKER)
    # Parts of at most PART_SIZE articles: one pandoc read holds every AST of its part in memory
    # (about 170 KB of JSON each, with source positions), so memory stays flat as the catalog grows.
    size = max(1, min(PART_SIZE, -(-len(todo) // max(1, workers))))
    parts = [(settings, todo[i : i + size], built, strict) for i in range(0, len(todo), size)]
    if workers > 1:
        # The checks are pure Python (textstat, AST walks): split them over processes.
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for part in pool.map(_check_part, parts):
                results.update(part)
    else:
        for part_args in parts:
            results.update(_check_part(part_args))
    return {a.slug: results[a.slug] for a in articles}


# Fewer articles than this per worker are checked in this process: a worker's start costs more.
MIN_PER_WORKER = 4
PART_SIZE = 25


def _check_part(
    args: tuple[Settings, list[tuple[Article, str]], date, bool],
) -> dict[str, ArticleCheck]:
    settings, todo, built, strict = args
    parsed = read_many({a.slug: a.body for a, _k in todo}, settings.limits.pandoc_timeout, sourcepos=True)
    results: dict[str, ArticleCheck] = {}
    for article, key in todo:
        scores, content = _check_one(settings, article, parsed)
        results[article.slug] = _judge(settings, article, key, scores, content, built, strict)
    return results


def _check_one(
    settings: Settings, article: Article, parsed: BatchResult
) -> tuple[dict[str, Any], list[Finding]]:
    """The content check of one article, within ``check_timeout``: any failure (pandoc's, a
    document nested too deeply, the time limit) is an error finding for this article alone."""
    slug, limits = article.slug, settings.limits
    if slug in parsed.errors:
        check = TIMEOUT if slug in parsed.stopped else "source"
        return {}, [Finding(ERROR, check, None, parsed.problem(slug, "read the Markdown"))]
    text = parsed.values[slug]
    seconds = limits.check_timeout
    if injected("check", slug):
        seconds = 0.001  # tests: run out of time now, whatever the machine's speed
    try:
        with time_limit(seconds, "the content check", str(article.path)):
            if injected("check", slug):
                time.sleep(60)
            ast, _removed = doctree.load_stripped(text, limits.max_tree_depth)
            return check_content(settings, article, ast)
    except TooDeep as exc:
        line = exc.line_in(text)
        return {}, [Finding(ERROR, "source", line and line + article.body_line - 1, exc.message)]
    except RenderError as exc:  # the time limit
        return {}, [Finding(ERROR, TIMEOUT, None, exc.message)]
    except RecursionError:  # only if max_tree_depth is raised too far
        return {}, [Finding(ERROR, "source", None, TOO_DEEP)]


def save_report(
    settings: Settings,
    results: dict[str, ArticleCheck],
    built: date,
    existing: set[str],
    extra: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """build/check.json: this run's results merged with earlier ones for articles that still
    exist. Returns its articles, as written."""
    articles = {s: v for s, v in load_cache(settings.build_dir).items() if s in existing}
    for slug, result in results.items():
        entry = result.to_json()
        entry["path"] = _relative(result.path, settings.root)
        articles[slug] = entry
    articles.update(extra or {})
    totals = {k: sum(a.get(k, 0) for a in articles.values()) for k in ("errors", "warnings", "notes")}
    ordered = dict(sorted(articles.items()))
    data = {
        "schema": SCHEMA,
        "checked_on": built.isoformat(),
        "totals": {"articles": len(articles), **totals},
        "articles": ordered,
    }
    # The same records as the file read back: the same text (it is report_text's), not made
    # again to compare (15 ms of every build at 500 articles).
    if read_report(settings.build_dir) == data:
        return ordered
    text = report_text(data)
    path = settings.build_dir / CHECK_JSON
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        write_atomic(path, text.encode("utf-8"))
        _READ.remember(settings.build_dir, path, data)
    return ordered


def report_text(data: dict[str, Any]) -> str:
    """build/check.json's text: one article a line (``save_report`` and merge-manifests write it)."""
    return outline(data, 2)


def _relative(path: str, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path
