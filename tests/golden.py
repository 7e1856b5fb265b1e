"""Golden pictures: a rendered page compared with the one kept under tests/golden/, within a tolerance."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

GOLDEN = Path(__file__).resolve().parent / "golden"
# Pictures are kept in grey (half the size of colour; a colour change still changes the grey).
# Mean absolute difference per pixel, 0-255. Antialiasing noise between two builds on
# one machine is 0 (byte-identical); one line of text gone is 0.7, a page shifted by 2 px 14.
TOLERANCE = 0.25
REFRESH = (
    "refresh with: PUBLISHKIT_ACCEPT_GOLDEN=1 make test (or pytest --accept-golden tests/test_golden.py)"
)


def difference(a: Image.Image, b: Image.Image) -> float:
    return float(ImageStat.Stat(ImageChops.difference(a.convert("L"), b.convert("L"))).mean[0])


def compare(actual: Image.Image, name: str, out: Path, accept: bool) -> None:
    """Fail with the path of a diff picture (written to ``out``) unless ``actual`` looks like the
    golden ``name``; with ``accept``, make ``actual`` the new golden picture instead."""
    golden = GOLDEN / name
    actual = actual.convert("L")
    if accept:
        GOLDEN.mkdir(exist_ok=True)
        actual.save(golden, optimize=True)
        return
    if not golden.is_file():
        pytest.fail(f"no golden picture {golden}; {REFRESH}")
    expected = Image.open(golden).convert("L")
    out.mkdir(parents=True, exist_ok=True)
    actual.save(out / f"actual-{name}")
    if expected.size != actual.size:
        pytest.fail(
            f"{name} is {actual.size}, the golden picture {expected.size}: see {out / f'actual-{name}'}; {REFRESH}"
        )
    diff = difference(expected, actual)
    if diff > TOLERANCE:
        path = out / f"diff-{name}"
        # Changed pixels in red over a faded copy of the golden picture.
        mask = ImageChops.difference(expected, actual).point(lambda v: 255 if v > 24 else 0)
        faded = Image.blend(expected, Image.new("L", expected.size, 255), 0.7).convert("RGB")
        faded.paste(Image.new("RGB", expected.size, (220, 0, 0)), mask=mask)
        faded.save(path)
        pytest.fail(
            f"{name} differs from the golden picture by {diff:.2f} (over {TOLERANCE}): see {path}; {REFRESH}"
        )
