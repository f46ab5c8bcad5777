"""The diff with last year shows a 様式's own fields as the layout prints them."""

import pytest

from evalsheets.models import EvaluationSheet
from evalsheets.sheets.diff import compare

pytestmark = pytest.mark.django_db


def test_own_fields_in_the_diff(demo_data):
    sheet = EvaluationSheet.objects.get(project__code="0086", fiscal_year=2025)
    previous = EvaluationSheet.objects.get(pk=sheet.pk)
    previous.pk, previous.fiscal_year = None, 2024
    previous.extra = {**sheet.extra, "result": "以前の結果", "current_direction": "improve"}
    previous.save()
    diff = compare(sheet, EvaluationSheet.objects.get(pk=previous.pk))
    values = {d.label: (d.old, d.new) for d in diff.choices}
    assert values["結果（上位の基本事業への結果）"] == (
        "以前の結果",
        "不法投棄廃棄物を適正に処理する。",
    )
    assert values["今回の方向性"] == ("２　改革改善（縮小・統合含む）", "１　現状維持")
    assert values["延べ業務時間（時間）"][1].startswith("令和2年度 280")


def test_the_diff_page_of_the_fourth_layout(client, demo_data):
    from django.contrib.auth import get_user_model

    sheet = EvaluationSheet.objects.get(project__code="0086", fiscal_year=2025)
    previous = EvaluationSheet.objects.get(pk=sheet.pk)
    previous.pk, previous.fiscal_year = None, 2024
    previous.extra = {**sheet.extra, "result": "以前の結果"}
    previous.save()
    client.force_login(get_user_model().objects.get(username="ofunato-staff"))
    response = client.get(f"/sheets/{sheet.pk}/diff/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "以前の結果" in html and "結果（上位の基本事業への結果）" in html
