"""Approving an article for a clinic: build it, refuse it with errors, append the record; check records."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ..formats import REGISTRY
from ..kit.fsutil import sha256, write_atomic
from ..model.approval import (
    APPROVALS,
    ApprovalError,
    Record,
    chain_problems,
    clinical_content,
    dump_record,
    new_record,
    read_records,
    record_path,
    source_text,
)
from ..model.article import load_article
from ..model.settings import Settings, build_time
from .build import build, load_registries, select
from .cachekey import tool_versions
from .outcome import Report
from .pagediff import keep_approved
from .plan import select_brands

_CLINIC_KEYS = ("name", "address", "phone", "website", "color", "logo")


def presentation_of(settings: Settings, brand_id: str) -> dict[str, Any]:
    """What shapes the outputs but is not clinical: recorded, shown by ``diff``, never a reason
    to withdraw an approval. Every value is text, so the record hashes the same once read back."""
    brand = settings.brands[brand_id]
    templates = settings.templates_dir
    files = sorted(p for p in templates.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return {
        "clinic": {k: str(getattr(brand, k)) for k in _CLINIC_KEYS},
        "templates": {p.relative_to(templates).as_posix(): sha256(p.read_bytes()) for p in files},
        "settings": {s: json.dumps(settings.section(s), sort_keys=True) for s in _look_sections()},
        "versions": dict(tool_versions()),
    }


@dataclass
class Approved:
    record: dict[str, Any]
    path: Path
    report: Report


def approve(
    settings: Settings,
    slug: str,
    who: str,
    role: str = "",
    brand: str = "default",
    day: date | None = None,
    jobs: int = 1,
) -> Approved:
    """Append an approval of the article's current clinical content for ``brand``, after building
    its outputs (stamped approved) without an error; the record lists their sha256. A build with
    errors leaves the record file as it was and returns the report (``record`` is empty)."""
    if not who.strip():
        raise ApprovalError('--by needs the approver\'s name, e.g. --by "Dana Whitfield, MD"')
    (brand_id,) = select_brands(settings, [brand])
    (path,) = select(settings, [slug])
    article = load_article(path, settings.limits)
    disclaimers = load_registries(settings, [brand_id])[brand_id].resolve(article)
    rpath = record_path(settings.source_dir, article.slug, brand_id)
    records = read_records(rpath)
    broken = chain_problems(rpath, records)
    if broken:
        raise broken[0]
    now = build_time()
    fields: dict[str, Any] = {
        "who": who.strip(),
        "role": role.strip(),
        "when": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "day": day or now.date(),
        "brand": brand_id,
        "stem": article.slug,
        "clinical": clinical_content(source_text(path), disclaimers),
        "presentation": presentation_of(settings, brand_id),
        "previous": str(records[-1].data.get("hash", "")) if records else "",
    }
    before = rpath.read_bytes() if rpath.exists() else b""
    _write(rpath, before, new_record(**fields, outputs=()))
    try:
        report = build(settings, list(REGISTRY), [article.slug], brands=[brand_id], checks=True, jobs=jobs)
    except BaseException:
        _restore(rpath, before)
        raise
    if not report.ok:
        _restore(rpath, before)
        return Approved({}, rpath, report)
    outputs = [
        {"path": o.entry.path, "format": o.format, "sha256": o.entry.sha256}
        for o in report.outcomes
        if o.entry is not None
    ]
    record = new_record(**fields, outputs=outputs)
    _write(rpath, before, record)
    for o in outputs:  # the record has only their sha256; `diff` compares pages with these bytes
        if REGISTRY[o["format"]].preview == "pages":
            keep_approved(settings.build_dir, o["path"], o["sha256"])
    return Approved(record, rpath, report)


def _write(rpath: Path, before: bytes, record: dict[str, Any]) -> None:
    rpath.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(rpath, before + dump_record(record).encode("utf-8"))


def _restore(rpath: Path, before: bytes) -> None:
    if before:
        write_atomic(rpath, before)
    else:
        rpath.unlink(missing_ok=True)


def record_files(settings: Settings) -> list[Path]:
    folder = settings.source_dir / APPROVALS
    return sorted(folder.glob("*/*.yaml")) if folder.is_dir() else []


def chain_report(settings: Settings) -> list[ApprovalError]:
    """Every record edited by hand or moved, in every record file."""
    problems: list[ApprovalError] = []
    for rpath in record_files(settings):
        try:
            problems += chain_problems(rpath, read_records(rpath))
        except ApprovalError as exc:
            problems.append(exc)
    return problems


def identify(settings: Settings, data: bytes) -> list[tuple[Path, Record, dict[str, Any]]]:
    """Every approved output (record file, record, output entry) whose bytes are exactly ``data``."""
    digest = sha256(data)
    found = []
    for rpath in record_files(settings):
        try:
            records = read_records(rpath)
        except ApprovalError:
            continue
        for r in records:
            for out in r.data.get("outputs", ()) or ():
                if isinstance(out, dict) and out.get("sha256") == digest:
                    found.append((rpath, r, dict(out)))
    return found


def last_record(settings: Settings, stem: str, brand: str) -> Record | None:
    records = read_records(record_path(settings.source_dir, stem, brand))
    return records[-1] if records else None


def _look_sections() -> list[str]:
    """The settings sections the formats read besides the clinic's own (recorded as presentation)."""
    return sorted({s for f in REGISTRY.values() for s in f.settings_sections} - {"brand"})
