"""Bad articles and registries: one clear Error line naming file and line, exit 1, the rest still builds."""

from __future__ import annotations

import io

import docx
import pytest
from conftest import Project

GOOD = "good-article"

CASES = {
    "malformed-yaml": (
        "---\ntitle: [unclosed\nsummary: x\nreviewed: 2026-01-01\n---\nBody.\n",
        "Error: source: source/malformed-yaml.md:3: invalid YAML: expected ',' or ']', but got ':' "
        "(while parsing a flow sequence on line 2)",
    ),
    "list-front-matter": (
        "---\n- title\n- summary\n---\nBody.\n",
        "Error: source: source/list-front-matter.md:2: front matter must be key: value lines, got a list.",
    ),
    "no-front-matter": (
        "# Just a heading\n\nBody.\n",
        "Error: source: source/no-front-matter.md:1: no front matter: the file must start with a line '---'",
    ),
    "missing-summary": (
        "---\ntitle: T\nreviewed: 2026-01-01\n---\nBody.\n",
        "Error: source: source/missing-summary.md:2: missing required 'summary': text (required)",
    ),
    "unknown-key": (
        "---\ntitle: T\nsummary: S\nreviewed: 2026-01-01\nreviewd: 2026-01-01\n---\nBody.\n",
        "Error: source: source/unknown-key.md:5: unknown key 'reviewd'. Valid keys: title, summary, reviewed,",
    ),
    "bad-date": (
        "---\ntitle: T\nsummary: S\nreviewed: 2026-02-30\n---\nBody.\n",
        "Error: source: source/bad-date.md:4: 'reviewed' must be a real date written YYYY-MM-DD, got '2026-02-30'",
    ),
    "yaml-bool-title": (
        "---\ntitle: no\nsummary: S\nreviewed: 2026-01-01\n---\nBody.\n",
        "Error: source: source/yaml-bool-title.md:2: 'title' must be text, got false (YAML reads yes/no/on/off",
    ),
    "unknown-disclaimer": (
        "---\ntitle: T\nsummary: S\nreviewed: 2026-01-01\ndisclaimers: [not-a-thing]\n---\nBody.\n",
        "Error: disclaimers: source/unknown-disclaimer.md:5: unknown disclaimer id 'not-a-thing'. "
        "Known ids: not-medical-advice, crisis-line, controlled-substance",
    ),
    "python-tag": (
        "---\ntitle: !!python/object/apply:os.system ['echo pwned']\nsummary: S\nreviewed: 2026-01-01\n---\nB\n",
        "Error: source: source/python-tag.md:2: YAML tags such as",
    ),
    "alias-bomb": (
        "---\ntitle: T\nsummary: &a [x, x]\ntags: *a\nreviewed: 2026-01-01\n---\nBody.\n",
        "Error: source: source/alias-bomb.md:3: YAML anchors and aliases (&name / *name) are not allowed",
    ),
    "bad-audience": (
        "---\ntitle: T\nsummary: S\nreviewed: 2026-01-01\naudience: kids\n---\nBody.\n",
        "Error: source: source/bad-audience.md:5: 'audience' must be one of patients, public, clinicians, got 'kids'",
    ),
    "bad-email-key": (
        "---\ntitle: T\nsummary: S\nreviewed: 2026-01-01\nemail:\n  subjct: Hi\n---\nBody.\n",
        "Error: source: source/bad-email-key.md:6: unknown key 'email.subjct'. Valid keys: email.subject",
    ),
    "long-title": (
        f"---\ntitle: {'A' * 256}\nsummary: S\nreviewed: 2026-01-01\n---\nBody.\n",
        "Error: source: source/long-title.md:2: 'title' is 256 characters long; the limit is 255: "
        "shorten it and say the rest in the summary or the article\n",
    ),
    "long-subject": (
        f"---\ntitle: T\nsummary: S\nreviewed: 2026-01-01\nemail:\n  subject: {'B' * 300}\n---\nBody.\n",
        "Error: source: source/long-subject.md:6: 'email.subject' is 300 characters long; the limit is "
        "255: shorten it and say the rest in the summary or the article\n",
    ),
}


@pytest.mark.parametrize("slug", sorted(CASES))
def test_bad_article_gets_one_clear_line_and_the_rest_builds(project: Project, slug: str) -> None:
    text, expected = CASES[slug]
    project.article(GOOD, "A good article that must still build.")
    (project.source / f"{slug}.md").write_text(text, encoding="utf-8")
    result = project.run("text")
    assert result.returncode == 1
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    assert project.out(GOOD, ".txt").is_file()
    assert not (project.build / slug).exists()


