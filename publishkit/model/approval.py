"""Approval records: who signed off which clinical content, kept whole, in a hash chain."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ..errors import PublishError
from ..kit.i18n import ENGLISH, Translator
from .registry import Disclaimer

if TYPE_CHECKING:
    from .article import Article
    from .settings import Settings
from .yamlsafe import load_yaml

APPROVALS = "approvals"  # the folder under source/
DRAFT_MARK = "DRAFT – not approved for patient use"
EMAIL_DRAFT_PREFIX = "[DRAFT] "


class ApprovalError(PublishError):
    category = "approval"


def clinical_content(source_text: str, disclaimers: Sequence[Disclaimer]) -> dict[str, Any]:
    """What a clinician approves: the article file (text and front matter) and the wording of
    every disclaimer that applies to it for one clinic, in registry order."""
    return {
        "source": source_text,
        "disclaimers": [{"id": d.id, "short": d.short, "text": d.text} for d in disclaimers],
    }


def fingerprint(data: Any) -> str:
    """sha256 of canonical JSON: the same data gives the same digest however YAML laid it out."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def record_path(source_dir: Path, stem: str, brand: str) -> Path:
    """One file per article and clinic: source/approvals/<clinic>/<article>.yaml."""
    return source_dir / APPROVALS / brand / f"{stem}.yaml"


def diff_report_path(build_dir: Path, slug: str, brand: str) -> Path:
    """Where `diff` writes its report: beside the article's outputs for that clinic."""
    folder = build_dir / slug if brand == "default" else build_dir / slug / brand
    return folder / f"{slug}.diff.html"


@dataclass(frozen=True)
class Record:
    """One approval as read back from its file, with where it sits there."""

    data: Mapping[str, Any]
    number: int  # 1-based position in the file
    line: int

    @property
    def id(self) -> str:
        return str(self.data.get("id", ""))

    @property
    def short(self) -> str:
        return self.id[:8]

    @property
    def by(self) -> str:
        return str(self.data.get("approved_by", ""))

    @property
    def day(self) -> date:
        return date.fromisoformat(str(self.data.get("date")))

    @property
    def clinical_fingerprint(self) -> str:
        return str(self.data.get("clinical", {}).get("fingerprint", ""))


def chain_hash(data: Mapping[str, Any]) -> str:
    """The hash a record carries: over all its content (``previous`` included), not ``hash`` itself."""
    return fingerprint({k: v for k, v in data.items() if k != "hash"})


def approval_id(who: str, role: str, when: str, clinical: str) -> str:
    """The approval's own id (shown as its short hash in outputs): who, when and what."""
    return fingerprint({"by": who, "role": role, "when": when, "clinical": clinical})


