"""The email HTML in headless Chromium at 375 and 600 px, light and dark: layout, alt, contrast."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from conftest import Project
from emailkit import ASSET_BASE, PNG

SHOTS = os.environ.get("PUBLISHKIT_SHOTS")  # a folder: keep the screenshots to look at them

# WCAG 2.x contrast of each paragraph and list item of the article against the background
# actually painted behind it (the first ancestor with an opaque background colour).
CONTRAST_JS = """
() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = c => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = el => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const out = [];
  for (const el of document.querySelectorAll('.pk-content p, .pk-content li, .pk-footer p, .pk-review')) {
    if (!el.textContent.trim()) continue;
    const fg = lum(rgb(getComputedStyle(el).color).slice(0, 3)), bg = lum(background(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    out.push({text: el.textContent.trim().slice(0, 50), ratio, color: getComputedStyle(el).color});
  }
  return out;
}
"""


def _pages(email_build: Project) -> list[Path]:
    return sorted(email_build.build.glob("*/*.email.html"))


@pytest.mark.parametrize("width", [375, 600])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_email_reads_well_at_phone_and_desktop_widths(
    browser: Any, email_build: Project, width: int, scheme: str
) -> None:
    pages = _pages(email_build)
    assert len(pages) == 5  # the seed, the three basic test articles, the picture article
    for path in pages:
        page = browser.new_page(viewport={"width": width, "height": 800})
        # No network: the article's picture is served from here, anything else is refused.
        page.route(f"{ASSET_BASE}**", lambda route: route.fulfill(body=PNG, content_type="image/png"))
        page.route("http*://**", lambda route: route.abort())
        page.emulate_media(color_scheme=scheme)
        page.goto(path.as_uri())
        name = path.name
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name} scrolls sideways"
        imgs = page.eval_on_selector_all("img", "els => els.map(e => [e.alt, e.naturalWidth])")
        assert all(alt.strip() for alt, _w in imgs), f"{name}: an image has no alt text"
        if "pill-box" in name:
            assert imgs and all(w > 0 for _alt, w in imgs), "the picture did not load from asset_base_url"
        assert not page.is_visible(".pk-preheader"), "the preheader is for the inbox list only"
        results = page.evaluate(CONTRAST_JS)
        assert len(results) > 5
        low = [r for r in results if r["ratio"] < 4.5]
        assert not low, f"{name} {scheme} {width}px: contrast below 4.5:1: {low[:3]}"
        if scheme == "dark":  # the dark rules really apply: light text on a dark page
            assert all(r["color"] != "rgb(29, 43, 51)" for r in results)
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/{path.stem}-{width}-{scheme}.png", full_page=True)
        page.close()
