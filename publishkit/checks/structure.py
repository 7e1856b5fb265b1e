"""Structure checks: heading order, alt text, links that work for readers, a main message first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from ..kit.doctree import AST, Node, stringify
from .base import ERROR, WARNING
from .prose import attr_of, first_line, walk_lines
from .words import CHARS_PER_WORD, cjk_characters, count_words

# The first paragraph should say the main message in one to three short sentences.
FIRST_MIN_WORDS, FIRST_MAX_WORDS = 10, 80
VAGUE_ALT = {"image", "picture", "photo", "photograph", "graphic", "img", "figure", "icon", "logo"}
VAGUE_LINK_TEXT = {"here", "click here", "this", "link", "this link", "more", "read more", "click"}
SAFE_SCHEMES = ("https://", "mailto:", "tel:")


@dataclass(frozen=True)
class Problem:
    level: str  # error | warning | info
    check: str  # headings | images | links | opening
    line: int  # relative to the body
    message: str


Lines = Sequence[tuple[Node, int]]


def _lines(ast: AST, lines: Lines | None) -> Lines:
    return list(walk_lines(ast["blocks"])) if lines is None else lines


def check_headings(ast: AST, lines: Lines | None = None) -> list[Problem]:
    out = []
    previous = 1  # the title is the level-1 heading of every output
    for node, line in _lines(ast, lines):
        if node.get("t") != "Header":
            continue
        level, text = node["c"][0], stringify(node["c"][2])
        if not text:
            out.append(Problem(WARNING, "headings", line, "empty heading: give it words or remove it"))
        if level == 1:
            out.append(
                Problem(
                    WARNING,
                    "headings",
                    line,
                    f"heading '{text}' is level 1 (#), like the title: start sections at ## "
                    "so screen readers see one title",
                )
            )
        elif level > previous + 1:
            out.append(
                Problem(
                    WARNING,
                    "headings",
                    line,
                    f"heading '{text}' skips from level {previous} to level {level}: use "
                    f"{'#' * (previous + 1)} here, so screen-reader users do not think a section is missing",
                )
            )
        previous = level
    return out


def check_images(ast: AST, lines: Lines | None = None) -> list[Problem]:
    out = []
    for node, line in _lines(ast, lines):
        if node.get("t") != "Image":
            continue
        src, alt = node["c"][2][0], stringify(node["c"][1]).strip()
        name = PurePosixPath(src).name
        if not alt:
            out.append(
                Problem(
                    ERROR,
                    "images",
                    line,
                    f"image '{src}' has no alt text: describe what it shows for people who cannot see it, "
                    f"e.g. ![A nurse checking a blood pressure cuff]({src})",
                )
            )
        elif alt.casefold() in VAGUE_ALT or alt in (src, name, PurePosixPath(name).stem):
            out.append(
                Problem(
                    WARNING,
                    "images",
                    line,
                    f"image '{src}' has alt text '{alt}', which does not say what it shows: describe "
                    "the picture in a few words",
                )
            )
    return out


def _anchors(lines: Lines) -> set[str]:
    ids = set()
    for node, _line in lines:
        attr = attr_of(node)
        if attr and attr[0]:
            ids.add(attr[0])
    return ids


def check_links(ast: AST, lines: Lines | None = None, anchors: set[str] | None = None) -> list[Problem]:
    out = []
    lines = _lines(ast, lines)
    anchors = _anchors(lines) if anchors is None else anchors
    for node, line in lines:
        if node.get("t") != "Link":
            continue
        target, text = node["c"][2][0], stringify(node["c"][1]).strip()
        problem = ""
        level = WARNING
        if not target:
            problem = f"link '{text}' has no address"
        elif target.startswith("#"):
            if target[1:] not in anchors:
                known = ", ".join(f"#{a}" for a in sorted(anchors)) or "none"
                problem = f"link '{target}' points to no heading or anchor in this article (anchors: {known})"
        elif target.startswith("http://"):
            problem = (
                f"link '{target}' uses http://, which is not secure and which browsers and mail programs "
                "warn about: use https://"
            )
        elif not target.startswith(SAFE_SCHEMES):
            scheme = target.split(":", 1)[0] + ":" if ":" in target.split("/", 1)[0] else ""
            problem = (
                f"link '{target}' uses '{scheme}', which readers cannot follow"
                if scheme
                else f"link '{target}' points to a file next to the article, which readers of a printed "
                "handout or an email cannot open"
            ) + ": use a full https:// address (or mailto:/tel:)"
        if not problem and text.casefold().strip(".:! ") in VAGUE_LINK_TEXT:
            problem = (
                f"link text '{text}' does not say where it goes: screen-reader users hear links out of "
                "context, so name the page (e.g. 'the MedlinePlus drug pages')"
            )
        if problem:
            out.append(Problem(level, "links", line, problem))
    return out


def _first_block(blocks: list[dict[str, object]]) -> dict[str, object] | None:
    """The first real block: wrapper and content-visible Divs are looked through."""
    for block in blocks:
        if block.get("t") == "Div":
            inner = _first_block(block["c"][1])  # type: ignore[index]
            if inner is not None:
                return inner
            continue
        return block
    return None


def check_opening(ast: AST) -> list[Problem]:
    """Main message first (PEMAT, CDC Clear Communication Index): the body opens with a paragraph."""
    first = _first_block(ast["blocks"])
    if first is None:
        return [Problem(WARNING, "opening", 1, "the article has no text")]
    line = first_line(first, 1)
    kind = first.get("t")
    if kind != "Para":
        what = {"Header": "a heading", "BulletList": "a list", "OrderedList": "a list", "Table": "a table"}
        label = what.get(str(kind), "something other than a paragraph")
        if kind == "Header":
            label += f" ('{stringify(first['c'][2])}')"  # type: ignore[index]
        return [
            Problem(
                WARNING,
                "opening",
                line,
                f"the article starts with {label}, not a paragraph: open with one to three short "
                "sentences that say the main message (what the reader should know or do)",
            )
        ]
    text = stringify(first)
    words = count_words(text)
    # Chinese and Japanese words are counted from characters: the message says how many.
    chars = cjk_characters(text)
    counted = f" ({chars} characters, {CHARS_PER_WORD:g} to a word)" if chars else ""
    if words < FIRST_MIN_WORDS:
        return [
            Problem(
                WARNING,
                "opening",
                line,
                f"the first paragraph has only {words} words{counted}: state the main message in a full "
                f"sentence or two ({FIRST_MIN_WORDS} to {FIRST_MAX_WORDS} words)",
            )
        ]
    if words > FIRST_MAX_WORDS:
        return [
            Problem(
                WARNING,
                "opening",
                line,
                f"the first paragraph has {words} words{counted}: keep the main message short "
                f"({FIRST_MAX_WORDS} words or fewer) and move details further down",
            )
        ]
    return []


# The elements the checks below look at; the anchors come from every element.
_CHECKED = frozenset(("Header", "Image", "Link"))


def check_structure(ast: AST) -> list[Problem]:
    lines = _lines(ast, None)  # one walk serves every check
    # Each check goes through only the elements it could report on, not every word of the article.
    checked = [(node, line) for node, line in lines if node.get("t") in _CHECKED]
    return [
        *check_opening(ast),
        *check_headings(ast, checked),
        *check_images(ast, checked),
        *check_links(ast, checked, _anchors(lines)),
    ]
