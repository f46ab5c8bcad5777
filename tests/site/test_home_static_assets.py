"""Static assets are served by the project itself: no CDN, no external font or script.

LGWAN (the municipal network) has no internet; a page that loads a script, a
stylesheet or a font from another host breaks there. The scan covers templates/
and static/; the allowlist of external hosts is empty on purpose.
"""

import re
from pathlib import Path

from django.conf import settings

ROOTS = ("templates", "static")
SUFFIXES = {".html", ".txt", ".css", ".js", ".svg", ".xml"}
ALLOWED_HOSTS: set[str] = set()  # none

URL = r"""(?P<url>(?:https?:)?//[^\s"'()<>]+)"""
PATTERNS = (
    re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']?" + URL, re.I),
    re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?" + URL, re.I),
    re.compile(
        r"<(?:img|iframe|source|embed|object)\b[^>]*\b(?:src|data)\s*=\s*[\"']?" + URL, re.I
    ),
    re.compile(r"@import\s+(?:url\()?\s*[\"']?" + URL, re.I),
    re.compile(r"url\(\s*[\"']?" + URL, re.I),
    re.compile(r"\bimport\s*(?:[\w{}*,\s]+from\s*)?[\"']" + URL, re.I),  # ES modules
)


def external_references(text: str) -> list[str]:
    found = []
    for pattern in PATTERNS:
        for match in pattern.finditer(text):
            url = match.group("url")
            host = re.sub(r"^(?:https?:)?//", "", url).split("/")[0].split(":")[0].lower()
            if host not in ALLOWED_HOSTS:
                found.append(url)
    return found


def _files():
    base = Path(settings.BASE_DIR)
    for root in ROOTS:
        for path in sorted((base / root).rglob("*")):
            if path.is_file() and path.suffix in SUFFIXES:
                yield path


def test_the_scanner_catches_cdns():
    """The check would fail if someone added a CDN (it is not a test that cannot fail)."""
    samples = [
        '<script src="https://unpkg.com/htmx.org@2.0.4"></script>',
        "<script defer src=//cdn.jsdelivr.net/npm/alpinejs></script>",
        '<link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=Noto+Sans+JP">',
        "@import url('https://fonts.googleapis.com/css2?family=Noto+Sans+JP');",
        '@import "http://example.com/x.css";',
        "body { background: url(https://example.com/bg.png) }",
        "@font-face { src: url('//fonts.gstatic.com/s/noto.woff2') }",
        '<img src="https://example.com/logo.png">',
        'import htmx from "https://esm.sh/htmx.org";',
    ]
    for sample in samples:
        assert external_references(sample), sample
    local = [
        "<script src=\"{% static 'vendor/htmx.min.js' %}\"></script>",
        '<link rel="stylesheet" href="/static/css/app.css">',
        "background: url(../img/bg.png);",
        '<a href="https://www.soumu.go.jp/">総務省</a>',  # a plain link is not an asset
    ]
    for sample in local:
        assert not external_references(sample), sample


def test_no_external_assets_in_templates_and_static():
    files = list(_files())
    assert any(p.name == "base.html" for p in files)  # the scan really covers the templates
    offenders = {
        str(path): refs
        for path in files
        if (refs := external_references(path.read_text(encoding="utf-8", errors="replace")))
    }
    assert offenders == {}
