"""A region's yearly progress round in the browser (玉名圏域定住自立圏, demo data): the
中心市's 企画課 opens 令和6年度, 玉東町 and 南関町 report (full-width digits), the
中心市 sees who has not reported, enters a KPI actual and the 懇談会 comment, moves the
round to 公表 and makes the 懇談会 report; the public region page shows the round."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from regions.choices import RoundState
from regions.models import MemberReport, ProgressRound, RegionKPIValue
from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_region_round(new_page, demo_data):
    central = new_page()
    login(central, "tamana-planning")
    central.get_by_role("link", name="広域連携").first.click()
    central.get_by_role("link", name="玉名圏域定住自立圏").click()
    central.get_by_label("対象年度（西暦）").fill("２０２４")
    with central.expect_navigation():
        central.get_by_role("button", name="進捗確認を開始する").click()
    expect(central.locator("h1")).to_contain_text("令和6年度（2024年度）の進捗確認")
    expect(central.locator("#round-state")).to_have_text("報告受付中")
    round_ = ProgressRound.objects.get(region__name="玉名圏域定住自立圏", fiscal_year=2024)
    screenshot(central, "region-01-round-opened")

    for username, text, cost in (
        ("gyokuto-planning", "分科会に2回参加し、町内の実績を報告した。", "１２０"),
        ("nankan-planning", "南関町の移住相談会を圏域で共催した。", "３，４００"),
    ):
        member = new_page()
        login(member, username)
        member.goto(f"/regions/{round_.region_id}/rounds/{round_.pk}/")
        with member.expect_navigation():
            member.get_by_role("link", name="の実績を報告する").click()
        member.get_by_label("実施内容").fill(text)
        member.get_by_label("事業費実績（千円）").fill(cost)
        member.get_by_label("うち負担額（千円）").fill("-5")
        with member.expect_navigation():
            member.get_by_role("button", name="報告を保存する").click()
        expect(member.locator(".error[role=alert]").last).to_have_text("0以上で入力してください。")
        assert (
            not MemberReport.objects.filter(round=round_)
            .exclude(municipality__code="432067")
            .filter(municipality__staff__user__username=username)
            .exists()
        )
        member.get_by_label("うち負担額（千円）").fill("０")
        with member.expect_navigation():
            member.get_by_role("button", name="報告を保存する").click()
        expect(member.locator(".messages")).to_contain_text("実績を保存しました")
        screenshot(member, f"region-02-reported-{username}")
    assert MemberReport.objects.filter(round=round_).count() == 2

    central.reload()
    status = central.locator("#status ~ table")
    expect(status.first).to_contain_text("玉東町")
    expect(central.get_by_text("未報告：玉名市、和水町", exact=True)).to_be_visible()
    expect(central.locator(".report-block").first).to_contain_text(
        "4団体中2団体の合計（未報告：玉名市、和水町）"
    )
    screenshot(central, "region-03-who-has-reported")

    central.get_by_role("textbox", name="特別交付税措置率（玉名市）（%）").fill("９２．５")
    with central.expect_navigation():
        central.get_by_role("button", name="実績値を保存する").click()
    expect(central.locator(".messages")).to_contain_text("KPIの実績値を保存しました")
    assert (
        RegionKPIValue.objects.get(kpi__name="特別交付税措置率（玉名市）", fiscal_year=2024).value
        == 92.5
    )
    central.get_by_label("懇談会・連絡会議の開催日").fill("2025-02-10")
    central.get_by_label("懇談会・連絡会議の意見").fill(
        "圏域の取組は概ね順調。未報告の町は次回までに報告すること。"
    )
    with central.expect_navigation():
        central.get_by_role("button", name="意見を保存する").click()
    for label, state in (
        ("取りまとめにする", "取りまとめ済"),
        ("懇談会済にする", "懇談会済"),
        ("公表にする", "公表"),
    ):
        with central.expect_navigation():
            central.get_by_role("button", name=label).click()
        expect(central.locator("#round-state")).to_have_text(state)
    round_.refresh_from_db()
    assert round_.state == RoundState.PUBLISHED
    screenshot(central, "region-04-published")

    with central.expect_navigation():
        central.get_by_role("button", name="PDFを作成する").click()
    expect(central.locator("#report-status")).to_contain_text("完了")
    with central.expect_download() as info:
        central.get_by_role("link", name="ダウンロード").click()
    content = Path(info.value.path()).read_bytes()
    assert content.startswith(b"%PDF")

    public = new_page()
    public.goto(f"/public/regions/{round_.region_id}/")
    expect(public.locator("#round")).to_have_text("令和6年度（2024年度）の進捗状況")
    expect(public.locator("#meeting-comment")).to_contain_text("圏域の取組は概ね順調。")
    expect(public.get_by_text("南関町の移住相談会を圏域で共催した。")).to_be_visible()
    expect(public.locator("table.kpis")).to_contain_text("92.5")
    # The 2022 round is still open: its 実績 (355) and KPI actual (100) are not public.
    expect(public.locator("#round ~ .scroll").first).not_to_contain_text("355")
    expect(public.locator("table.kpis")).not_to_contain_text("100 (2022)")
    expect(public.get_by_role("img", name="特別交付税措置率（玉名市）の推移").first).to_be_visible()
    screenshot(public, "region-05-public-page")
