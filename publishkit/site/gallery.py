"""build/index.html: every article's outputs side by side, for people who judge by looking."""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import PublishError
from ..formats import REGISTRY
from ..kit.fsutil import write_atomic
from ..model.article import Article, load_article
from ..model.registry import Registry
from ..model.settings import Settings
from ..pipeline.manifest import Key, ManifestEntry

INDEX = "index.html"
TEMPLATE = "gallery.html.j2"
GALLERY_DIR = "_gallery"  # never a slug: slugs have no underscore
THUMBS_JSON = "thumbs.json"
STAMP_JS = "stamp.js"
THUMB_WIDTH = 480  # pixels; shown at half size, so sharp on high-density screens
THUMB_COLORS = 128  # a palette PNG is a third of the size and reads the same


@dataclass
class Card:
    """What the gallery shows for one article."""

    slug: str
    title: str
    brand: str = "default"  # the clinic this card shows
    edition: str = "standard"
    readable: bool = True  # the source could be read this time
    summary: str = ""
    audience: str = ""
    reviewed: str = ""
    outputs: dict[str, ManifestEntry] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    failed_formats: list[str] = field(default_factory=list)
    thumbs: list[str] = field(default_factory=list)
    thumb_note: str = ""
    text: str = ""
    check: dict[str, Any] | None = None
    check_stale: bool = False
    claims: int = 0
    disclaimers: list[tuple[str, str, dict[str, bool | None]]] = field(default_factory=list)

    @property
    def id(self) -> str:
        """The card's anchor and thumbnail name: slugs have no double hyphen, so this is unique."""
        parts = [p for p in (self.brand, self.edition) if p not in ("default", "standard")]
        return "--".join([self.slug, *parts])

    @property
    def variant(self) -> str:
        return ", ".join(p for p in (self.brand, self.edition) if p not in ("default", "standard"))

    def href(self, fmt: str) -> str:
        entry = self.outputs.get(fmt)
        return entry.path if entry else ""


def _shown_as(card: Card, preview: str) -> ManifestEntry | None:
    """The card's first output whose format the gallery previews as ``preview`` (its declaration)."""
    return next((e for f, e in card.outputs.items() if REGISTRY[f].preview == preview), None)


def _thumbnails(
    settings: Settings, slug: str, entry: ManifestEntry, cache: dict[str, Any]
) -> tuple[list[str], bool]:
    """PNG pages of one PDF, reused while the PDF's sha256 is the same. Returns (paths, rendered)."""
    folder = settings.build_dir / GALLERY_DIR
    record = cache.get(slug)
    if (
        isinstance(record, dict)
        and record.get("pdf_sha256") == entry.sha256
        and record.get("width") == THUMB_WIDTH
        and all((folder / name).is_file() for name in record.get("pages", []))
    ):
        return [f"{GALLERY_DIR}/{name}" for name in record["pages"]], False
    import pypdfium2 as pdfium  # only when a PDF changed
    from PIL import Image

    names = []
    pdf = pdfium.PdfDocument(settings.build_dir / entry.path)
    try:
        for number, page in enumerate(pdf, start=1):
            image = page.render(scale=THUMB_WIDTH / page.get_width()).to_pil()
            buffer = io.BytesIO()
            # FASTOCTREE: six times faster than the default median cut here, and as readable.
            image.quantize(colors=THUMB_COLORS, method=Image.Quantize.FASTOCTREE).save(buffer, format="PNG")
            name = f"{slug}-p{number}.png"
            write_atomic(folder / name, buffer.getvalue())
            names.append(name)
            page.close()
    finally:
        pdf.close()
    for stale in record.get("pages", []) if isinstance(record, dict) else []:
        if stale not in names:
            (folder / stale).unlink(missing_ok=True)
    cache[slug] = {"pdf_sha256": entry.sha256, "width": THUMB_WIDTH, "pages": names}
    return [f"{GALLERY_DIR}/{name}" for name in names], True