def test_not_utf8_names_the_byte_offset(project: Project) -> None:
    project.article(GOOD)
    (project.source / "latin1.md").write_bytes(
        b"---\ntitle: Caf\xe9\nsummary: S\nreviewed: 2026-01-01\n---\nBody.\n"
    )
    result = project.run("text")
    assert result.returncode == 1
    assert (
        "Error: source: source/latin1.md:2: not valid UTF-8 at byte offset 14 (byte 0xe9); save the file as UTF-8"
        in result.stderr
    )
    assert project.out(GOOD, ".txt").is_file()


def test_a_bad_article_does_not_cost_the_previous_good_output(project: Project) -> None:
    project.article("changing", "First version.")
    assert project.run("text").returncode == 0
    before = project.out("changing", ".txt").read_bytes()
    (project.source / "changing.md").write_text("---\ntitle: [broken\n---\n", encoding="utf-8")
    result = project.run("text")
    assert result.returncode == 1
    assert project.out("changing", ".txt").read_bytes() == before


def test_bad_registry_stops_the_build_before_build_is_touched(project: Project) -> None:
    project.article(GOOD)
    (project.source / "disclaimers.yaml").write_text(
        "- id: general\n  applies: sometimes\n  short: s\n  text: t\n", encoding="utf-8"
    )
    result = project.run("text")
    assert result.returncode == 1
    assert (
        "Error: disclaimers: source/disclaimers.yaml:2: general: 'applies' must be one of "
        "always, when-mentioned, on-request, got 'sometimes'" in result.stderr
    )
    assert not project.build.exists()


def test_unknown_config_key_lists_the_valid_ones(project: Project) -> None:
    project.article(GOOD)
    project.set_config("[tool.publish.brand]\n", "[tool.publish.brand]\ncolour = '#000000'\n")
    result = project.run("text")
    assert result.returncode == 1
    assert result.stderr == (
        "Error: config: pyproject.toml: tool.publish.brand: unknown key 'colour'. "
        "Valid keys: address, color, logo, name, phone, require_approval, taglines, website\n"
    )


def test_usage_errors_exit_2(project: Project) -> None:
    assert project.run("bogus").returncode == 2
    assert project.run().returncode == 2


def test_unknown_slug_lists_the_articles(project: Project) -> None:
    project.article(GOOD)
    result = project.run("text", "nope")
    assert result.returncode == 1
    assert result.stderr == "Error: source: no article 'nope' in source/. Articles: good-article\n"


# A catalog one past the 10 articles an unknown slug's error still lists in full.
SERIES = [f"ketamine-neurobiology-{i:03}" for i in range(1, 12)]
NOT_LISTED = "Articles are the .md files in source/; name one without .md"


@pytest.mark.parametrize("arg", ["ketamine-neurobiology-07", "source/ketamine-neurobiology-07.md"])
def test_unknown_slug_in_a_big_catalog_suggests_the_closest(project: Project, arg: str) -> None:
    for slug in SERIES:
        project.article(slug)
    result = project.run("text", arg)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr == (
        f"Error: source: no article '{arg}' in source/ (11 articles). Did you mean: ketamine-neurobiology-007, "
        f"ketamine-neurobiology-001, ketamine-neurobiology-002? {NOT_LISTED}\n"
    )
    assert not project.build.exists()


def test_unknown_slug_in_a_big_catalog_with_nothing_close(project: Project) -> None:
    for slug in SERIES:
        project.article(slug)
    result = project.run("text", "sleep-basics")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr == (
        f"Error: source: no article 'sleep-basics' in source/ (11 articles), and none with a similar name. "
        f"{NOT_LISTED}\n"
    )
    assert not project.build.exists()


def test_unknown_slug_in_a_catalog_of_10_still_lists_them(project: Project) -> None:
    for slug in SERIES[:10]:
        project.article(slug)
    result = project.run("text", "ketamine-neurobiology-07")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr == (
        "Error: source: no article 'ketamine-neurobiology-07' in source/. Articles: "
        + ", ".join(SERIES[:10])
        + "\n"
    )


# --- front matter and registry that PyYAML, Python's int or the calendar cannot take ----------

