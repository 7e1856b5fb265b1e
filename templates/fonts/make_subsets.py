"""Write the handout's shipped Noto subsets (templates/fonts/*-subset.*) from Debian's Noto fonts.

Run it after changing source/taglines.yaml or a catalog in templates/locale/ (it needs the Debian
packages fonts-noto-core and fonts-noto-cjk, which `make test` installs):

    .venv/bin/python templates/fonts/make_subsets.py

Why subsets: a full CJK face is 16 MB; the handout needs only the characters of the shipped
taglines and catalogs (a user's own translations take the rest from the system's Noto fonts).
Arabic keeps its whole Unicode block: letters join into words, and a word whose letters came
from two fonts would not join, so one font must have all of them. Scripts no shipped text uses
(Devanagari, ...) are not shipped: handout.css names the system's Noto family for them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml
from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
CORE = Path("/usr/share/fonts/truetype/noto")
CJK = Path("/usr/share/fonts/opentype/noto")
CJK_FACES = {"JP": 0, "KR": 1, "TC": 3}  # face index in NotoSansCJK-<weight>.ttc
CJK_LANGS = {"JP": ("ja",), "KR": ("ko",), "TC": ("zh-Hant", "zh-TW", "zh")}
JOINERS = [0x200C, 0x200D, 0x200E, 0x200F]
# With the Arabic letters, the spaces, digits and punctuation an Arabic line sets between them.
WHOLE_BLOCKS = {"Arabic": [*range(0x0600, 0x0700), *JOINERS, *range(0x20, 0x7F), 0xA0, 0xAB, 0xBB]}


def texts_by_language() -> dict[str, str]:
    """Every shipped text by language tag: taglines (and their names) and catalog translations."""
    found: dict[str, str] = {}
    for item in yaml.safe_load((REPO / "source" / "taglines.yaml").read_text(encoding="utf-8")):
        found[item["lang"]] = found.get(item["lang"], "") + item["name"] + item["text"]
    for po in sorted((HERE.parent / "locale").glob("*/LC_MESSAGES/*.po")):
        locale = po.parent.parent.name
        lang = locale.replace("_", "-")
        found[lang] = found.get(lang, "") + catalog_text(po, locale)
    return found


def catalog_text(po: Path, locale: str) -> str:
    """Every translation in the catalog, and the language's long dates (every month's name and
    the date pattern's own characters: "2026年11月1日")."""
    from datetime import date

    from babel.dates import format_date
    from babel.messages.pofile import read_po

    with po.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    strings = [m.string for m in catalog if m.id and isinstance(m.string, str)]
    dates = [format_date(date(2026, month, 28), format="long", locale=locale) for month in range(1, 13)]
    return "".join(strings + dates)


def _subset(font: TTFont, codepoints: set[int], out: Path) -> None:
    options = subset.Options()
    options.layout_features = ["*"]  # keep shaping (joining, conjuncts, vertical forms)
    options.name_IDs = ["*"]  # keep the copyright and licence records the OFL asks for
    options.notdef_outline = True
    sub = subset.Subsetter(options)
    sub.populate(unicodes=sorted(codepoints))
    sub.subset(font)
    # The source font's date, not the time of the run: the same fonts and texts give the same
    # bytes (a new date would change every handout's cache key for nothing).
    font.recalcTimestamp = False
    font.save(out)
    print(f"{out.name}: {len(codepoints)} characters, {out.stat().st_size:,} bytes")


def main() -> int:
    texts = texts_by_language()
    for face, index in CJK_FACES.items():
        wanted = "".join(texts.get(lang, "") for lang in CJK_LANGS[face])
        # With the space, digits and phone punctuation: between two CJK characters they are set in
        # the CJK font.
        codepoints = {ord(c) for c in wanted + " 0123456789-+().,:;/"}
        for weight in ("Regular", "Bold"):
            font = TTCollection(CJK / f"NotoSansCJK-{weight}.ttc").fonts[index]
            _subset(font, codepoints, HERE / f"NotoSansCJK{face.lower()}-{weight}-subset.otf")
    for script, codepoints in WHOLE_BLOCKS.items():
        for weight in ("Regular", "Bold"):
            font = TTFont(CORE / f"NotoSans{script}-{weight}.ttf")
            _subset(font, set(codepoints), HERE / f"NotoSans{script}-{weight}-subset.ttf")
    return 0


if __name__ == "__main__":
    sys.exit(main())
