"""Property-based tests: whatever the input, the pipeline succeeds with audited outputs or raises our own error."""

from __future__ import annotations

import contextlib
import re
import shutil
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml
from conftest import REPO
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from publishkit.checks.runner import run_checks
from publishkit.errors import PublishError, SourceError
from publishkit.kit import doctree
from publishkit.kit.pandoc import WriteJob, read_many, write_many
from publishkit.kit.sanitize import clean_html
from publishkit.model.article import Article, load_article
from publishkit.model.registry import load_registry
from publishkit.model.review import review_status
from publishkit.model.settings import Limits, load_settings
from publishkit.pipeline.build import Task, build_chunk
from publishkit.pipeline.plan import plan

LIMITS = Limits()
text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
values = st.one_of(
    text,
    st.integers(),
    st.booleans(),
    st.none(),
    st.dates().map(str),
    st.lists(text, max_size=3),
    st.dictionaries(text, text, max_size=2),
)
keys = st.sampled_from(
    [
        "title",
        "summary",
        "reviewed",
        "reviewer",
        "author",
        "audience",
        "language",
        "disclaimers",
        "tags",
        "email",
        "extra",
    ]
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(front=st.dictionaries(keys, values, max_size=8))
def test_any_front_matter_loads_or_raises_our_error(tmp_path: Path, front: dict[str, object]) -> None:
    path = tmp_path / "article.md"
    path.write_text("---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\nBody.\n", encoding="utf-8")
    try:
        article = load_article(path, LIMITS)
    except PublishError as exc:
        assert exc.path == str(path)
        assert exc.message
        return
    assert article.meta.title and article.meta.summary


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=200))
def test_any_bytes_load_or_raise_our_error(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "article.md"
    path.write_bytes(b"---\ntitle: T\nsummary: S\nreviewed: 2026-01-01\n---\n" + raw)
    with contextlib.suppress(PublishError):
        load_article(path, LIMITS)


def _fresh_tree(root: Path) -> Path:
    """A minimal project (settings, templates, registry) for in-process builds; Hypothesis reuses tmp_path."""
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir()
    shutil.copy(REPO / "pyproject.toml", root)
    shutil.copytree(REPO / "templates", root / "templates")
    (root / "source").mkdir()
    shutil.copy(REPO / "source" / "disclaimers.yaml", root / "source")
    shutil.copy(REPO / "source" / "taglines.yaml", root / "source")
    return root


markdown = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "# ",
                "## ",
                "- ",
                "1. ",
                "> ",
                "**",
                "_",
                "`",
                "[",
                "](",
                ")",
                "![",
                "<",
                ">",
                "&",
                "|",
                "---",
                "\n",
                "\n\n",
                ":::",
                '{.content-visible when-format="pdf"}',
                "[^1]",
                "[^1]: ",
                "suicide",
                "https://example.org",
                "javascript:x",
                "<script>",
                "{{ 7*7 }}",
                "é",
                "µg",
                "≥",
                "\t",
                " ",
            ]
        ),
        st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=8),
    ),
    max_size=40,
).map("".join)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=markdown)
def test_any_body_builds_with_every_disclaimer_audited_or_fails_cleanly(tmp_path: Path, body: str) -> None:
    root = _fresh_tree(tmp_path / "p")
    path = root / "source" / "prop.md"
    path.write_text("---\ntitle: T\nsummary: S\nreviewed: 2026-01-01\n---\n" + body + "\n", encoding="utf-8")
    cfg = load_settings(root)
    registry = load_registry(root / "source" / "disclaimers.yaml")
    try:
        article = load_article(path, cfg.limits)
    except PublishError:
        return
    applying = registry.resolve(article)
    formats = ("text", "email")
    task = _task(cfg, article, applying, formats)
    outcomes, _warnings, _version = build_chunk(
        cfg, {"default": registry}, [task], datetime(2026, 11, 15, tzinfo=UTC)
    )
    _built_or_our_error(outcomes)


