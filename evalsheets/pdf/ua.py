"""WeasyPrint's HTML user-agent stylesheet, without its rules for every element.

WeasyPrint's ``html5_ua.css`` styles six pseudo-elements of *every* element:
``::marker`` and the footnote/note ones (``::footnote-call``, ``::footnote-marker``,
``::note-call``, ``::note-marker``, ``::note-callback``). The cascade then computes a
style for each element times each of them — about six times as many computed styles
as there are elements — although the sheets have no footnotes and markers exist only
on ``<li>``. Leaving them out saves a measurable share of each render's CPU time
(figures and how they were measured: docs/performance.md and docs/export.md).

``SheetHTML`` lays out with a copy of WeasyPrint's own stylesheet in which those rules
are dropped, and ``::marker`` becomes ``li::marker``; every other rule is the same, so
the printed pages do not change (tests/pdf/test_pdf_ua.py compares the page content of
each demo sheet, a draft and a booklet cover with the stock stylesheet's, byte for
byte). The copy is made from the installed WeasyPrint's file when this module is
imported; if that file no longer has the expected rules (a new WeasyPrint), the stock
stylesheet is used unchanged and a warning is logged.
"""

from __future__ import annotations

import logging

from weasyprint import CSS, HTML
from weasyprint.css.counters import CounterStyle
from weasyprint.html import UA, UA_STYLESHEET

logger = logging.getLogger(__name__)

# Pseudo-elements that only a footnote or note (``float: footnote``, ``float: note``)
# ever shows; the sheets use neither.
DROPPED = (
    "::footnote-call",
    "::footnote-marker",
    "::note-call",
    "::note-marker",
    "::note-callback",
)
MARKER = "::marker {"


def lean_ua_text(ua: str = UA) -> str | None:
    """``ua`` without the rules for every element's pseudo-elements, or None when
    ``ua`` does not hold exactly the rules this module knows about."""
    lines, dropped, markers = [], 0, 0
    for line in ua.splitlines():
        if line.startswith(DROPPED):
            dropped += 1
            continue
        if line.startswith(MARKER):
            markers += 1
            line = "li" + line
        lines.append(line)
    if dropped != len(DROPPED) or markers != 1:
        return None
    return "\n".join(lines)


def _lean_ua_stylesheet() -> CSS:
    text = lean_ua_text()
    if text is None:
        logger.warning(
            "WeasyPrint's user-agent stylesheet changed: the PDFs use it unchanged (slower)"
        )
        return UA_STYLESHEET
    # Its @counter-style rules are already in WeasyPrint's UA counter styles, which
    # every document starts from; parsed again here they go to a throw-away dict.
    return CSS(string=text, counter_style=CounterStyle())


LEAN_UA_STYLESHEET = _lean_ua_stylesheet()


class SheetHTML(HTML):
    """``weasyprint.HTML`` laid out with the lean user-agent stylesheet."""

    def _ua_stylesheets(self, forms=False):
        if forms:  # never for the sheets (no form fields are rendered as widgets)
            return super()._ua_stylesheets(forms)
        return [LEAN_UA_STYLESHEET]