def read_records(path: Path) -> list[Record]:
    """Every record in the file, in file order (none when there is no file)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    doc = load_yaml(text, path=path, first_line=1, error=ApprovalError)
    if doc.data is None:
        return []
    if not isinstance(doc.data, list) or not all(isinstance(r, dict) for r in doc.data):
        raise ApprovalError("expected a list of approval records", path=path, line=1)
    return [Record(r, i + 1, doc.line_of(i)) for i, r in enumerate(doc.data)]


def chain_problems(path: Path, records: Sequence[Record]) -> list[ApprovalError]:
    """Records edited by hand (hash no longer matches the content) or moved, removed or
    inserted (``previous`` is not the hash of the record before). Catches edits; not a signature."""
    problems = []
    previous = ""
    for r in records:
        if r.data.get("hash") != chain_hash(r.data):
            problems.append(
                ApprovalError(
                    f"approval record {r.number} was changed after it was written: its hash does not "
                    "match its content (approve again instead of editing the record)",
                    path=path,
                    line=r.line,
                )
            )
        elif r.data.get("previous", "") != previous:
            problems.append(
                ApprovalError(
                    f"approval record {r.number} does not follow record {r.number - 1}: the history "
                    "was reordered or a record was removed or inserted",
                    path=path,
                    line=r.line,
                )
            )
        previous = str(r.data.get("hash", ""))
    return problems


def trusted(path: Path) -> list[Record]:
    """The records that count: those before the first break in the chain."""
    records = read_records(path)
    bad = {p.line for p in chain_problems(path, records)}
    out = []
    for r in records:
        if r.line in bad:
            break
        out.append(r)
    return out


def new_record(
    *,
    who: str,
    role: str,
    when: str,
    day: date,
    brand: str,
    stem: str,
    clinical: dict[str, Any],
    presentation: dict[str, Any],
    outputs: Sequence[Mapping[str, str]],
    previous: str,
) -> dict[str, Any]:
    clinical_fp = fingerprint(clinical)
    data: dict[str, Any] = {
        "id": approval_id(who, role, when, clinical_fp),
        "article": stem,
        "brand": brand,
        "approved_by": who,
        "role": role,
        "when": when,
        "date": day.isoformat(),
        "clinical": {"fingerprint": clinical_fp, **clinical},
        "presentation": {"fingerprint": fingerprint(presentation), **presentation},
        "outputs": [dict(o) for o in outputs],
        "previous": previous,
    }
    data["hash"] = chain_hash(data)
    return data


class _Dumper(yaml.SafeDumper):
    """Block style, multi-line text as literal blocks: a record reads (and diffs) like the article."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump_record(data: Mapping[str, Any]) -> str:
    return yaml.dump([dict(data)], Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


@dataclass(frozen=True)
class ApprovalState:
    """What one output knows of its approval: which one it matches, or that it is a draft."""

    required: bool = False
    by: str = ""
    role: str = ""
    day: date | None = None
    id: str = ""  # the matching approval's id; empty when none matches
    differs_from: str = ""  # no match: the id of the last approval (empty if never approved)
    last_day: date | None = None  # the date of the last approval, matching or not

    def reviewed(self, written: date) -> date:
        """The review date the overdue check counts from: the last approval's, else front matter's."""
        return self.last_day or written

    @property
    def approved(self) -> bool:
        return bool(self.id)

    @property
    def draft(self) -> bool:
        return self.required and not self.approved

    @property
    def short(self) -> str:
        return self.id[:8]

    @property
    def key(self) -> str:
        """The part of every output's cache key: a new approval or a new draft rebuilds it."""
        return f"approval:{self.required}:{self.id}:{self.by}:{self.day}"

    @property
    def line(self) -> str:
        """'Approved by <name>, <date>', shown where 'Last reviewed' is."""
        return self.line_in(ENGLISH)

    def line_in(self, t: Translator) -> str:
        """The approval line in the output's language."""
        if not self.day:
            return ""
        return t.gettext("Approved by {name}, {date}", name=self.by, date=t.format_date(self.day))


def source_text(article_path: Path) -> str:
    return article_path.read_bytes().decode("utf-8")


def state_for(
    source_dir: Path,
    stem: str,
    article_path: Path,
    brand: str,
    disclaimers: Sequence[Disclaimer],
    required: bool,
) -> ApprovalState:
    """Whether the article's clinical content for this clinic is what an approval recorded."""
    records = trusted(record_path(source_dir, stem, brand))
    if not records:
        return ApprovalState(required=required)
    current = fingerprint(clinical_content(source_text(article_path), disclaimers))
    match = next((r for r in reversed(records) if r.clinical_fingerprint == current), None)
    if match is None:
        return ApprovalState(required=required, differs_from=records[-1].id, last_day=records[-1].day)
    role = str(match.data.get("role", ""))
    last = records[-1].day
    return ApprovalState(required=required, by=match.by, role=role, day=match.day, id=match.id, last_day=last)


def last_approval(source_dir: Path, stem: str) -> Record | None:
    """The article's most recent approval that still verifies, for any clinic: its date is the
    article's last clinical review."""
    folder = source_dir / APPROVALS
    files = sorted(folder.glob(f"*/{stem}.yaml")) if folder.is_dir() else []
    found = [r for path in files for r in trusted(path)[-1:]]
    return max(found, key=lambda r: r.day, default=None)


def approvals_of(
    settings: Settings, article: Article, applying: Mapping[str, Sequence[Disclaimer]]
) -> dict[str, ApprovalState]:
    """The article's approval state for each clinic (source/approvals/<clinic>/<slug>.yaml)."""
    return {
        b: state_for(settings.source_dir, article.slug, article.path, b, d, settings.requires_approval(b))
        for b, d in applying.items()
    }


UNAPPROVED = ApprovalState()  # no approval required, none known