html_fragments = st.lists(
    st.sampled_from(
        [
            "<p>",
            "</p>",
            "<a href='javascript:x'>",
            "<a href='#x'>",
            "</a>",
            "<script>",
            "</script>",
            "<img src=x onerror=y>",
            "<b>",
            "</b>",
            "text",
            "&amp;",
            "&lt;",
            "<",
            ">",
            '"',
            "'",
            "<table><tr><td>",
            "<style>",
            "</style>",
            "<!--",
            "-->",
        ]
    ),
    max_size=30,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(fragment=html_fragments)
def test_sanitizing_is_idempotent(fragment: str) -> None:
    once = clean_html(fragment)
    assert clean_html(once) == once
    assert "<script" not in once.lower()
    assert "onerror" not in once.lower()


header_text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=60
).filter(lambda s: s.strip() and "=?" not in s)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(subject=header_text)
def test_eml_subject_round_trips(tmp_path: Path, subject: str) -> None:
    import email
    from email import policy

    root = _fresh_tree(tmp_path / "p")
    path = root / "source" / "prop.md"
    front = yaml.safe_dump(
        {"title": "T", "summary": "S", "reviewed": "2026-01-01", "email": {"subject": subject}},
        allow_unicode=True,
    )
    path.write_text("---\n" + front + "---\nBody.\n", encoding="utf-8")
    cfg = load_settings(root)
    registry = load_registry(root / "source" / "disclaimers.yaml")
    article = load_article(path, cfg.limits)
    task = _task(cfg, article, registry.resolve(article), ("eml",))
    outcomes, _w, _v = build_chunk(cfg, {"default": registry}, [task], datetime(2026, 11, 15, tzinfo=UTC))
    assert outcomes[0].status == "built", outcomes[0].error
    msg = email.message_from_bytes((root / "build" / "prop" / "prop.eml").read_bytes(), policy=policy.default)
    assert msg["Subject"] == article.meta.subject
    assert len(msg.get_all("Subject")) == 1
    assert "Bcc" not in msg


# --- the registry: its Markdown is converted like an article's, and checked like one -------------

registry_keys = st.sampled_from(["id", "text", "short", "applies", "match", "extra"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    entries=st.one_of(
        st.lists(st.dictionaries(registry_keys, values, max_size=6), max_size=3),
        values,
    ),
    raw=st.binary(max_size=60),
)
def test_any_registry_loads_or_raises_our_error(tmp_path: Path, entries: object, raw: bytes) -> None:
    path = tmp_path / "disclaimers.yaml"
    for data in (yaml.safe_dump(entries, allow_unicode=True).encode(), raw):
        path.write_bytes(data)
        try:
            load_registry(path)
        except PublishError as exc:
            assert exc.path == str(path) and exc.message, exc


SECRET = "SECRET-REGISTRY-5d1e"
# Image targets a registry might name: a real picture, a symlink out of assets, paths out, a name
# pandoc would %-decode into a path out, remote and file URLs, inline data.
targets = st.sampled_from(
    [
        "assets/pic.png",
        "assets/link.png",
        "../SECRET-OUTSIDE.png",
        "OUTSIDE",
        "assets/..%2F..%2F..%2FSECRET-OUTSIDE.png",
        "http://127.0.0.1:9/x.png",
        "file:///etc/hostname",
        "data:image/png;base64,iVBORw0KGgo=",
    ]
)


def _registry_tree(root: Path) -> Path:
    """A fresh project whose assets hold a picture, a symlink out and a %-escaped decoy name."""
    from test_pdf_fetch import png

    _fresh_tree(root)
    secret = root.parent / "SECRET-OUTSIDE.png"
    secret.write_bytes(png() + SECRET.encode())
    assets = root / "source" / "assets"
    assets.mkdir(exist_ok=True)
    (assets / "pic.png").write_bytes(png())
    (assets / "link.png").symlink_to(secret)
    (assets / "..%2F..%2F..%2FSECRET-OUTSIDE.png").write_bytes(png())
    return secret


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=markdown, target=targets, alt=st.sampled_from(["", "a picture"]))
@example(body="Approved wording.", target="OUTSIDE", alt="")  # each way out, tried every run
@example(body="Approved wording.", target="assets/link.png", alt="")
@example(body="Approved wording.", target="assets/..%2F..%2F..%2FSECRET-OUTSIDE.png", alt="")
def test_any_registry_text_builds_or_fails_cleanly_and_reads_nothing_outside_assets(
    tmp_path: Path, body: str, target: str, alt: str
) -> None:
    root = tmp_path / "p"
    secret = _registry_tree(root)
    text = f"{body}\n\n![{alt}]({target.replace('OUTSIDE', str(secret))})\n"
    entry = {"id": "prop", "applies": "always", "short": "Read the whole handout.", "text": text}
    registry_path = root / "source" / "disclaimers.yaml"
    registry_path.write_text(yaml.safe_dump([entry], allow_unicode=True), encoding="utf-8")
    path = root / "source" / "prop.md"
    path.write_text("---\ntitle: T\nsummary: S\nreviewed: 2026-01-01\n---\nBody text.\n", encoding="utf-8")
    cfg = load_settings(root)
    registry = load_registry(registry_path)
    article = load_article(path, cfg.limits)
    formats = ("docx", "text")
    task = _task(cfg, article, registry.resolve(article), formats)
    outcomes, _warnings, _version = build_chunk(
        cfg, {"default": registry}, [task], datetime(2026, 11, 15, tzinfo=UTC)
    )
    _built_or_our_error(outcomes)
    for out in (root / "build").rglob("*"):
        if out.is_file():
            data = out.read_bytes()
            assert SECRET.encode() not in data, out
            if out.suffix == ".docx":
                with zipfile.ZipFile(out) as z:
                    assert all(SECRET.encode() not in z.read(n) for n in z.namelist()), out


