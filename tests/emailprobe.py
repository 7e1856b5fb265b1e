"""Layout probes for the email in Chromium: words split over two lines, sideways scrolling, tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

# Every word of every visible text node, measured through a Range: a word whose client rects sit
# on two lines was broken without a hyphen. Web and email addresses may break (they cannot fit a
# phone's line); a hyphen, dash or soft hyphen is a break the reader sees, so the parts between
# them are the words.
SPLIT_WORDS_JS = r"""
() => {
  const broken = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const token of node.data.matchAll(/\S+/g)) {
      if (/[\/@]|\w\.\w/.test(token[0])) continue;
      // Chinese, Japanese and Korean lines (the taglines) break between characters, as they should.
      if (/[\u1100-\u11ff\u3000-\u30ff\u3400-\u9fff\uac00-\ud7a3\uff00-\uffef]/.test(token[0])) continue;
      for (const part of token[0].matchAll(/[^\-\u00ad\u2010\u2013\u2014]+/g)) {
        const start = token.index + part.index;
        range.setStart(node, start);
        range.setEnd(node, start + part[0].length);
        const rects = [...range.getClientRects()].filter(r => r.width > 0);
        const tops = new Set(rects.map(r => Math.round(r.top)));
        if (tops.size > 1) broken.push(part[0]);
      }
    }
  }
  return broken;
}
"""

# How each article table shows: 'table' or 'block' (stacked), and the labels a reader sees.
TABLES_JS = """
() => [...document.querySelectorAll('.pk-article table')].map(t => ({
  display: getComputedStyle(t).display,
  labels: [...t.querySelectorAll('.pk-label')].filter(l => l.offsetHeight > 0).map(l => l.textContent),
}))
"""

NO_MEDIA_QUERIES_JS = "document.querySelectorAll('style').forEach(s => s.remove())"


def open_email(browser: Any, path: Path, width: int, media_queries: bool = True) -> Any:
    """The email in a Chromium page ``width`` px wide, offline; without its <style> block when
    ``media_queries`` is off (what Outlook for Windows and Gmail with other accounts show)."""
    page = browser.new_page(viewport={"width": width, "height": 800})
    page.route("http*://**", lambda route: route.abort())
    page.goto(path.as_uri())
    if not media_queries:
        page.evaluate(NO_MEDIA_QUERIES_JS)
    return page


def email_faults(page: Any, width: int) -> list[str]:
    """Every word broken over two lines and any sideways scrolling, in an open email page."""
    faults = [f"split word {w!r}" for w in page.evaluate(SPLIT_WORDS_JS)]
    scroll = page.evaluate("document.documentElement.scrollWidth")
    if scroll > width:
        faults.append(f"scrolls sideways: {scroll} px wide")
    return faults