def _load_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (FileNotFoundError, ValueError):
        return {}


def _check_of(settings: Settings, article: Article | None, checked: dict[str, Any]) -> tuple[Any, bool]:
    """This article's entry in build/check.json, and whether the article changed since."""
    from ..checks.runner import content_key

    entry = checked.get(article.slug) if article else None
    if not isinstance(entry, dict) or article is None or not {"review", "readability"} <= entry.keys():
        return None, False
    return entry, entry.get("key") != content_key(settings, article)


def _errors_by_slug(settings: Settings, report: Any) -> dict[str, tuple[list[str], list[str]]]:
    """This build's errors per article, worded as the command line words them."""
    from ..cli.console import format_error

    out: dict[str, tuple[list[str], list[str]]] = {}
    by_path = {str(p): p.stem for p in settings.source_dir.glob("*.md")}

    def add(slug: str, exc: PublishError, fmt: str | None = None) -> None:
        lines, formats = out.setdefault(slug, ([], []))
        line = format_error(exc, settings.root)
        if line not in lines:
            lines.append(line)
        if fmt and fmt not in formats:
            formats.append(fmt)

    for exc in report.errors:
        slug = by_path.get(exc.path or "") or Path(exc.path or "").stem
        add(slug, exc)
    for outcome in report.outcomes:
        if outcome.status == "failed" and outcome.error is not None:
            add(outcome.slug, outcome.error, outcome.format)
    return out


def _variants(slug: str, entries: dict[Key, ManifestEntry]) -> list[tuple[str, str]]:
    """The (clinic, edition) pairs an article has outputs for; the default one always."""
    pairs = {("default", "standard")} | {(k[2], k[4]) for k in entries if k[0] == slug}
    return sorted(pairs, key=lambda p: (p[0] != "default", p[0], p[1] != "standard", p[1]))