reserved_name = st.builds(
    "".join,
    st.tuples(
        st.sampled_from(["pk-", "PK-", "Pk-", "pK-", "p\u212a-"]),  # U+212A KELVIN SIGN folds to k
        st.sampled_from(["page-footer", "title", "page-number", "x", ""]),
    ),
)
attribute_markdown = st.lists(
    st.tuples(
        st.sampled_from(
            ["::: {{{0}}}\ntext\n:::\n", "# Heading {{{0}}}\n", "[span]{{{0}}}\n", "`code`{{{0}}}\n"]
        ),
        st.lists(
            st.one_of(reserved_name.map(".{}".format), reserved_name.map("#{}".format)),
            min_size=1,
            max_size=3,
        ),
    ).map(lambda t: t[0].format(" ".join(t[1]) + " .keep")),
    min_size=1,
    max_size=6,
).map("\n".join)


@settings(max_examples=15, deadline=None)
@given(md=attribute_markdown)
def test_no_article_keeps_a_reserved_class_or_id(md: str) -> None:
    """Whatever classes and ids an article writes, none starting with pk- reaches the HTML."""
    parsed = read_many({"a": md}, 60)
    ast, _removed = doctree.load_stripped(parsed.values["a"], 256)
    html = clean_html(write_many([WriteJob("a", ast, "html5")], 60).values["a"])
    assert "keep" in html
    for value in re.findall(r'(?:class|id)="([^"]*)"', html):
        assert not [n for n in value.split() if n[:3].casefold() == "pk-"], (md, html)


address_text = st.one_of(
    st.text(max_size=40),
    st.builds(lambda a, b: f"{a}@{b}", st.text(max_size=15), st.text(max_size=25)),
    st.emails().map(lambda e: f"<{e}>"),
)


@given(value=address_text)
def test_any_recipient_is_one_ascii_address_or_a_send_error(value: str) -> None:
    """`send --to` once raised HeaderParseError and UnicodeEncodeError for odd addresses."""
    from email.headerregistry import Address

    from publishkit.kit.smtp import SendError, check_recipient

    try:
        address = check_recipient(value)
    except SendError:
        return
    assert address.isascii() and address.count("@") == 1
    assert Address(addr_spec=address).addr_spec == address


