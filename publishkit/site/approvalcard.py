"""What a gallery card says of its approval: approved by whom and when, or DRAFT, and the diff report."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..model.approval import diff_report_path, record_path, trusted
from ..model.manifest import ManifestEntry
from ..model.settings import Settings


@dataclass(frozen=True)
class CardApproval:
    """``state``: "approved"; "draft" (approval required, none matches); "changed" (an approval
    exists but no longer matches, and none is required); "" (never approved, none required)."""

    state: str = ""
    by: str = ""
    day: str = ""
    short: str = ""  # the matching approval, or the last one the outputs differ from
    diff_href: str = ""  # the article's diff report, relative to build/, when it exists


def card_approval(
    settings: Settings, slug: str, brand: str, outputs: Mapping[str, ManifestEntry]
) -> CardApproval:
    """Read from the manifest (what the outputs were built as) and the records that still verify."""
    report = diff_report_path(settings.build_dir, slug, brand)
    href = report.relative_to(settings.build_dir).as_posix() if report.is_file() else ""
    if not outputs:
        return CardApproval(diff_href=href)
    records = {r.id: r for r in trusted(record_path(settings.source_dir, slug, brand))}
    unapproved = [e for e in outputs.values() if not e.approved]
    entry = unapproved[0] if unapproved else next(iter(outputs.values()))
    record = records.get(entry.approval)
    by, day, short = (record.by, record.day.isoformat(), record.short) if record else ("", "", "")
    if not unapproved and record is not None:
        return CardApproval("approved", by, day, short, href)
    if settings.requires_approval(brand):
        return CardApproval("draft", by, day, short, href)
    return CardApproval("changed" if record else "", by, day, short, href)
