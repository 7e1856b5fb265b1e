"""Review dates: when an article is due for its next clinical review, judged by the build clock."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date

from ..kit.i18n import ENGLISH, N_, Translator

CURRENT, DUE_SOON, OVERDUE, FUTURE = "current", "due-soon", "overdue", "future"
MARK = N_("Review overdue")


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later; the 31st becomes the last day of a shorter month.

    Past the last day Python can hold (9999-12-31) it stays there: a review date near the
    end of the calendar is a date in the future, which the checks report with its line.
    """
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    if year > date.max.year:
        return date.max
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class ReviewStatus:
    """What templates and the checks need to know about an article's review date.

    Templates read ``overdue`` (a boolean) and print ``mark`` ("Review overdue") and ``notice``
    (one sentence with the due date) where a reader will see them.
    """

    reviewed: date
    due: date
    today: date
    state: str  # current | due-soon | overdue | future
    t: Translator = field(default=ENGLISH, compare=False)  # the words outputs print

    @property
    def overdue(self) -> bool:
        return self.state == OVERDUE

    @property
    def days_left(self) -> int:
        """Days until the next review is due; negative once it is overdue."""
        return (self.due - self.today).days

    @property
    def mark(self) -> str:
        return self.t.gettext(MARK) if self.overdue else ""

    @property
    def label(self) -> str:
        """The mark as a run-in heading, its colon the language's own ("審閱已逾期：" in Chinese)."""
        return self.t.gettext("{mark}:", mark=self.mark) if self.overdue else ""

    @property
    def detail(self) -> str:
        """The sentence after the mark: when the review was due, and what the reader should do."""
        if not self.overdue:
            return ""
        return self.t.gettext(
            "this information was due for its next review on {date}. "
            "Check with the clinic that it is still current.",
            date=self.t.format_date(self.due),
        )

    @property
    def notice(self) -> str:
        return self.t.gettext("{mark}: {detail}", mark=self.mark, detail=self.detail) if self.overdue else ""

    def describe(self) -> str:
        """A short phrase for tables: 'overdue by 27 days', 'due in 12 days', ..."""
        if self.state == FUTURE:
            return f"date {self.reviewed.isoformat()} is in the future"
        if self.state == OVERDUE:
            return f"overdue by {-self.days_left} day{'s' if self.days_left != -1 else ''}"
        if self.state == DUE_SOON:
            return f"due in {self.days_left} day{'s' if self.days_left != 1 else ''}"
        return f"next {self.due.isoformat()}"

    def to_json(self) -> dict[str, object]:
        return {
            "reviewed": self.reviewed.isoformat(),
            "due": self.due.isoformat(),
            "state": self.state,
            "days_left": self.days_left,
        }


def review_status(reviewed: date, today: date, every_months: int, due_soon_days: int) -> ReviewStatus:
    """Overdue once the review is older than ``every_months``; due soon within ``due_soon_days``."""
    due = add_months(reviewed, every_months)
    if reviewed > today:
        state = FUTURE
    elif today > due:
        state = OVERDUE
    elif (due - today).days <= due_soon_days:
        state = DUE_SOON
    else:
        state = CURRENT
    return ReviewStatus(reviewed=reviewed, due=due, today=today, state=state)
