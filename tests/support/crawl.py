"""Walk the application as each role does, from its landing pages, following links.

Used by the tests that must cover every page and every form without naming them
(tests/whole_site/test_form_sweep.py): a page or form added later is reached by the walk,
and a route of the URL conf that no walk reaches fails ``unreached_routes``.

The walk visits at most ``per_route`` URLs of each route (one sheet page stands for all
sheet pages), reads links (``href``) and forms (``method="post"``) of every HTML answer,
and never follows links out of the site or to logout; downloads (PDF, Excel, CSV) are
counted as reached without being fetched (their own tests read them).
"""

from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

SKIP_ROUTES = {"logout/", "admin/logout/"}
# Files to download: reached (counted) but not fetched; their own tests read them.
DOWNLOAD_ENDINGS = ("pdf/", ".pdf", ".xlsx", ".csv", "download/")
# Admin pages without a form of their own.
ADMIN_SKIP_ENDINGS = ("history/", "jsi18n/", "autocomplete/", "password/")


@dataclass
class Control:
    name: str
    kind: str  # text, textarea, select, checkbox, radio, hidden, number, password, file …
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: bool = False


@dataclass
class PostForm:
    action: str  # path of the action, resolved against the page
    page: str  # the page it was found on
    enctype: str
    controls: list[Control]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(sorted({c.name for c in self.controls}))

    def data(self) -> dict[str, list[str]]:
        """What a browser posts when the form is sent as it is shown."""
        out: dict[str, list[str]] = {}
        for c in self.controls:
            if c.kind in ("checkbox", "radio"):
                out.setdefault(c.name, [])
                if c.checked:
                    out[c.name].append(c.value or "on")
            elif c.kind == "select":
                out.setdefault(c.name, []).append(c.value if c.value else "")
            elif c.kind in ("submit", "button", "reset", "image", "file"):
                continue
            else:
                out.setdefault(c.name, []).append(c.value)
        return out


class _PageReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[PostForm] = []
        self._form: PostForm | None = None
        self._template = 0
        self._textarea: Control | None = None
        self._select: Control | None = None
        self._select_first: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "template":
            self._template += 1
        if self._template:
            return
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        elif tag == "form":
            if a.get("method", "get").lower() == "post":
                self._form = PostForm(a.get("action", ""), "", a.get("enctype", ""), [])
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            self._form.controls.append(
                Control(a["name"], kind, a.get("value", ""), checked="checked" in a)
            )
        elif tag == "textarea" and a.get("name"):
            self._textarea = Control(a["name"], "textarea", "")
            self._form.controls.append(self._textarea)
        elif tag == "select" and a.get("name"):
            self._select = Control(a["name"], "select", "")
            self._select_first = None
            self._form.controls.append(self._select)
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select.options.append(value)
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                self._select.value = value

    def handle_endtag(self, tag):
        if tag == "template":
            self._template -= 1
        elif tag == "textarea" and self._textarea is not None:
            if self._textarea.value.startswith("\n"):
                self._textarea.value = self._textarea.value[1:]
            self._textarea = None
        elif tag == "select" and self._select is not None:
            if not self._select.value and self._select_first is not None:
                self._select.value = self._select_first
            self._select = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data


def read_page(html: str, url: str) -> tuple[list[str], list[PostForm]]:
    reader = _PageReader()
    reader.feed(html)
    links = [urljoin(url, href) for href in reader.links]
    for form in reader.forms:
        form.page = url
        form.action = urlsplit(urljoin(url, form.action or url)).path
    return links, reader.forms


def route_of(path: str) -> str | None:
    try:
        return resolve(path).route
    except Resolver404:
        return None


def all_routes() -> list[str]:
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    return list(walk(get_resolver().url_patterns))


@dataclass
class Walk:
    pages: dict[str, str] = field(default_factory=dict)  # url → route of pages read
    routes: set[str] = field(default_factory=set)  # routes reached by a link or a form
    forms: list[PostForm] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)


def crawl(
    client, start: list[str], *, per_route: int = 2, limit: int = 400, admin: bool = True
) -> Walk:
    """Breadth-first walk from ``start``; a 5xx anywhere fails at once."""
    walk = Walk()
    seen_per_route: dict[str, int] = {}
    queue = deque(start)
    seen: set[str] = set()
    while queue and len(walk.pages) < limit:
        url = queue.popleft()
        parts = urlsplit(url)
        if parts.netloc and parts.netloc != "testserver":
            continue
        path = parts.path
        target = path + (f"?{parts.query}" if parts.query else "")
        if target in seen:
            continue
        seen.add(target)
        route = route_of(path)
        if route is None or route in SKIP_ROUTES:
            continue
        if route.startswith("admin/"):
            if not admin:
                continue
            # The admin's sorting, filtering and paging links are Django's, not ours: one
            # page of each of its routes is enough.
            parts = parts._replace(query="")
            target = path
        walk.routes.add(route)
        if route.endswith(DOWNLOAD_ENDINGS) or route.endswith(ADMIN_SKIP_ENDINGS):
            continue
        # One sheet page stands for all, but ?history=N or ?year= is another page kind.
        params = sorted({pair.split("=", 1)[0] for pair in parts.query.split("&") if pair})
        kind = route + "?" + ",".join(params)
        if seen_per_route.get(kind, 0) >= per_route:
            continue
        seen_per_route[kind] = seen_per_route.get(kind, 0) + 1
        response = client.get(target)
        walk.statuses[target] = response.status_code
        assert response.status_code < 500, (target, response.status_code)
        if response.status_code != 200:
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        walk.pages[target] = route
        links, forms = read_page(response.content.decode(), target)
        for form in forms:
            form_route = route_of(form.action)
            if form_route:
                walk.routes.add(form_route)
            walk.forms.append(form)
        for link in links:
            link_parts = urlsplit(link)
            if link_parts.scheme in ("mailto", "tel", "javascript"):
                continue
            queue.append(link)
    return walk