def _card(
    settings: Settings,
    registry: Registry,
    path: Path,
    entries: dict[Key, ManifestEntry],
    checked: dict[str, Any],
    failures: dict[str, tuple[list[str], list[str]]],
    variant: tuple[str, str] = ("default", "standard"),
) -> Card:
    slug = path.stem
    article: Article | None = None
    try:
        article = load_article(path, settings.limits)
        applying = [d.id for d in registry.resolve(article)]
    except PublishError:
        applying = []  # the build reported why; it is in failures
    brand, edition = variant
    title = article.meta.title if article else slug
    card = Card(slug=slug, title=title, brand=brand, edition=edition, readable=article is not None)
    if article is not None:
        meta = article.meta
        card.summary, card.audience, card.reviewed = meta.summary, meta.audience, meta.reviewed.isoformat()
    card.outputs = {
        k[1]: e for k, e in sorted(entries.items()) if k[0] == slug and k[2] == brand and k[4] == edition
    }
    card.errors, card.failed_formats = failures.get(slug, ([], []))
    card.check, card.check_stale = _check_of(settings, article, checked)
    if card.check:
        card.claims = sum(1 for f in card.check.get("findings", []) if f.get("check") == "claims")
    text = _shown_as(card, "inline-text")
    if text is not None:
        try:
            card.text = (settings.build_dir / text.path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            card.text = ""
    ids = list(applying)
    for entry in card.outputs.values():
        ids.extend(i for i in entry.disclaimers if i not in ids)
    for id_ in ids:
        found = registry.get(id_)
        cells: dict[str, bool | None] = {
            fmt: (id_ in card.outputs[fmt].disclaimers) if fmt in card.outputs else None for fmt in REGISTRY
        }
        card.disclaimers.append((id_, found.short if found else "(no longer in the registry)", cells))
    return card


def write_gallery(
    settings: Settings, registries: dict[str, Registry], entries: dict[Key, ManifestEntry], report: Any
) -> None:
    """Write build/index.html (and its thumbnails and reload stamp). Call while holding the lock."""
    from ..checks.runner import CHECK_JSON
    from ..pipeline.build import discover

    folder = settings.build_dir / GALLERY_DIR
    thumbs = _load_json(folder / THUMBS_JSON)
    cache: dict[str, Any] = dict(thumbs.get("articles", {})) if thumbs.get("schema") == 1 else {}
    checked = _load_json(settings.build_dir / CHECK_JSON).get("articles", {})
    failures = _errors_by_slug(settings, report)
    fallback = next(iter(registries.values()))
    cards = [
        _card(settings, registries.get(v[0], fallback), p, entries, checked, failures, v)
        for p in discover(settings)
        for v in _variants(p.stem, entries)
    ]
    for card in cards:
        paged = _shown_as(card, "pages")
        if paged is None:
            continue
        try:
            card.thumbs, _rendered = _thumbnails(settings, card.id, paged, cache)
        except Exception as exc:  # a preview is a convenience: a bad PDF must not fail the build
            card.thumb_note = f"no page previews: {exc}"
    live = {c.id for c in cards}
    for slug in [s for s in cache if s not in live]:
        for name in cache.pop(slug).get("pages", []):
            (folder / name).unlink(missing_ok=True)
    new_thumbs = {"schema": 1, "articles": dict(sorted(cache.items()))}
    if new_thumbs != thumbs and (cache or thumbs):
        write_atomic(folder / THUMBS_JSON, (json.dumps(new_thumbs, indent=2) + "\n").encode())

    # The stamp changes whenever anything shown changes, so an open gallery knows to reload.
    state = json.dumps(
        [[c.id, sorted((f, e.sha256) for f, e in c.outputs.items()), c.errors, c.check] for c in cards],
        sort_keys=True,
        default=str,
    )
    stamp = hashlib.sha256(state.encode()).hexdigest()[:16]
    try:
        template = _environment(settings).get_template(TEMPLATE)
    except Exception as exc:
        report.warnings.append(
            PublishError(f"build/{INDEX} not written: {exc}", path=settings.templates_dir / TEMPLATE)
        )
        return
    html = template.render(
        cards=cards,
        formats=list(REGISTRY),
        brand=settings.brand,
        clinics=sorted({c.brand for c in cards}, key=lambda b: (b != "default", b)),
        editions=sorted({c.edition for c in cards}, key=lambda e: (e != "standard", e)),
        stamp=stamp,
        stamp_src=f"{GALLERY_DIR}/{STAMP_JS}",
        failed=len({c.slug for c in cards if c.errors}),
        built_at=_when(entries),
    )
    _write_if_changed(settings.build_dir / INDEX, html.encode("utf-8"))
    _write_if_changed(folder / STAMP_JS, f'window.publishkitStamp = "{stamp}";\n'.encode())


def _when(entries: dict[Key, ManifestEntry]) -> str:
    """When the newest output was built, as '2026-11-15 09:30 UTC' (ISO dates, like the manifest)."""
    latest = max((e.built_at for e in entries.values()), default="")
    return latest[:16].replace("T", " ") + " UTC" if latest.endswith("+00:00") else latest


def _environment(settings: Settings) -> Any:
    from ..kit.templating import make_environment

    return make_environment(settings.templates_dir)


def _write_if_changed(path: Path, data: bytes) -> None:
    try:
        if path.read_bytes() == data:
            return
    except FileNotFoundError:
        pass
    write_atomic(path, data)


def made_by_gallery(build_dir: Path) -> list[Path]:
    """Every file the gallery wrote (for ``publish.py clean``): index, stamp, thumbnails and their list."""
    folder = build_dir / GALLERY_DIR
    names = [THUMBS_JSON, STAMP_JS]
    for record in _load_json(folder / THUMBS_JSON).get("articles", {}).values():
        if isinstance(record, dict):
            names.extend(str(n) for n in record.get("pages", []) if "/" not in str(n))
    return [build_dir / INDEX, *(folder / n for n in names)]
