"""Risky health claims: the built-in phrase list, the clinic's own additions, and the scan."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .prose import PLAIN


@dataclass(frozen=True)
class Claim:
    id: str
    pattern: str  # a regular expression, matched without regard to letter case
    reason: str  # why a compliance reviewer looks at it, in plain words

    def compile(self) -> re.Pattern[str]:
        return _compiled(self.pattern)


@lru_cache(maxsize=1024)
def _compiled(pattern: str) -> re.Pattern[str]:
    # Every unit of every article is scanned with every claim: re.compile's own cache lookup
    # (keyed by type, pattern and flags) cost more than the matching of most short units.
    return re.compile(pattern, re.IGNORECASE)


# What a clinic's compliance reviewer circles on a patient handout: promises of results, of safety
# and of speed, absolute words, and regulatory claims that may not cover the use described.
DEFAULT_CLAIMS: tuple[Claim, ...] = (
    Claim(
        "guaranteed",
        r"\bguarantee[sd]?\b",
        "No treatment works for everyone: a guarantee is a promise the clinic cannot keep, "
        "and guaranteed results in health advertising are treated as misleading.",
    ),
    Claim(
        "cure",
        r"\bcur(?:e|es|ed|ing|ative)\b",
        "Most conditions are treated or managed, not cured. Say what the treatment can do "
        "(for example 'can ease symptoms') and for whom.",
    ),
    Claim(
        "100-percent",
        r"\b100\s?(?:%|percent\b|per cent\b)",
        "Nothing in medicine is 100% safe or 100% effective: a number like this promises certainty.",
    ),
    Claim(
        "no-side-effects",
        r"\b(?:no|without|zero)\s+(?:known\s+|serious\s+|real\s+)?side[- ]effects?\b"
        r"|\bside[- ]effect[- ]free\b",
        "Every treatment can have side effects; saying there are none hides real risks "
        "and gets in the way of informed consent.",
    ),
    Claim(
        "miracle",
        r"\bmiracle\w*|\bmiraculous(?:ly)?\b",
        "Words like 'miracle' promise extraordinary results that no treatment can guarantee.",
    ),
    Claim(
        "is-safe",
        r"(?:\b(?:is|are|was|were)|'s)\s+(?:\w+ly\s+)?(?:safe|harmless)\b",
        "Whether a treatment is safe depends on the person, the dose and medical supervision. "
        "Say who it is safe for and under what conditions, and name the risks.",
    ),
    Claim(
        "risk-free",
        r"\brisk[- ]?free\b|\b(?:no|zero|without)\s+(?:any\s+)?risks?\b",
        "No medical treatment is free of risk; say what the risks are and how they are managed.",
    ),
    Claim(
        "fast-results",
        r"\b(?:fast|quick(?:ly)?|instant(?:ly)?|immediate(?:ly)?|overnight|right away)\s*!"
        r"|\b(?:instant|immediate|overnight)\s+(?:relief|results?|cure)\b"
        r"|\bworks?\s+(?:instantly|immediately|overnight)\b",
        "How fast a treatment works differs from person to person; promising quick results "
        "sets expectations many patients will not meet, and an exclamation mark reads as a sales pitch.",
    ),
    Claim(
        "proven",
        r"\b(?:clinically\s+|scientifically\s+)?proven\b",
        "Research shows how likely a benefit is, not proof. Say what studies found and how strong "
        "the evidence is.",
    ),
    Claim(
        "works-for-everyone",
        r"\b(?:works|effective)\s+for\s+(?:everyone|everybody|all)\b|\balways\s+works\b|\bnever\s+fails\b",
        "No treatment works for everyone; results differ from person to person.",
    ),
    Claim(
        "not-addictive",
        r"\bnon[- ]?addictive\b|\bnot\s+(?:\w+\s+)?addictive\b|\bno\s+(?:chance|danger)\s+of\s+addiction\b",
        "Some medicines, controlled substances above all, can be misused or lead to dependence: "
        "describe that risk instead of ruling it out.",
    ),
    Claim(
        "natural-safe",
        r"\b(?:all[- ])?natural\b[^.!?]{0,30}?\b(?:safe|harmless|gentle)\b",
        "'Natural' does not mean safe: natural products can have side effects and interact with medicines.",
    ),
    Claim(
        "fda-approved",
        r"\bFDA[- ]approved\b|\bapproved\s+by\s+the\s+FDA\b",
        "Check that the approval covers this exact product and use: many treatments (ketamine "
        "for depression, for one) are used off-label.",
    ),
)

DEFAULT_IDS: tuple[str, ...] = tuple(c.id for c in DEFAULT_CLAIMS)


def in_language(claims: Sequence[Claim], language: str) -> tuple[Claim, ...]:
    """``claims`` for an article in ``language``: the built-in ones with that language's pattern
    where there is one (Spanish); the clinic's own extras as they are written."""
    from .claims_es import BY_LANGUAGE

    patterns = BY_LANGUAGE.get(language.lower().split("-")[0], {})
    return tuple(
        Claim(c.id, patterns[c.id], c.reason) if c in DEFAULT_CLAIMS and c.id in patterns else c
        for c in claims
    )


def _accentless(char: str) -> str:
    """ "é" -> "e", "ñ" -> "n": the base letter when the rest are combining marks, else the character."""
    parts = unicodedata.normalize("NFD", char)
    return parts[0] if len(parts) > 1 and all(unicodedata.combining(p) for p in parts[1:]) else char


