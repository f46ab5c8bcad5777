"""What a user hit in the browser (issue 11, finding 8), one test per finding."""

import re

from django.test import Client


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def options(html: str, name: str) -> list[tuple[str, str]]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)


# --- The list's sort choices are Japanese ---------------------------------------------------


def test_sort_choices_of_the_list_are_japanese(world):
    html = login(world["users"]["staff_a"]).get("/sheets/").content.decode()
    labels = dict(options(html, "sort"))
    assert labels["code"] == "事務事業コード（昇順）"
    assert labels["-code"] == "事務事業コード（降順）"
    assert labels["-updated"] == "更新日時（降順）"
    assert "descending" not in html
