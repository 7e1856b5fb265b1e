"""The built-in checks: readability, claims, structure, placeholders, review date, translation."""

from __future__ import annotations

from typing import Any

from ..model.review import FUTURE, OVERDUE
from ..model.scaffold import PLACEHOLDER_MESSAGE, placeholders
from .base import ERROR, INFO, WARNING, Check, Content, Dated, Finding
from .claims import active_claims, in_language, scan
from .prose import PLAIN
from .readability import SPANISH_FORMULA, inflesz_band, measured
from .structure import check_structure
from .translation import Translation


class Readability(Check):
    """The reading grade against the audience's target (the measuring is the runner's)."""

    name = "readability"

    def content(self, c: Content) -> list[Finding]:
        scores, meta = c.scores, c.article.meta
        if scores.get("formula") == "szigriszt-pazos":
            return self._ease(c)
        target = c.settings.checks.target_for(meta.audience)
        if scores["grade"] is None and scores["words"] and not measured(meta.language):
            msg = f"reading level: no formula for '{meta.language}'; not measured"
            return [Finding(INFO, self.name, None, msg)]
        if target is None or scores["grade"] is None or scores["grade"] <= target:
            return []
        sections = scores["sections"]
        worst = ", ".join(f"'{s['title']}' (line {s['line']}, grade {s['grade']:g})" for s in sections)
        return [
            Finding(
                WARNING,
                self.name,
                sections[0]["line"] if sections else None,
                f"reading grade {scores['grade']:g} (Flesch-Kincaid) is above the target of {target:g} for "
                f"{meta.audience}; hardest sections: {worst or 'none long enough to rank'}. "
                "Shorter sentences and everyday words lower it",
            )
        ]

    def _ease(self, c: Content) -> list[Finding]:
        """Spanish: a score where higher is easier, below its target."""
        scores, audience = c.scores, c.article.meta.audience
        target = c.settings.checks.ease_target_for(audience)
        ease = scores["ease"]
        if target is None or ease is None or ease >= target:
            return []
        sections = scores["sections"]
        worst = ", ".join(f"'{s['title']}' (line {s['line']}, {s['ease']:g})" for s in sections)
        return [
            Finding(
                WARNING,
                self.name,
                sections[0]["line"] if sections else None,
                f"reading ease {ease:g} ({SPANISH_FORMULA}: '{inflesz_band(ease)}') is below the target "
                f"of {target:g} ('{inflesz_band(target)}') for {audience}; hardest sections: "
                f"{worst or 'none long enough to rank'}. Shorter sentences and everyday words raise it",
            )
        ]


def _claim_finding(hit: Any, line: int, where: str = "") -> Finding:
    msg = f"claim '{hit.claim.id}' ({hit.matched!r}){where}: \"{hit.sentence}\" "
    msg += f"Why it matters: {hit.claim.reason}"
    return Finding(
        WARNING, "claims", line, msg, id=hit.claim.id, sentence=hit.sentence, reason=hit.claim.reason
    )


class Claims(Check):
    """Risky health claims (cures, guarantees, ...) in the title, summary, subject and body."""

    name = "claims"

    def content(self, c: Content) -> list[Finding]:
        claims, _problems = active_claims(c.settings.checks.claims, c.settings.checks.extra_claims)
        claims = in_language(claims, c.article.meta.language)
        findings = self._front_matter(c, claims)
        for unit in c.doc.units:
            for hit in scan(unit.text, claims):
                findings.append(_claim_finding(hit, unit.line_at(hit.offset) + c.to_file))
        return findings

    @staticmethod
    def _front_matter(c: Content, claims: Any) -> list[Finding]:
        """Claims in the title, summary and email subject, which every output shows first."""
        meta = c.article.meta
        folded = [t.translate(PLAIN).casefold() for t in c.article.front_lines]
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


class Structure(Check):
    """Heading order, alt text, links readers can use, a short main message first."""

    name = "structure"

    def content(self, c: Content) -> list[Finding]:
        return [Finding(p.level, p.check, p.line + c.to_file, p.message) for p in check_structure(c.ast)]


class Placeholder(Check):
    """Text from `publish.py new` that the author has not replaced yet."""

    name = "placeholder"

    def content(self, c: Content) -> list[Finding]:
        return [Finding(ERROR, self.name, n, PLACEHOLDER_MESSAGE) for n in placeholders(c.article)]


class Review(Check):
    """The review date against the build's clock: overdue, due soon, or in the future."""

    name = "review"
    each_run = True

    def dated(self, d: Dated) -> list[Finding]:
        status, line = d.review, d.article.line_of_key("reviewed")
        if status.state == FUTURE:
            msg = (
                f"reviewed date {status.reviewed.isoformat()} is in the future (today is "
                f"{status.today.isoformat()}): write the date the review actually happened"
            )
            return [Finding(ERROR, self.name, line, msg)]
        if status.state == OVERDUE:
            hint = "" if d.strict else " (--strict refuses it)"
            day = status.reviewed.isoformat()
            # Counted from the last approval when there is one (publish.py approve), else 'reviewed:'.
            what = f"last approved {day} by {d.approved_by}" if d.approved_by else f"last reviewed {day}"
            again = (
                "approves it again (publish.py approve)"
                if d.approved_by
                else "reviews it and 'reviewed' is updated"
            )
            msg = (
                f"review overdue: {what}, next review was due {status.due.isoformat()} "
                f"({-status.days_left} days ago). Outputs carry a 'Review overdue' mark until a clinician "
                f"{again}{hint}"
            )
            return [Finding(WARNING, self.name, line, msg)]
        if status.state == "due-soon":
            msg = f"review due soon: next review by {status.due.isoformat()} (in {status.days_left} days)"
            return [Finding(INFO, self.name, line, msg)]
        return []


BUILTIN: tuple[Check, ...] = (Readability(), Claims(), Structure(), Placeholder(), Review(), Translation())
