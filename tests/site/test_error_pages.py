"""Error pages in Japanese: 403 (role), 403 (CSRF), 404 and 500."""

from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error


def text(response) -> str:
    return response.content.decode()


def test_a_refused_action_explains_itself_in_japanese(client, demo_data):
    client.force_login(get_user_model().objects.get(username="tamana-staff"))
    response = client.get(reverse("sheet_list_xlsx"))
    assert response.status_code == 403
    page = text(response)
    assert '<html lang="ja">' in page and "この操作は行えません（403）" in page
    assert "ホームへ戻る" in page and "Forbidden" not in page


def test_an_unknown_page_is_a_japanese_404(client, demo_data):
    response = client.get("/public/999999/2023/")
    assert response.status_code == 404
    assert "ページが見つかりません（404）" in text(response)
    assert "Not Found" not in text(response)


def test_a_post_without_csrf_token_is_refused_in_japanese(demo_data):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "送信を受け付けられませんでした（403）" in text(response)


def test_the_500_page_needs_no_context_and_is_japanese(db):
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "エラーが発生しました（500）" in text(response)
