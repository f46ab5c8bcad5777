"""Accessible markup on every public page (JIS X 8341-3 AA, what a parser can check)."""

import pytest

from regions.models import Region
from tests.support.html import problems

pytestmark = pytest.mark.django_db


def public_urls():
    urls = [
        "/public/",
        "/public/432067/",
        "/public/432067/2023/",
        "/public/432032/2024/?section=&plan_node=&q=財政",
        "/public/432067/2023/?plan_node=abc",  # with a field error shown
        "/public/432067/2023/?q=存在しない",  # empty result
        "/public/432067/2023/741-2/",
        "/public/142140/2023/40-106/",
        "/public/432032/2024/6-1-1/",
        "/public/regions/",
    ]
    urls += [f"/public/regions/{pk}/" for pk in Region.objects.values_list("pk", flat=True)]
    return urls


def test_every_public_page_passes_the_markup_checks(client, demo_data):
    checked = 0
    for url in public_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        assert problems(response.content.decode()) == [], url
        checked += 1
    assert checked == 12


def test_filters_have_visible_labels(client, demo_data):
    html = client.get("/public/432067/2023/").content.decode()
    for field, label in (("plan_node", "施策"), ("section", "所管課"), ("q", "キーワード")):
        assert f'<label for="id_{field}">{label}</label>' in html


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<html lang="en"><body><a href="#main">x</a><main id="main"><h1>t</h1></main>', "lang"),
        ('<html lang="ja"><a href="#main">x</a><main id="main"><h2>t</h2></main>', "<h1>"),
        ('<html lang="ja"><a href="#main">x</a><main id="main"><h1>a</h1><h1>b</h1>', "<h1>"),
        ('<html lang="ja"><a href="#main">x</a><main id="main"><h1>a</h1><h3>b</h3>', "skipped"),
        (
            '<html lang="ja"><a href="#main">x</a><main id="main"><h1>a</h1>'
            "<table><tr><td>1</td></tr></table>",
            "no <th>",
        ),
        (
            '<html lang="ja"><a href="#main">x</a><main id="main"><h1>a</h1>'
            "<table><tr><th>h</th></tr></table>",
            "without scope",
        ),
        (
            '<html lang="ja"><a href="#main">x</a><main id="main"><h1>a</h1>'
            '<select name="s"></select>',
            "no label",
        ),
        ('<html lang="ja"><main id="main"><h1>a</h1></main>', "skip link"),
    ],
)
def test_the_checker_catches_each_problem(html, expected):
    """The checker itself: each rule fails on a page that breaks it."""
    found = problems(html)
    assert any(expected in problem for problem in found), found


def test_the_checker_accepts_labelled_controls():
    html = (
        '<html lang="ja"><a href="#main">skip</a><main id="main"><h1>a</h1><h2>b</h2>'
        '<label for="x">X</label><input id="x" name="x">'
        '<label>Y <select name="y"></select></label>'
        '<input type="search" aria-label="Z" name="z"><input type="hidden" name="h">'
        '<table><tr><th scope="col">h</th></tr></table></main></html>'
    )
    assert problems(html) == []