FM = "---\ntitle: T\nsummary: S\nreviewed: 2026-01-01\n{}\n---\nBody text.\n"
HOSTILE_FRONT = {
    "deep-block-mapping": (
        FM.format("email:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(30)) + "  " * 31 + "x"),
        "source/deep-block-mapping.md:25: too complex: lists or tables nested more than 20 deep",
    ),
    "deep-flow-mapping": (
        FM.format("email: " + "{a: " * 600 + "1" + "}" * 600),
        ":5: too complex: lists or tables nested",
    ),
    "long-hex-int": (
        FM.format("tags: [0x" + "f" * 5000 + "]"),
        ":5: a number of 5,002 characters is too long",
    ),
    "long-sexagesimal": (
        FM.format("author: 1" + ":59" * 3000),
        ":5: a number of 9,001 characters is too long",
    ),
    "long-float": (FM.format("reviewer: 1." + "1" * 5000), ":5: a number of 5,002 characters is too long"),
    "reviewed-big-int": (
        "---\ntitle: T\nsummary: S\nreviewed: " + "2" * 5000 + "\n---\nBody text.\n",
        ":4: a number of 5,000 characters is too long (at most 100); put it in quotes if it is text",
    ),
    "ufffe-in-comment": (
        FM.format("# a comment \ufffe"),
        ":5: the character U+FFFE at column 13 cannot be used",
    ),
    "nul-escape": (
        FM.format('reviewer: "a\\0b"'),
        ":5: the character U+0000 cannot be used in YAML, not even",
    ),
    "surrogate-pair-escape": (
        FM.format('tags: ["\\ud83d\\ude00"]'),
        ":5: the character U+D83D cannot be used",
    ),
    "uffff-escape-in-key": (FM.format('"\\uffff": x'), ":5: the character U+FFFF cannot be used in YAML"),
    "long-unknown-key": (
        FM.format("? " + "k" * 100_000 + "\n: x"),
        ":5: unknown key '" + "k" * 60 + "'. Valid keys:",
    ),
}


def test_hostile_front_matter_each_gets_its_own_line_and_the_rest_builds(project: Project) -> None:
    project.article(GOOD, "A good article that must still build.")
    for slug, (text, _expected) in HOSTILE_FRONT.items():
        (project.source / f"{slug}.md").write_text(text, encoding="utf-8")
    result = project.run("all", "--jobs", "1")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    for slug, (_text, expected) in HOSTILE_FRONT.items():
        lines = [x for x in result.stderr.splitlines() if x.startswith(f"Error: source: source/{slug}.md:")]
        assert len(lines) == 1, (slug, result.stderr)
        assert expected in lines[0], (slug, lines[0])
        assert len(lines[0]) < 300, slug
        assert not (project.build / slug).exists()
    assert project.out(GOOD, ".txt").is_file() and project.out(GOOD, ".docx").is_file()
    assert (project.build / "manifest.json").is_file()


@pytest.mark.parametrize(
    ("registry", "expected"),
    [
        (
            "- id: deep\n  applies: always\n  short: s\n  text: " + "[" * 600 + "]" * 600 + "\n",
            "source/disclaimers.yaml:4: too complex: lists or tables nested more than 20 deep",
        ),
        (
            "- id: big\n  applies: always\n  short: " + "7" * 5000 + "\n  text: t\n",
            "source/disclaimers.yaml:3: a number of 5,000 characters is too long",
        ),
        (
            "- id: odd\n  applies: always\n  short: s\n  text: 'a \uffff b'\n",
            "source/disclaimers.yaml:4: the character U+FFFF at column 12 cannot be used in YAML; remove it",
        ),
        (
            '- id: odd\n  applies: always\n  short: s\n  text: "a \\ud800 b"\n',
            "source/disclaimers.yaml:4: the character U+D800 cannot be used in YAML, not even as an escape",
        ),
    ],
    ids=["deep", "big-int", "uffff", "surrogate-escape"],
)
def test_hostile_registry_stops_the_build_with_one_clear_line(
    project: Project, registry: str, expected: str
) -> None:
    project.article(GOOD)
    (project.source / "disclaimers.yaml").write_text(registry, encoding="utf-8")
    result = project.run("text")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("Error: disclaimers: " + expected), result.stderr
    assert not project.build.exists()


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("x = " + "[" * 2000 + "]" * 2000, "not valid TOML: nested too deep"),
        (
            "x = " + "9" * 5000,
            "not valid TOML: Exceeds the limit (4300 digits) for integer string conversion",
        ),
    ],
    ids=["deep", "big-int"],
)
def test_hostile_pyproject_is_a_clear_config_error(project: Project, setting: str, expected: str) -> None:
    project.article(GOOD)
    py = project.root / "pyproject.toml"
    py.write_text(setting + "\n" + py.read_text(encoding="utf-8"), encoding="utf-8")
    result = project.run("text")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"Error: config: pyproject.toml: {expected}"), result.stderr


