"""Plain text at 72 columns: tables that fit or turn into blocks, no line that reads as a list item."""

from __future__ import annotations

import email
import re
from email import policy
from pathlib import Path

import pytest
from conftest import EPOCH, Project

from publishkit.formats._plain import BIND, brand_line, unbind, wrap_lines
from publishkit.formats._plaintable import column_widths, table_text
from publishkit.model.brands import Brand

MARKER_LINE = re.compile(r"^\s*(?:[-–—*+•·#>]|\d{1,3}[.)])(?:\s|$)")
WIDE_HEADER = "| " + " | ".join(f"Measurement{n}" for n in range(1, 8)) + " |"
WIDE_TABLE = "\n".join(
    [
        WIDE_HEADER,
        "|" + "---|" * 7,
        "| " + " | ".join(f"value-{n}-unbreakable" for n in range(1, 8)) + " |",
        "| " + " | ".join(["short"] * 7) + " |",
    ]
)


def too_long(text: str) -> list[str]:
    """Lines over 72 columns, except a single word that cannot break (a long URL)."""
    return [line for line in text.splitlines() if len(line) > 72 and " " in line.strip()]


def eml_text_part(path: Path) -> str:
    msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def _table(header: list[str], rows: list[list[str]]) -> dict[str, object]:
    def cell(text: str) -> list[object]:
        inlines: list[object] = []
        for word in text.split(" "):
            inlines += [{"t": "Space"}, {"t": "Str", "c": word}] if inlines else [{"t": "Str", "c": word}]
        return [["", [], []], {"t": "AlignDefault"}, 1, 1, [{"t": "Plain", "c": inlines}]]

    def row(cells: list[str]) -> list[object]:
        return [["", [], []], [cell(c) for c in cells]]

    specs = [[{"t": "AlignDefault"}, {"t": "ColWidthDefault"}] for _ in header]
    head = [["", [], []], [row(header)]]
    body = [["", [], []], 0, [], [row(r) for r in rows]]
    return {"t": "Table", "c": [["", [], []], [None, []], specs, head, [body], [["", [], []], []]]}


def test_a_table_that_fits_wraps_its_cells_and_keeps_every_word_whole() -> None:
    header = ["Category", "Top number", "What to do"]
    rows = [["High, stage 1", "130 to 139", "Talk with your care team about lifestyle changes " * 3]]
    text = table_text(_table(header, rows))
    lines = text.splitlines()
    assert lines[0].startswith("Category") and "What to do" in lines[0]
    assert all(len(line) <= 72 for line in lines), text
    assert "130 to 139" in lines[2]  # the short column keeps its cell on one line
    start = lines[0].index("What to do")
    words = " ".join(line[start:].strip() for line in lines[2:])
    assert words.split() == rows[0][2].split()


def test_a_table_too_wide_for_columns_becomes_one_block_per_row() -> None:
    header = [f"Measurement{n}" for n in range(1, 8)]
    rows = [[f"value-{n}-unbreakable" for n in range(1, 8)], ["short"] * 7]
    assert column_widths([header, *rows]) is None
    text = table_text(_table(header, rows))
    assert text.splitlines()[:3] == [
        "Measurement1: value-1-unbreakable",
        "Measurement2: value-2-unbreakable",
        "Measurement3: value-3-unbreakable",
    ]
    assert "\n\nMeasurement1: short\n" in text
    assert not too_long(text)


@pytest.mark.parametrize("width", range(20, 73))
def test_wrapping_never_starts_a_line_with_a_list_marker(width: int) -> None:
    text = "Irritability – some people feel it. Dry mouth - common. Step 2. then * and 10) and 1. more words"
    lines = wrap_lines(text, width)
    assert not [line for line in lines if MARKER_LINE.match(line)], lines
    assert " ".join(lines).split() == text.split()


@pytest.mark.parametrize("width", range(30, 73))
def test_the_footer_keeps_postal_code_and_phone_number_whole(width: int) -> None:
    brand = Brand(
        name="Riverside Mind & Body Clinic",
        address="1200 Harbor Street, Suite 4, Portland, OR 97201",
        phone="(503) 555-0142",
        website="https://www.riversidemindbody.example",
    )
    lines = wrap_lines(brand_line(brand), width)
    joined = "\n".join(lines)
    for whole in ("OR 97201", "(503) 555-0142", "Suite 4", "1200 Harbor"):
        assert any(whole in line for line in lines), (whole, joined)
    assert not [line for line in lines if line.startswith("·")], joined
    assert " ".join(lines) == unbind(brand_line(brand))


def test_a_table_too_wide_for_72_columns_gives_a_text_and_eml_within_72(project: Project) -> None:
    body = f"Intro text. Irritability – some people feel it for a while and then it goes.\n\n{WIDE_TABLE}\n"
    project.article("wide-table", body)
    result = project.run("all", "--jobs", "1", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr + result.stdout
    for text in (
        project.out("wide-table", ".txt").read_text(encoding="utf-8"),
        eml_text_part(project.out("wide-table", ".eml")),
    ):
        assert too_long(text) == []
        assert "Measurement7: value-7-unbreakable" in text
        assert "Measurement7: short" in text
        assert not [line for line in text.splitlines() if MARKER_LINE.match(line) and "–" in line]
        assert BIND not in text
