"""The bad-input corpus: every hostile article gets a clear error or provably clean output,
the good articles still build, nothing leaks, and no connection is made for remote images."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import threading
import time
import zipfile
from pathlib import Path

import pytest
from conftest import Project, make_project

from publishkit.formats import REGISTRY

CORPUS = Path(__file__).parent / "bad_inputs"
SECRET = "SECRET-TOKEN-7f3a9c"
# What the corpus fixture returns: the project, the build's result, connections seen, seconds taken.
CorpusRun = tuple[Project, subprocess.CompletedProcess[str], int, float]

GOOD = ("ketamine-neurobiology", "managing-medications", "sleep-basics", "living-with-anxiety")

ERRORS = {
    "malformed-yaml": "Error: source: source/malformed-yaml.md:3: invalid YAML",
    "alias-bomb": "Error: source: source/alias-bomb.md:3: YAML anchors and aliases (&name / *name) are not allowed",
    "python-tag": "Error: source: source/python-tag.md:2: YAML tags such as",
    "not-utf8": "Error: source: source/not-utf8.md:7: not valid UTF-8 at byte offset",
    "control-char": "Error: source: source/control-char.md:7: control character U+0007 at column 8",
    "image-file-url": "Error: source: source/image-file-url.md:7: image 'file:///etc/passwd' is not a local file",
    "image-dotdot": "Error: source: source/image-dotdot.md:7: image '../SECRET.txt' is outside source/assets/",
    "image-assets-escape": "Error: source: source/image-assets-escape.md:7: image 'assets/../../SECRET.txt' is outside source/assets/",
    "image-absolute": "Error: source: source/image-absolute.md:7: image '/etc/hostname' is outside source/assets/",
    "crlf-title": "Error: source: source/crlf-title.md:2: 'title' contains the control character U+000D",
    "remote-image": "Error: source: source/remote-image.md:7: image 'http://127.0.0.1:",
    "deep-list": "Error: source: source/deep-list.md:27: too complex: lists or quotes nested more than 20 deep",
    "brackets": "Error: source: source/brackets.md:7: too complex: a run of more than 200 brackets",
    "huge": "Error: source: source/huge.md: too large: 10,485,",
    "huge-sparse": "Error: source: source/huge-sparse.md: too large: 3,221,225,472 bytes; the limit is 1,000,000",
    "image-percent-escape": (
        "Error: source: source/image-percent-escape.md:7: image 'assets/..%2F..%2F..%2FSECRET-OUTSIDE.png' "
        "has a %-escape in its name"
    ),
    "image-symlink": (
        "Error: source: source/image-symlink.md:7: image 'assets/linked.png': source/assets/linked.png "
        "is a symbolic link"
    ),
    "symlinked-article": (
        "Error: source: source/symlinked-article.md: is a symbolic link; an article must be a real file "
        "in source/, not a link to a file elsewhere"
    ),
    "deep-emphasis": "Error: check: source/deep-emphasis.md:7: too complex: formatting or ::: blocks nested too deeply",
    "deep-divs": "Error: check: source/deep-divs.md:92: too complex: formatting or ::: blocks nested too deeply",
    "fm-big-int": "Error: source: source/fm-big-int.md:5: a number of 5,000 characters is too long (at most 100)",
    "fm-deep-nesting": "Error: source: source/fm-deep-nesting.md:5: too complex: lists or tables nested more than 20 deep",
    "fm-uffff": "Error: source: source/fm-uffff.md:2: the character U+FFFF at column 25 cannot be used in YAML",
    "fm-surrogate-escape": "Error: source: source/fm-surrogate-escape.md:2: the character U+D83D cannot be used "
    "in YAML, not even as an escape; remove it",
    "fm-reviewed-9999": "Error: check: source/fm-reviewed-9999.md:4: reviewed date 9999-12-31 is in the future",
}
CLEAN = (
    "script",
    "onerror",
    "javascript-link",
    "raw-openxml",
    "second-yaml-block",
    "template-syntax",
    "fake-footer",
)
if "eml" in REGISTRY:
    ERRORS["encoded-newline-title"] = "encoded-newline-title"
else:
    CLEAN = (*CLEAN, "encoded-newline-title")


class Listener:
    """A TCP socket on loopback that records every connection attempt."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop = True
        self.thread.join()
        self.sock.close()


