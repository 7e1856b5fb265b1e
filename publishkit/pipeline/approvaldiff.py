"""`publish.py diff SLUG`: what changed since the last approval, word by word per section."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from ..formats import REGISTRY
from ..kit.fsutil import write_atomic
from ..model.approval import ApprovalError, Record, clinical_content, diff_report_path, source_text
from ..model.article import load_article
from ..model.settings import Settings, build_time
from .approve import last_record, presentation_of
from .build import load_registries, select
from .pagediff import APPROVED_DIR, PagePair, approved_copy, compare_pages
from .trackchanges import Disclaimers, changes_docx

_HEADING = re.compile(r"^#{1,6}\s+(.*)$", re.MULTILINE)


@dataclass
class Change:
    """One changed section (or disclaimer): its name and the word diff as (op, words) runs."""

    where: str
    runs: list[tuple[str, str]] = field(default_factory=list)  # op: "=", "+", "-"

    @property
    def inserted(self) -> list[str]:
        return [w for op, w in self.runs if op == "+"]

    @property
    def deleted(self) -> list[str]:
        return [w for op, w in self.runs if op == "-"]


def sections(text: str) -> dict[str, str]:
    """The article file by section: front matter and opening text under "(front matter and
    opening)", then each Markdown heading's text under the heading."""
    out: dict[str, str] = {}
    marks = list(_HEADING.finditer(text))
    out["(front matter and opening)"] = text[: marks[0].start()] if marks else text
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        out[m.group(1).strip()] = text[m.end() : end]  # the heading is the section's name
    return out


