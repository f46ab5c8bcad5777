"""Accessibility checks of a rendered page with the standard library's html.parser.

``problems(html)`` lists what breaks the rules the public pages promise
(JIS X 8341-3 / WCAG 2.x AA, the parts a parser can see):

* ``<html lang="ja">``;
* exactly one ``<h1>``, and headings never skip a level on the way down;
* every ``<table>`` has ``<th>`` headers, and every ``<th>`` has a ``scope``;
* every form control has a label (``<label for>``, a wrapping ``<label>``,
  ``aria-label`` or ``aria-labelledby``);
* a skip link to ``#main`` and an element with ``id="main"``.
"""

from html.parser import HTMLParser

LABEL_EXEMPT_INPUTS = {"hidden", "submit", "button", "reset", "image"}
SCOPES = {"col", "row", "colgroup", "rowgroup"}


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.html_lang = None
        self.headings: list[int] = []
        self.tables: list[dict] = []  # {"th": n, "th_without_scope": n}
        self._open_tables: list[dict] = []
        self.controls: list[dict] = []
        self.label_for: set[str] = set()
        self._label_depth = 0
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "html":
            self.html_lang = attrs.get("lang")
        elif len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self.headings.append(int(tag[1]))
        elif tag == "table":
            table = {"th": 0, "th_without_scope": 0}
            self.tables.append(table)
            self._open_tables.append(table)
        elif tag == "th" and self._open_tables:
            table = self._open_tables[-1]
            table["th"] += 1
            if attrs.get("scope") not in SCOPES:
                table["th_without_scope"] += 1
        elif tag == "label":
            self._label_depth += 1
            if attrs.get("for"):
                self.label_for.add(attrs["for"])
        elif tag in ("input", "select", "textarea"):
            if tag == "input" and (attrs.get("type") or "text") in LABEL_EXEMPT_INPUTS:
                return
            self.controls.append(
                {
                    "tag": tag,
                    "id": attrs.get("id"),
                    "name": attrs.get("name"),
                    "wrapped": self._label_depth > 0,
                    "aria": bool(attrs.get("aria-label") or attrs.get("aria-labelledby")),
                }
            )
        elif tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "table" and self._open_tables:
            self._open_tables.pop()
        elif tag == "label" and self._label_depth:
            self._label_depth -= 1


def problems(html: str) -> list[str]:
    page = _Collector()
    page.feed(html)
    page.close()
    found = []
    if page.html_lang != "ja":
        found.append(f'<html lang> is {page.html_lang!r}, not "ja"')
    h1_count = page.headings.count(1)
    if h1_count != 1:
        found.append(f"{h1_count} <h1> elements (exactly one expected)")
    previous = 0
    for level in page.headings:
        if level > previous + 1:
            found.append(f"heading h{level} follows h{previous or '-'} (a level is skipped)")
        previous = level
    for i, table in enumerate(page.tables, 1):
        if table["th"] == 0:
            found.append(f"table {i} has no <th> headers")
        if table["th_without_scope"]:
            found.append(f"table {i} has {table['th_without_scope']} <th> without scope")
    for control in page.controls:
        labelled = (
            control["wrapped"]
            or control["aria"]
            or (control["id"] is not None and control["id"] in page.label_for)
        )
        if not labelled:
            found.append(f"<{control['tag']} name={control['name']!r}> has no label")
    if "#main" not in page.links or "main" not in page.ids:
        found.append("no skip link to #main")
    return found