# --- hostile front matter, written as YAML text (not via yaml.safe_dump, which is always tame) ---


def _single_quoted(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


yaml_scalar = st.one_of(
    st.sampled_from(
        [
            "1e400",
            "1.0e400",
            ".nan",
            ".inf",
            "-.inf",
            "0x1F",
            "0o17",
            "1_000",
            "1:30:00",
            "~",
            "null",
            "yes",
            "no",
            "9999-12-31",
            "0001-01-01",
            "0000-00-00",
            "2026-02-30",
            "2026-W01-1",
            "20260101",
            "!!binary aGVsbG8=",
            "!!timestamp x",
            "!!bool x",
            "!!int x",
            "0x_",
            "0b_",
            "._",
            "! 12",
            "!!set {a, b}",
            "!!str 1",
            "!!float x",
            "!!python/name:os.system",
            "&a x",
            "*a",
            '"\\0"',
            '"\\r\\nBcc: x@example.org"',
            '"=?UTF-8?Q?=0A?="',
            "'",
            '"',
            "[",
            "{",
            "? x",
        ]
    ),
    st.integers(1, 6000).map(lambda n: "9" * n),
    st.integers(1, 3000).map(lambda n: "0x" + "f" * n),
    st.integers(1, 3000).map(lambda n: "1" + ":59" * n),
    st.integers(0, 0x10FFFF).map(lambda c: f'"\\U{c:08x}"'),
    st.integers(0, 200_000).map(lambda n: "x" * n),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30).map(_single_quoted),
)


@st.composite
def yaml_value(draw: st.DrawFn) -> str:
    """A YAML value: a scalar, or one wrapped in lists and tables from 0 to 700 levels deep."""
    value = draw(yaml_scalar)
    for _ in range(draw(st.sampled_from([0, 0, 1, 2, 19, 20, 21, 22, 700]))):
        value = draw(st.sampled_from(["[{}]", "{{k: {}}}", "[x, {}]"])).format(value)
    return value


any_value = yaml_value()
front_key = st.one_of(keys, st.sampled_from(["1", "true", "~", '"\\uffff"', "[a]", "'a b'", "email.subject"]))


@st.composite
def hostile_front(
    draw: st.DrawFn, key: st.SearchStrategy[str] = front_key, value: st.SearchStrategy[str] = any_value
) -> str:
    lines = {k: f"{k}: {v}" for k, v in (("title", "T"), ("summary", "S"), ("reviewed", "2026-01-01"))}
    for k, v in draw(st.lists(st.tuples(key, value), min_size=1, max_size=4)):
        lines[k] = f"{k}: {v}"
    if draw(st.booleans()):
        lines["email"] = f"email:\n  subject: {draw(value)}"
    return "---\n" + "\n".join(lines.values()) + "\n---\nBody text.\n"


# Odd values that may well be valid: the outputs (email headers, Word properties, PDF metadata)
# must take them or refuse them with our error.
odd_text = st.one_of(
    st.sampled_from(["1e400", ".nan", "-.inf", "0x1F", "1:30:00", "'=?x?='", "'\u202e rtl'", "'\U0001f600'"]),
    st.integers(1, 2000).map(lambda n: "x" * n),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=30).map(
        _single_quoted
    ),
)
odd_front = hostile_front(
    st.sampled_from(["title", "summary", "author", "reviewer", "tags"]),
    st.one_of(odd_text, st.lists(odd_text, max_size=3).map(lambda v: "[" + ", ".join(v) + "]")),
)


def _load_or_clear_error(path: Path) -> object:
    """The article, or None after checking the error is ours and says where (what the CLI prints)."""
    try:
        return load_article(path, LIMITS)
    except PublishError as exc:
        assert exc.path == str(path)
        assert isinstance(exc.line, int) and exc.line >= 1, exc
        assert exc.message and "\n" not in exc.message and len(exc.message) < 400, exc.message
        return None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=hostile_front())