def word_diff(where: str, old: str, new: str) -> Change | None:
    a, b = old.split(), new.split()
    if a == b:
        return None
    change = Change(where)
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            change.runs.append(("=", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            change.runs.append(("-", " ".join(a[i1:i2])))
        if j2 > j1:
            change.runs.append(("+", " ".join(b[j1:j2])))
    return change


def text_changes(old: str, new: str) -> list[Change]:
    before, after = sections(old), sections(new)
    names = list(after) + [n for n in before if n not in after]
    return [c for n in names if (c := word_diff(n, before.get(n, ""), after.get(n, "")))]


def disclaimer_changes(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[Change]:
    was, now = {d["id"]: d for d in old}, {d["id"]: d for d in new}
    out = []
    for id_ in [*now, *(i for i in was if i not in now)]:
        a, b = was.get(id_, {}), now.get(id_, {})
        what = "added" if not a else "removed" if not b else "reworded"
        change = word_diff(f"disclaimer '{id_}' ({what})", f"{a.get('text', '')}", f"{b.get('text', '')}")
        if change:
            out.append(change)
    return out


def presentation_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    lines = []
    for group in ("clinic", "settings", "versions", "templates"):
        a, b = old.get(group, {}) or {}, new.get(group, {}) or {}
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                shown = (
                    "changed" if group == "templates" else f"{a.get(key, '(none)')} → {b.get(key, '(none)')}"
                )
                lines.append(f"{group} {key}: {shown}")
    return lines


@dataclass
class Report:
    slug: str
    approval: str
    text: list[Change]
    disclaimers: list[Change]
    presentation: list[str]
    html_path: Path
    pages: list[PagePair] = field(default_factory=list)
    pages_note: str = ""  # why the PDF pages were not compared

    @property
    def docx_path(self) -> Path:
        """The tracked-changes DOCX, next to the HTML report."""
        return self.html_path.with_name(f"{self.slug}.changes.docx")


def diff(settings: Settings, slug: str, brand: str = "default") -> Report:
    (path,) = select(settings, [slug])
    article = load_article(path, settings.limits)
    record = last_record(settings, article.slug, brand)
    if record is None:
        raise ApprovalError(f"'{article.slug}' has never been approved for {brand}: nothing to compare with")
    disclaimers = load_registries(settings, [brand])[brand].resolve(article)
    now = clinical_content(source_text(path), disclaimers)
    then = record.data.get("clinical", {})
    report = Report(
        article.slug,
        record.id,
        text_changes(str(then.get("source", "")), now["source"]),
        disclaimer_changes(list(then.get("disclaimers", [])), now["disclaimers"]),
        presentation_changes(dict(record.data.get("presentation", {})), presentation_of(settings, brand)),
        diff_report_path(settings.build_dir, article.slug, brand),
    )
    report.pages, report.pages_note = pdf_pages(settings.build_dir, record, report.html_path, article.slug)
    day = str(record.data.get("date"))
    write_atomic(report.html_path, html_report(report, record.by, day).encode())
    data, _ops = changes_docx(
        title=f"{article.meta.title}: changes since approval",
        heading=f"Approved by {record.by} on {day} (approval {record.short}). The current text is shown "
        "as tracked changes against the approved text: accept all to take the current text.",
        old=str(then.get("source", "")),
        new=now["source"],
        disclaimers=disclaimer_pairs(list(then.get("disclaimers", [])), now["disclaimers"]),
        built_at=build_time(),
    )
    write_atomic(report.docx_path, data)
    return report


def pdf_pages(build_dir: Path, record: Record, html_path: Path, slug: str) -> tuple[list[PagePair], str]:
    """The approved handout (kept by ``approve``) against the one in build/ now, changed pages only."""
    paged = {f.name for f in REGISTRY.values() if f.preview == "pages"}
    pdf = next((o for o in record.data.get("outputs", ()) or () if o.get("format") in paged), None)
    if pdf is None:
        return [], "The approval lists no PDF handout."
    copy, current = approved_copy(build_dir, str(pdf.get("sha256"))), build_dir / str(pdf.get("path"))
    if not copy.is_file():
        # approve keeps it in build/, which another machine or a removed folder does not have.
        return [], f"Pages not compared: the approved PDF is not in {APPROVED_DIR}/ of this build folder."
    if not current.is_file():
        return [], f"No current PDF: build it with publish.py all ({current.name} is missing)."
    for stale in html_path.parent.glob(f"{slug}.p*.*.png"):
        stale.unlink()
    return compare_pages(copy.read_bytes(), current.read_bytes(), html_path.parent, slug), ""


def disclaimer_pairs(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[Disclaimers]:
    """Every disclaimer that applied then or applies now, current ones first in registry order."""
    was, now = {d["id"]: d for d in old}, {d["id"]: d for d in new}
    ids = [*now, *(i for i in was if i not in now)]
    text = {i: (str(was.get(i, {}).get("text", "")), str(now.get(i, {}).get("text", ""))) for i in ids}
    return [Disclaimers(i, *text[i]) for i in ids]


def _runs_html(change: Change) -> str:
    tags = {"=": "span", "+": "ins", "-": "del"}
    return " ".join(f"<{tags[op]}>{escape(words)}</{tags[op]}>" for op, words in change.runs)


def _section(c: Change) -> str:
    return f"<section><h3>{escape(c.where)}</h3><p>{_runs_html(c)}</p></section>"


def _page(p: PagePair) -> str:
    cells = [
        f"<figure><figcaption>{label}</figcaption><img src='{escape(name)}' alt='{label}, page {p.number}'>"
        "</figure>"
        if name
        else f"<figure><figcaption>{label}</figcaption><p>(no such page)</p></figure>"
        for label, name in (("Approved", p.before), ("Now", p.after))
    ]
    return f"<section class='page'><h3>Page {p.number}</h3><div class='pair'>{''.join(cells)}</div></section>"


def html_report(r: Report, by: str, day: str) -> str:
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Changes to {escape(r.slug)} since approval {r.approval[:8]}</title><style>",
        "body{font-family:sans-serif;max-width:50em;margin:2em auto;line-height:1.5}",
        "ins{background:#d4f7d4;text-decoration:none}del{background:#fbd3d3}",
        "section{border-top:1px solid #ccc;margin-top:1em}",
        ".pair{display:flex;gap:16px;width:90vw;margin-left:calc(25em - 45vw)}.pair figure{margin:0;flex:1}",
        ".pair img{width:100%;border:1px solid #999}figcaption{font-weight:bold}</style></head><body>",
        f"<h1>{escape(r.slug)}: changes since approval {r.approval[:8]}</h1>",
        f"<p>Approved by {escape(by)} on {escape(day)}. The same changes as Word tracked changes: "
        f"<a href='{escape(r.docx_path.name)}'>{escape(r.docx_path.name)}</a>.</p>",
        "<h2>Article text</h2>",
        *([_section(c) for c in r.text] or ["<p>No change.</p>"]),
        "<h2>Disclaimers</h2>",
        *([_section(c) for c in r.disclaimers] or ["<p>No change.</p>"]),
        "<h2>Presentation (does not withdraw the approval)</h2><ul>",
        *([f"<li>{escape(line)}</li>" for line in r.presentation] or ["<li>No change.</li>"]),
        "</ul><h2>PDF handout: the changed pages, approved and as last built</h2>",
        f"<p>{escape(r.pages_note)}</p>" if r.pages_note else "<p>Changed areas are boxed in red.</p>",
        *([_page(p) for p in r.pages] or ([] if r.pages_note else ["<p>No page changed.</p>"])),
        "</body></html>\n",
    ]
    return "\n".join(parts)