def _front(title: str) -> str:
    return f'---\ntitle: "{title}"\nsummary: "A test of hostile input."\nreviewed: 2026-11-01\n---\n\n'


def _outputs_bytes(build: Path) -> dict[str, bytes]:
    """Every output's bytes, with DOCX members unpacked so nothing hides in the zip."""
    out: dict[str, bytes] = {}
    for path in build.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        out[str(path)] = data
        if path.suffix == ".docx":
            with zipfile.ZipFile(path) as z:
                for name in z.namelist():
                    out[f"{path}!{name}"] = z.read(name)
    return out


def _plant_outside_files(proj: Project) -> None:
    """Files outside the project carrying the secret, and the names and links in source/ that
    reach for them: a %-escaped name pandoc would decode, a symlinked picture, a symlinked
    article; and a 3 GB sparse article that must be refused by its size, not read."""
    outside = proj.root.parent
    (outside / "SECRET-OUTSIDE.png").write_text(SECRET, encoding="utf-8")
    (outside / "outside-article.md").write_text(_front("Outside") + SECRET + "\n", encoding="utf-8")
    assets = proj.source / "assets"
    assets.mkdir(exist_ok=True)
    (assets / "..%2F..%2F..%2FSECRET-OUTSIDE.png").write_bytes(b"the name the image check looked at")
    (assets / "linked.png").symlink_to(outside / "SECRET-OUTSIDE.png")
    (proj.source / "symlinked-article.md").symlink_to(outside / "outside-article.md")
    with (proj.source / "huge-sparse.md").open("wb") as fh:
        fh.write(_front("Sparse").encode())
        fh.truncate(3 * 1024**3)


@pytest.fixture(scope="module")
def corpus_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> CorpusRun:
    proj = make_project(tmp_path_factory.mktemp("corpus") / "proj", "basic", seed=True)
    (proj.root / "SECRET.txt").write_text(SECRET, encoding="utf-8")
    for case in CORPUS.iterdir():
        shutil.copy(case, proj.source / case.name)
    listener = Listener()
    try:
        (proj.source / "remote-image.md").write_text(
            _front("Remote") + f"![tracker](http://127.0.0.1:{listener.port}/pixel.png)\n", encoding="utf-8"
        )
        # Under the size limit, so that it is the nesting that is refused (at its 21st level).
        deep = "".join("  " * i + "- x\n" for i in range(300))
        (proj.source / "deep-list.md").write_text(_front("Deep") + deep, encoding="utf-8")
        (proj.source / "brackets.md").write_text(_front("Brackets") + "[" * 20000 + "\n", encoding="utf-8")
        (proj.source / "huge.md").write_text(_front("Huge") + ("word " * 2_097_152), encoding="utf-8")
        _plant_outside_files(proj)
        started = time.monotonic()
        result = proj.run("all", timeout=600)
        elapsed = time.monotonic() - started
        time.sleep(0.3)
        connections = listener.connections
    finally:
        listener.close()
    return proj, result, connections, elapsed


def test_corpus_build_is_bounded_and_fails_cleanly(
    corpus_run: CorpusRun,
) -> None:
    proj, result, _connections, elapsed = corpus_run
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert elapsed < 300
    for slug in GOOD:
        for renderer in REGISTRY.values():
            assert proj.out(slug, renderer.suffix).is_file(), (slug, renderer.name)
    assert (proj.build / "manifest.json").is_file()
    assert not Path("/tmp/publishkit-pwned").exists()


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_hostile_article_gets_a_clear_error(corpus_run: CorpusRun, case: str) -> None:
    proj, result, _c, _e = corpus_run
    lines = [line for line in result.stderr.splitlines() if line.startswith("Error:") and f"{case}." in line]
    assert lines, result.stderr
    assert ERRORS[case] in "\n".join(lines)
    if case != "encoded-newline-title":  # its text, PDF and DOCX are harmless; only the email is refused
        assert not (proj.build / case).exists()