def test_hostile_front_matter_loads_or_names_file_and_line(tmp_path: Path, text: str) -> None:
    path = tmp_path / "article.md"
    path.write_text(text, encoding="utf-8")
    article = _load_or_clear_error(path)
    if article is not None:
        assert isinstance(article, Article)
        review_status(article.meta.reviewed, date(2026, 11, 15), 12, 30).describe()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(odd_front, hostile_front()))
def test_hostile_front_matter_builds_or_fails_cleanly(tmp_path: Path, text: str) -> None:
    root = _fresh_tree(tmp_path / "p")
    path = root / "source" / "prop.md"
    path.write_text(text, encoding="utf-8")
    cfg = load_settings(root)
    registry = load_registry(root / "source" / "disclaimers.yaml")
    article = _load_or_clear_error(path)
    if not isinstance(article, Article):
        return
    try:
        applying = registry.resolve(article)
    except PublishError:
        return
    run_checks(cfg, [article], date(2026, 11, 15))
    formats = ("text", "eml", "docx", "pdf")
    task = _task(cfg, article, applying, formats)
    outcomes, _warnings, _version = build_chunk(
        cfg, {"default": registry}, [task], datetime(2026, 11, 15, tzinfo=UTC)
    )
    _built_or_our_error(outcomes)


# --- nesting: refused exactly when lists or quotes go past the limit, whatever surrounds them ---

noise_block = st.sampled_from(
    [
        "A Setext heading\n" + "-" * 30,
        "Another\n" + "=" * 40,
        "- - - - - - - - - - - - - - - - - - - - - - - -",
        "*" * 60,
        "| a | b |\n|" + "-" * 40 + "|---|\n| 1 | 2 |",
        "```\n" + "> " * 30 + "\n```",
        "    " + "- " * 30,
        "Some text.[^n]\n\n[^n]: A short note.",
        "Plain paragraph with 1. and - and > inside.",
    ]
)


@st.composite
def nested_body(draw: st.DrawFn) -> tuple[str, int, int]:
    """(body, depth, 0-based line of the first container past 20 or -1) for a random nesting."""
    before = draw(st.lists(noise_block, max_size=4))
    depth = draw(st.integers(1, 30))
    lines, prefix, target = [], "", -1
    start = sum(b.count("\n") + 2 for b in before)
    for level in range(1, depth + 1):
        kind = draw(st.sampled_from(["- ", "1. ", "> "]))
        lines.append(prefix + kind + f"level {level}")
        if level == 21:
            target = start + len(lines) - 1
        prefix += "> " if kind == "> " else " " * len(kind)
    after = draw(st.lists(noise_block, max_size=3))
    # The closing paragraph ends every list, so what follows is not read as part of the last item.
    body = "\n\n".join([*before, "\n".join(lines), "End of the lists.", *after]) + "\n"
    return body, depth, target


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=nested_body())
def test_nesting_is_refused_exactly_past_the_limit(tmp_path: Path, case: tuple[str, int, int]) -> None:
    body, depth, target = case
    path = tmp_path / "article.md"
    path.write_text("---\ntitle: T\nsummary: S\nreviewed: 2026-01-01\n---\n" + body, encoding="utf-8")
    try:
        load_article(path, LIMITS)
    except SourceError as exc:
        assert depth > 20, exc
        assert exc.message == "too complex: lists or quotes nested more than 20 deep"
        assert exc.line == 6 + target
        return
    assert depth <= 20


def _task(cfg: Any, article: Any, applying: Any, formats: tuple[str, ...]) -> Task:
    """The default clinic's standard edition of ``formats``, as the planner would make it."""
    jobs = plan(cfg, [article], formats, ["default"])
    return Task(article, {"default": applying}, tuple((job, "k") for job in jobs))


def _built_or_our_error(outcomes: Any) -> None:
    """Built means the audit passed; failed must be one of our errors, not a crash."""
    for outcome in outcomes:
        assert outcome.status in ("built", "failed")
        if outcome.status == "failed":
            assert isinstance(outcome.error, PublishError)
            assert outcome.error.category != "internal", outcome.error
