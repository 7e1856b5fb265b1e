"""Finish a pandoc DOCX with python-docx: headers, footers, page fields, properties, fixed bytes."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

ZipTime = tuple[int, int, int, int, int, int]

CUSTOM_PROPS_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_PROPS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
# The format id every Office application uses for user-defined document properties.
USER_DEFINED_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
_FIRST = ("[Content_Types].xml", "_rels/.rels")


def zip_time(when: datetime) -> ZipTime:
    """The build clock as a zip timestamp (zip cannot store dates before 1980 or after 2107)."""
    year = min(max(when.year, 1980), 2107)
    if year != when.year:
        return (year, 1, 1, 0, 0, 0)
    return (when.year, when.month, when.day, when.hour, when.minute, when.second - when.second % 2)


def rezip(data: bytes, date_time: ZipTime) -> bytes:
    """The same package with fixed entry times, attributes and order: equal input, equal bytes.

    python-docx stamps every entry with the current time; Word wants [Content_Types].xml first.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        entries = {info.filename: src.read(info) for info in src.infolist()}
    names = [n for n in _FIRST if n in entries] + sorted(n for n in entries if n not in _FIRST)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # the same "made on" value on every platform
            info.external_attr = 0o644 << 16
            dst.writestr(info, entries[name], compresslevel=6)
    return out.getvalue()


def add_field(paragraph: Any, instruction: str, placeholder: str = "1") -> None:
    """A complex field (begin, instruction, separate, result, end): Word and LibreOffice
    recompute PAGE and NUMPAGES on every page they lay out."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def run_with(child: Any) -> None:
        run = paragraph.add_run()
        run._r.append(child)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} \\* MERGEFORMAT "
    run_with(instr)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    paragraph.add_run(placeholder)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def parts_in_effect(document: Any, section: Any, kind: str) -> Iterator[Any]:
    """Each header (or footer) Word may show in ``section``: default, first page, even pages."""
    yield getattr(section, kind)
    if section.different_first_page_header_footer:
        yield getattr(section, f"first_page_{kind}")
    if document.settings.odd_and_even_pages_header_footer:
        yield getattr(section, f"even_page_{kind}")


def _reset(part: Any) -> None:
    part.is_linked_to_previous = False
    element = part._element
    for p in list(element):
        element.remove(p)


def fill_header(part: Any, clinic: str, title: str, draft: str = "") -> None:
    _reset(part)
    if draft:  # a paragraph of its own above the usual line, bold: nobody prints it unnoticed
        part.add_paragraph(style="Header").add_run(draft).bold = True
    p = part.add_paragraph(style="Header")
    if clinic:
        p.add_run(clinic).bold = True
        p.add_run("  \u00b7  ")
    p.add_run(title)


PAGE_FIELDS = {"{page}": "PAGE", "{pages}": "NUMPAGES"}


def fill_footer(
    part: Any, lines: Sequence[str], label: Sequence[str] = ("Page ", "{page}", " of ", "{pages}")
) -> None:
    """The short disclaimers, then the page label: its words (``label``, in the document's
    language: see i18n.Translator.page_label_parts) around PAGE and NUMPAGES fields."""
    _reset(part)
    for line in lines:
        part.add_paragraph(line, style="Footer")
    p = part.add_paragraph(style="Footer")
    for piece in label:
        if piece in PAGE_FIELDS:
            add_field(p, PAGE_FIELDS[piece])
        else:
            p.add_run(piece)


def custom_properties_xml(props: Mapping[str, str]) -> bytes:
    # Imported here: xml.sax.saxutils imports urllib.request (about 20 ms), which nothing needs
    # before a document is written.
    from xml.sax.saxutils import escape, quoteattr

    items = []
    for pid, (name, value) in enumerate(props.items(), start=2):  # pid 0 and 1 are reserved
        items.append(
            f"<property fmtid={quoteattr(USER_DEFINED_FMTID)} pid={quoteattr(str(pid))} "
            f"name={quoteattr(name)}><vt:lpwstr>{escape(value)}</vt:lpwstr></property>"
        )
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    root = f"<Properties xmlns={quoteattr(CUSTOM_PROPS_NS)} xmlns:vt={quoteattr(VT_NS)}>"
    return (head + root + "".join(items) + "</Properties>").encode("utf-8")


def set_custom_properties(document: Any, props: Mapping[str, str]) -> None:
    """Replace the package's user-defined properties (File > Properties > Custom in Word)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    package = document.part.package
    blob = custom_properties_xml(props)
    for rel in package.rels.values():
        if rel.reltype == RT.CUSTOM_PROPERTIES:
            rel.target_part._blob = blob
            return
    part = Part(PackURI("/docProps/custom.xml"), CUSTOM_PROPS_CT, blob, package)
    package.relate_to(part, RT.CUSTOM_PROPERTIES)


def read_custom_properties(data: bytes) -> dict[str, str]:
    """The user-defined properties of a DOCX, read straight from the zip."""
    from xml.etree import ElementTree as ET

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        if "docProps/custom.xml" not in z.namelist():
            return {}
        root = ET.fromstring(z.read("docProps/custom.xml"))
    out = {}
    for prop in root.findall(f"{{{CUSTOM_PROPS_NS}}}property"):
        value = next(iter(prop), None)
        out[prop.get("name", "")] = (value.text or "") if value is not None else ""
    return out