@pytest.mark.parametrize("case", CLEAN)
def test_hostile_markup_is_built_clean(corpus_run: CorpusRun, case: str) -> None:
    proj, _result, _c, _e = corpus_run
    outputs = _outputs_bytes(proj.build / case)
    assert len([k for k in outputs if "!" not in k]) == len(REGISTRY)
    for name, data in outputs.items():
        low = data.lower()
        for bad in (b"onerror=", b"onclick=", b"javascript:", b"file:///etc"):
            assert bad not in low, (name, bad)
        assert not re.search(rb"<script[\s>/]", low), name
        if name.endswith(".docx!word/document.xml"):
            # Shown as code text (escaped), never passed through as Word XML.
            assert b"<w:t>INJECTED-OPENXML</w:t>" not in data, name
            assert b"<w:t>INLINE-INJECT</w:t>" not in data, name
        assert b"HIJACKED-TITLE</title>" not in data, name
        assert b"49 and" not in data and b"answer is 49" not in data, name


def test_second_yaml_block_does_not_override_metadata(
    corpus_run: CorpusRun,
) -> None:
    proj, _result, _c, _e = corpus_run
    text = proj.out("second-yaml-block", ".txt").read_text(encoding="utf-8")
    assert text.startswith("Real title\n")


def test_template_syntax_stays_literal(
    corpus_run: CorpusRun,
) -> None:
    proj, _result, _c, _e = corpus_run
    text = proj.out("template-syntax", ".txt").read_text(encoding="utf-8")
    assert text.startswith("{{ 7*7 }} and {% raw %}")
    assert "The answer is {{ 7*7 }}." in text


def test_fake_footer_is_body_text_not_the_running_footer(corpus_run: CorpusRun) -> None:
    """The article copies the footer (disclaimer, text, page number) in the template's classes."""
    import pypdfium2 as pdfium

    from publishkit.audit.core import normalize
    from publishkit.audit.readers import PDF_FOOTER_BAND, PDF_HEADER_BAND

    proj, _result, _c, _e = corpus_run
    short = "General information only, not medical advice. Talk to your clinician."
    doc = pdfium.PdfDocument(proj.out("fake-footer", ".pdf"))
    total = len(doc)
    assert total >= 3
    body = ""
    for number, page in enumerate(doc, 1):
        textpage = page.get_textpage()
        _w, h = page.get_size()
        footer = textpage.get_text_bounded(bottom=0, top=PDF_FOOTER_BAND)
        header = textpage.get_text_bounded(bottom=h - PDF_HEADER_BAND, top=h)
        body += textpage.get_text_range()
        expected = f"{short} Riverside Mind & Body Clinic Page {number} of {total}"
        assert normalize(footer) == normalize(expected), number
        assert normalize(header) == ("" if number == 1 else "fake footer"), number
    doc.close()
    assert "call 555-0199" in body  # kept as the article's own text
    html = proj.out("fake-footer", ".email.html").read_text(encoding="utf-8")
    start = html.index(">", html.index('<div class="pk-article"')) + 1
    article = html[start : html.index('<div class="pk-important"')]
    assert "555-0199" in article
    assert not re.search(r'(class|id)="[^"]*pk-', article, re.I)
    assert "running(" not in html


def test_raw_html_is_reported(
    corpus_run: CorpusRun,
) -> None:
    _proj, result, _c, _e = corpus_run
    assert "Warning: warning: source/script.md:9: raw HTML is not allowed and was left out" in result.stderr
    assert (
        "Warning: warning: source/javascript-link.md:7: link to 'javascript:alert(document.cookie)' was kept as plain text"
        in result.stderr
    )


def test_nothing_leaks(corpus_run: CorpusRun) -> None:
    proj, _result, connections, _e = corpus_run
    assert connections == 0
    hostname = Path("/etc/hostname").read_bytes().strip()
    for name, data in _outputs_bytes(proj.build).items():
        assert SECRET.encode() not in data, name
        assert b"root:x:0:0" not in data, name
        if len(hostname) >= 6:
            assert hostname not in data, name