# --- nesting is measured on a Markdown parse, not by counting characters ---------------------

# A representative Markdown test file: Setext headings, thematic breaks of every kind, long dash
# lines, tables, nested lists three deep, code, quotes, footnotes and a definition list.
MARKDOWN_TEST_FILE = """\
A first paragraph that says what this page is for, in one plain sentence or two.

Setext section
--------------------------------------------------

Text under a Setext heading underlined with fifty dashes.

Another Setext section
======================

- - - - - - - - - - - - - - - - - - - - - - - - - -

* * * * * * * * * * * * * * * * * * * * * * * *

___________________________________________________

| Medicine | Dose | When |
|-----------------------------|------------------|---------------------|
| Sertraline | 50 mg | morning |
| Melatonin | 3 mg | bedtime |

1. First step
   - a detail
     - a finer detail
     - another one
   - back up
2. Second step
   1. numbered inside
      1. and inside again

```
--------------------------------------------------
> > > > > > > > > > > > > > > > > > > > > > > > code is not nesting
```

    ----------------------------------------------------------------
    indented code

> A quote with a list:
>
> - one
>   - two
>     - three

Here is a footnote.[^note]

[^note]: The note's text.

    - and a list inside the note

Term
:   Its definition, with a list:

    - item

----------------------------------------------------------------------

The end.
"""


def test_valid_markdown_builds(project: Project) -> None:
    project.article(
        "setext", "Some opening text for the reader.\n\nA Setext heading\n" + "-" * 30 + "\n\nMore text."
    )
    project.article("markdown-test", MARKDOWN_TEST_FILE)
    result = project.run("all", "--jobs", "1")
    assert result.returncode == 0, result.stderr
    assert "Error" not in result.stderr
    text = project.out("setext", ".txt").read_text(encoding="utf-8")
    assert "A Setext heading" in text and "-" * 30 not in text
    text = project.out("markdown-test", ".txt").read_text(encoding="utf-8")
    for words in (
        "Setext section",
        "Another Setext section",
        "Sertraline",
        "a finer detail",
        "and inside again",
    ):
        assert words in text, words
    document = docx.Document(io.BytesIO(project.out("setext", ".docx").read_bytes()))
    assert [p.style.name for p in document.paragraphs if p.text == "A Setext heading"] == ["Heading 2"]


DEEP = {
    # (body, 1-based line of the body that goes past 20)
    "indented-list": ("".join("  " * i + "- x\n" for i in range(25)), 21),
    "ordered-list": ("".join("   " * i + "1. x\n" for i in range(21)), 21),
    "list-markers": ("text\n\n" + "- " * 21 + "x\n", 3),
    "quotes": ("text\n\n" + ">" * 21 + " x\n", 3),
    "quotes-and-lists": ("text\n\n" + "> - " * 11 + "x\n", 3),
    "in-a-footnote": ("text[^1]\n\n[^1]: Note.\n\n    " + "> " * 21 + "x\n", 5),
    "in-a-definition": ("Term\n:   Definition.\n\n    " + "> " * 20 + "x\n", 4),
}


def test_deep_lists_and_quotes_are_refused_at_their_line(project: Project) -> None:
    project.article("twenty-deep", "".join("  " * i + "- x\n" for i in range(20)))
    for slug, (body, _line) in DEEP.items():
        project.article(slug, body)
    result = project.run("text", "--jobs", "1")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    for slug, (_body, line) in DEEP.items():
        # project.article puts the body after 6 lines of front matter.
        expected = f"Error: source: source/{slug}.md:{6 + line}: too complex: lists or quotes nested more than 20 deep"
        assert expected in result.stderr, (slug, result.stderr)
    assert project.out("twenty-deep", ".txt").is_file()


def test_nesting_past_what_the_parser_measures_is_refused(project: Project) -> None:
    # With a limit near 100 the parser stops at its own cap; what it cannot see is refused too.
    py = project.root / "pyproject.toml"
    py.write_text(
        py.read_text(encoding="utf-8") + "\n[tool.publish.limits]\nmax_nesting = 150\n", encoding="utf-8"
    )
    project.article("deep", "".join("  " * i + "- x\n" for i in range(400)))
    project.article("sixty", "".join("  " * i + "- x\n" for i in range(60)))
    result = project.run("text", "--jobs", "1")
    assert result.returncode == 1
    assert (
        "Error: source: source/deep.md:105: too complex: lists or quotes nested more than 150 deep"
        in result.stderr
    )
    assert project.out("sixty", ".txt").is_file()
