"""Plain text at 72 columns: tables that fit or turn into blocks, no line that reads as a list item."""

from __future__ import annotations

import email
import json
import re
from email import policy
from pathlib import Path

import pytest
from conftest import EPOCH, Project, make_project

from publishkit.formats._plain import BIND, brand_line, columns, unbind, wrap_lines
from publishkit.formats._plainreflow import reflow
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


# Chinese and Japanese: no spaces between words, so pandoc's plain writer (which breaks only at
# spaces) left each paragraph on one line; the text is now broken between characters.
ZH_SENTENCE = "請依照您的醫護人員指示服用此藥，如有任何疑問請致電診所。"
JA_SENTENCE = "医師の指示に従ってこの薬を服用し、ご不明な点があればクリニックにお電話ください。"
ZH_DISCLAIMER = (
    "本資料僅提供一般資訊，並非醫療建議，亦不能取代您的醫護人員針對您個人狀況所提供的專業診斷與治療建議。"
)
JA_DISCLAIMER = "この資料は一般的な情報のみを提供するものであり、医学的助言ではなく、医療従事者による診断や治療に代わるものではありません。"
CJK_REGISTRY = f"""
- id: not-medical-advice
  applies: always
  short:
    en: "General information only, not medical advice."
    zh-Hant: "僅供一般資訊參考，並非醫療建議。"
    ja: "一般的な情報のみであり、医学的助言ではありません。"
  text:
    en: "This handout gives general information only. It is not medical advice."
    zh-Hant: "{ZH_DISCLAIMER}"
    ja: "{JA_DISCLAIMER}"
"""


def cjk_blocks(sentence: str, heading: str) -> list[str]:
    """A long paragraph (with a number and a space in it), a heading, a list, a quote, a hard break."""
    long = sentence * 6
    return [
        f"{long}每晚服用 20 毫克。{long}",
        f"## {heading}{heading}{heading}",
        f"-   {long}\n-   短い\n    1.  {long}",
        f"> {long}",
        f"第一行\\\n{long}",
    ]


def cjk_table(sentence: str) -> str:
    return f"| 項目 | 説明 |\n|---|---|\n| 劑量 | {sentence * 4} |\n| 時間 | 每晚 |"


def squashed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pandoc_plain(markdown: str) -> str:
    from publishkit.kit.pandoc import WriteJob, read_many, write_many

    ast = json.loads(read_many({"k": markdown}, 60).values["k"])
    return write_many([WriteJob("k", ast, "plain")], 60).values["k"]


@pytest.fixture(scope="module")
def cjk_build(tmp_path_factory: pytest.TempPathFactory) -> Project:
    proj = make_project(tmp_path_factory.mktemp("cjk") / "proj")
    proj.write("source/disclaimers.yaml", CJK_REGISTRY)
    for lang, sentence in (("zh-Hant", ZH_SENTENCE), ("ja", JA_SENTENCE)):
        body = "\n\n".join([*cjk_blocks(sentence, "劑量"), cjk_table(sentence)])
        proj.article(lang.lower(), body, language=lang, title='"測試：您的劑量"', summary='"服用多少。"')
    result = proj.run("all", "--jobs", "1", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr + result.stdout  # the audit found every disclaimer
    return proj


@pytest.mark.parametrize(("slug", "sentence"), [("zh-hant", ZH_SENTENCE), ("ja", JA_SENTENCE)])
def test_chinese_and_japanese_text_breaks_between_characters_within_72_columns(
    cjk_build: Project, slug: str, sentence: str
) -> None:
    for text in (
        cjk_build.out(slug, ".txt").read_text(encoding="utf-8"),
        eml_text_part(cjk_build.out(slug, ".eml")),
    ):
        lines = text.splitlines()
        assert [line for line in lines if columns(line) > 72] == []
        assert not [
            line for line in lines if MARKER_LINE.match(line) and not line.lstrip().startswith(("- ", "1. "))
        ]
        flat = squashed(text)
        # Nothing lost or added but line breaks: each block as pandoc writes it, the table's cells.
        for block in cjk_blocks(sentence, "劑量"):
            assert squashed(pandoc_plain(block)) in flat.replace("-" * 12, ""), block
        assert squashed(f"劑量{sentence * 4}") in flat
        # Kept as pandoc laid it out: the item's hanging indent, the heading's underline in columns.
        item = lines.index(next(line for line in lines if line.startswith("- " + sentence[:4])))
        assert lines[item + 1].startswith("  ") and not lines[item + 1].startswith("   ")
        nested = next(i for i, line in enumerate(lines) if line.startswith("  1.  "))
        assert lines[nested + 1].startswith("      ") and lines[nested + 1][6] != " "
        quote = next(
            i for i, line in enumerate(lines) if not lines[i - 1] and line.startswith("  " + sentence[:4])
        )
        assert lines[quote + 1].startswith("  ") and lines[quote + 1][2] != " "
        assert lines[lines.index("劑量劑量劑量") + 1] == "-" * 12
        assert lines[lines.index("第一行") + 1].startswith(sentence[:8])
        assert lines[lines.index("測試：您的劑量") + 1] == "=" * 14
        assert "  ".join(["劑量", sentence[:10]]) in text  # the table keeps its two columns
        assert max(columns(line) for line in lines) > 60  # lines are filled, not cut short


def test_a_wrapped_chinese_line_never_starts_with_closing_punctuation_or_a_marker() -> None:
    text = ("請依照醫護人員指示服用。" * 3 + "步驟1. 每晚 – 服用，") * 5
    for width in range(20, 73):
        lines = wrap_lines(text, width)
        assert all(columns(line) <= width for line in lines), width
        assert not [line for line in lines if line[0] in "。，" or MARKER_LINE.match(line)], lines
        assert squashed("".join(lines)) == squashed(text)


def test_reflow_leaves_text_without_chinese_or_japanese_alone() -> None:
    plain = "-   " + "word " * 30 + "\n    more\n\n" + "x" * 100 + "\n"
    assert reflow(plain) == plain


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("每晚服用\n20 毫克。 Call us", "每晚服用20毫克。Call us"),  # beside a Chinese character: gone
        ("a\u3000\t-中", "a\u3000\t-中"),  # between two others: kept (an ideographic space too)
        ("Take 20\n mg — «now» 中", "Take 20\n mg — «now»中"),
        ("中 ", "中 "),  # at the very end: kept
        (" 中", "中"),
    ],
)
def test_white_space_beside_chinese_and_japanese_characters_only_is_dropped(text: str, expected: str) -> None:
    from publishkit.kit.eastasian import unspace

    assert unspace(text) == expected


def test_the_audit_reads_a_line_broken_between_chinese_characters_as_no_space() -> None:
    from publishkit.kit.textnorm import contains, normalize

    broken = normalize("本資料僅提供一般資\n訊，並非醫療\n建議。每晚服用\n20 毫克")
    assert contains(broken, "本資料僅提供一般資訊，並非醫療建議。每晚服用 20 毫克")
    assert normalize("Take 20\nmg") == "take 20 mg"  # other text as before
