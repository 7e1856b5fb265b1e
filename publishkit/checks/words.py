"""Counting words in any script: between spaces, and Chinese and Japanese by their characters.

Chinese and Japanese put no spaces between words, so ``str.split()`` takes a whole sentence (or a
paragraph) for one word. Here each run of Han ideographs, Hiragana and Katakana is counted by its
characters instead, ``CHARS_PER_WORD`` to a word: a Chinese word is about 1.5 characters in running
text, so the checks' word thresholds and the reading time keep their meaning. Splitting text into
real words would need a dictionary per language (ICU, jieba, MeCab) for a count that is only a
length gauge here; the characters' scripts come from the ``regex`` module's Unicode tables.

Text with none of these characters (English, Spanish, Arabic, Korean, Vietnamese...) is counted
exactly as before, between spaces.
"""

from __future__ import annotations

import regex

# Characters of Chinese and Japanese running text per word: about 1.5 for Chinese; Japanese
# counts come out a little high with it (kana spell out endings and particles).
CHARS_PER_WORD = 1.5
# Letters of the three scripts, by Script_Extensions so that the prolonged sound mark "ー" and
# the iteration mark "々" count; their punctuation ("。", "、", "「") is shared with them but is no letter.
_CJK = regex.compile(r"[[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}]&&[\p{L}\p{Nl}]]+", regex.V1)
# A run with the punctuation that clings to it ("（見", "毫克。"): what is left is counted between spaces.
_CJK_AND_MARKS = regex.compile(rf"\p{{P}}*(?:{_CJK.pattern})\p{{P}}*", regex.V1)


def cjk_characters(text: str) -> int:
    """How many Han, Hiragana and Katakana letters ``text`` has."""
    if text.isascii():
        return 0
    return sum(len(run) for run in _CJK.findall(text))


def count_words(text: str) -> int:
    """The words of ``text``: between spaces, and each Chinese or Japanese run by its characters.

    Where the text has such characters, they are taken out with the punctuation next to them
    ("。", "（") and what is left is counted between spaces; ``CHARS_PER_WORD`` of the characters
    make a word, rounded to the nearest (2 characters are 1 word, 3 are 2).
    """
    if text.isascii() or not _CJK.search(text):
        return len(text.split())  # no Chinese or Japanese: between spaces, as always
    spaced = len(_CJK_AND_MARKS.sub(" ", text).split())
    return spaced + words_of(cjk_characters(text))


def words_of(characters: int) -> int:
    """``characters`` of Chinese or Japanese text as words, rounded (2/3 of a word is never a tie)."""
    return round(characters / CHARS_PER_WORD)