# What a pattern is matched on: typographic quotes as ASCII and Latin letters without accents. One
# character for one, so that offsets into the folded text are offsets into the author's text.
FOLD = {**PLAIN, **{c: _accentless(chr(c)) for c in range(0xC0, 0x250) if _accentless(chr(c)) != chr(c)}}
EXTRA_REASON = "on the clinic's own list of phrases to review ([tool.publish.checks] extra_claims)"


def _extra(item: Any, n: int) -> tuple[Claim | None, str]:
    """One ``extra_claims`` entry: a phrase, or a table with phrase/pattern and reason."""
    where = f"tool.publish.checks.extra_claims[{n}]"
    if isinstance(item, str):
        item = {"phrase": item}
    if not isinstance(item, dict):
        return None, f'{where}: must be text or a table like {{ phrase = "...", reason = "..." }}'
    unknown = sorted(set(item) - {"phrase", "pattern", "reason", "id"})
    if unknown:
        return None, f"{where}: unknown key '{unknown[0]}'. Valid keys: id, pattern, phrase, reason"
    if ("phrase" in item) == ("pattern" in item):
        return None, f"{where}: needs exactly one of phrase (plain words) or pattern (a regular expression)"
    for key in ("phrase", "pattern", "reason", "id"):
        if key in item and (not isinstance(item[key], str) or not item[key].strip()):
            return None, f"{where}: {key} must be non-empty text, got {item[key]!r}"
    if "phrase" in item:
        words = item["phrase"].split()
        pattern = (
            r"\b" + r"\s+".join(re.escape(w) for w in words) + (r"\b" if words[-1][-1].isalnum() else "")
        )
    else:
        pattern = item["pattern"]
        try:
            re.compile(pattern)
        except re.error as exc:
            return None, f"{where}: pattern {pattern!r} is not a valid regular expression: {exc}"
    ident = item.get("id") or item.get("phrase") or f"extra-{n}"
    return Claim(ident, pattern, item.get("reason") or EXTRA_REASON), ""


def active_claims(enabled: Sequence[str], extra: Iterable[Any]) -> tuple[tuple[Claim, ...], list[str]]:
    """The built-in claims named in ``enabled`` plus the clinic's extras; and any config problems."""
    problems: list[str] = []
    if isinstance(enabled, str) or not all(isinstance(i, str) for i in enabled):
        problems.append("tool.publish.checks.claims: must be a list of names")
        enabled = ()
    chosen = []
    for ident in enabled:
        found = next((c for c in DEFAULT_CLAIMS if c.id == ident), None)
        if found is None:
            problems.append(
                f"tool.publish.checks.claims: unknown name '{ident}'. Valid names: {', '.join(DEFAULT_IDS)}"
            )
        else:
            chosen.append(found)
    for n, item in enumerate(extra, 1):
        claim, problem = _extra(item, n)
        if claim is not None:
            chosen.append(claim)
        else:
            problems.append(problem)
    return tuple(chosen), problems


_SENTENCE = re.compile(r"[^.!?]*(?:[.!?]+[\"'”’)\]]*|$)")


class Sentences:
    """The sentences of one text, found in one pass: ``at`` looks one up by bisection, so
    quoting the sentence of every match costs no rescan of the text (thousands of matches in a
    long article once took minutes)."""

    def __init__(self, text: str) -> None:
        self.text = text
        # The matches tile the text, ending with an empty one at its end: each offset falls in
        # the last sentence that starts at or before it.
        spans = [m.span() for m in _SENTENCE.finditer(text)]
        self.starts = [start for start, _end in spans]
        self.ends = [end for _start, end in spans]

    def at(self, offset: int, limit: int = 240) -> str:
        """The sentence that contains ``offset``, shortened around it if very long."""
        text = self.text
        i = bisect_right(self.starts, offset) - 1
        start, end = (self.starts[i], self.ends[i]) if i >= 0 else (0, len(text))
        if end - start > limit:
            start, end = max(start, offset - limit // 2), min(end, max(start, offset - limit // 2) + limit)
        sentence = text[start:end].strip()
        return (
            ("…" if start and text[start - 1] not in ".!? " else "")
            + sentence
            + ("…" if end < len(text) and text[end - 1] not in ".!?\"')]”’" else "")
        )


def sentence_at(text: str, offset: int, limit: int = 240) -> str:
    """The sentence of ``text`` that contains ``offset``, shortened around it if very long."""
    return Sentences(text).at(offset, limit)


@dataclass(frozen=True)
class Hit:
    claim: Claim
    offset: int  # in the scanned text
    matched: str
    sentence: str


def scan(text: str, claims: Sequence[Claim]) -> list[Hit]:
    """Every match of every claim in ``text``, in text order, quoted as the author wrote it.

    Matching reads typographic quotes as ASCII ("it’s safe" is "it's safe") and letters without
    their accents ("curación" is "curacion"); nothing is changed."""
    plain = text.translate(FOLD)
    sentences = Sentences(text)
    hits = []
    for claim in claims:
        for m in claim.compile().finditer(plain):
            hits.append(Hit(claim, m.start(), text[m.start() : m.end()], sentences.at(m.start())))
    return sorted(hits, key=lambda h: (h.offset, h.claim.id))
