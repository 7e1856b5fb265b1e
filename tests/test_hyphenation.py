"""pyphen's patterns read at first use hyphenate exactly as pyphen's own parse does."""

from __future__ import annotations

import random

import pyphen
import pytest
from conftest import REPO, probe

from publishkit.kit.hyphenation import LazyHyphDict


def _words(patterns: dict[str, object], seed: str, count: int = 400) -> list[str]:
    """Words to hyphenate: the dictionary's own keys, and made-up words from its letters."""
    keys = sorted(key.strip(".") for key in patterns)
    letters = sorted({c for key in keys for c in key})
    rng = random.Random(seed)
    made = ["".join(rng.choice(letters) for _ in range(rng.randint(2, 18))) for _ in range(count)]
    return rng.sample(keys, min(count, len(keys))) + made


@pytest.mark.parametrize("path", sorted(set(pyphen.LANGUAGES.values())), ids=lambda p: p.name)
def test_every_shipped_dictionary_hyphenates_as_pyphen_parses_it(path: object) -> None:
    ordinary = pyphen.HyphDict(path)
    lazy = LazyHyphDict(path)
    for word in _words(ordinary.patterns, path.name):  # type: ignore[attr-defined]
        expected = [(int(point), point.data) for point in ordinary.positions(word)]
        assert [(int(point), point.data) for point in lazy.positions(word)] == expected, word
    assert lazy.patterns == ordinary.patterns


def test_lines_are_parsed_at_their_first_lookup_only() -> None:
    lazy = LazyHyphDict(pyphen.LANGUAGES["en_US"])
    waiting = sum(isinstance(value, str) for value in lazy._found.values())
    assert waiting == len(lazy._found) > 10_000  # nothing parsed at load
    assert lazy.positions("hyphenation") == pyphen.HyphDict(pyphen.LANGUAGES["en_US"]).positions(
        "hyphenation"
    )
    parsed = len(lazy._found) - sum(isinstance(value, str) for value in lazy._found.values())
    assert 0 < parsed < 60  # the patterns found in one word, not the file


def test_special_lines_and_repeated_keys_follow_pyphen(tmp_path: object) -> None:
    dic = tmp_path / "hyph_xx.dic"  # type: ignore[operator]
    dic.write_text(
        "UTF-8\nLEFTHYPHENMIN 1\n% a comment\n"
        "a1b\n"  # replaced by the later a2b
        "a2b\n"
        "c1d\n"
        "c0d\n"  # only zeros: pyphen keeps the earlier c1d
        "e0f\n"  # only zeros and alone: no pattern
        "^^e9^^e91\n"  # ^^hh escapes: é é
        "1ff/f=f,1,2\n"  # a nonstandard alternative
        "\n",
        encoding="utf-8",
    )
    ordinary, lazy = pyphen.HyphDict(dic), LazyHyphDict(dic)
    assert lazy.patterns == ordinary.patterns
    assert set(ordinary.patterns) == {"ab", "cd", "éé", "ff"}
    for word in ("ab", "cdab", "ef", "ééa", "staffing", "xcdx"):
        expected = [(int(point), point.data) for point in ordinary.positions(word)]
        assert [(int(point), point.data) for point in lazy.positions(word)] == expected, word


# A narrow column of long English and Spanish words, hyphenated by WeasyPrint with the handout's
# stylesheet, in a fresh interpreter (pyphen keeps each dictionary once per process).
HYPHENATE = """
import hashlib, json, pathlib, sys
sys.path.insert(0, {repo!r})
{load}
import pyphen
from publishkit.formats import pdf
templates = pathlib.Path({templates!r})
css = (templates / "handout.css").read_text(encoding="utf-8") + " p {{ width: 30mm; }}"
words = "Ketamine treatment-resistant depression neuroplasticity administration considerations "
page = ('<html lang="en"><head><meta charset="utf-8"><style>' + css + '</style></head><body>'
        '<p>' + words * 3 + '</p><p lang="es">Recomendaciones farmacológicas extraordinariamente '
        'responsabilidades comunicación</p></body></html>')
data = pdf.write_handout(page, templates, pdf.make_fetcher((templates,), 10.0),
                         pdf_variant=pdf.PDF_VARIANT, pdf_identifier=b"0" * 32)
kinds = sorted(type(hd).__name__ for hd in pyphen.hdcache.values())
print(json.dumps({{"pdf": hashlib.sha256(data).hexdigest(), "kinds": kinds}}))
"""


def _hyphenate(load: str) -> dict[str, object]:
    return probe(HYPHENATE.format(repo=str(REPO), templates=str(REPO / "templates"), load=load))


def test_weasyprint_hyphenates_through_the_lazy_dictionaries_with_the_same_pdf() -> None:
    lazy = _hyphenate("from publishkit.kit import weasyload; weasyload.load_weasyprint()")
    ordinary = _hyphenate("import weasyprint")  # imported first: load_weasyprint changes nothing
    assert lazy["kinds"] == ["LazyHyphDict", "LazyHyphDict"]  # English and Spanish
    assert ordinary["kinds"] == ["HyphDict", "HyphDict"]
    assert lazy["pdf"] == ordinary["pdf"]
