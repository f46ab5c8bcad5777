"""The round through the views, the version check, the audit trail, the mails, and every
kind of bad input of issue 15 (a clear Japanese error next to the field, nothing saved)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from regions.choices import RoundState
from regions.models import (
    Initiative,
    InitiativeCost,
    MemberReport,
    Membership,
    ProgressRound,
    Region,
    RegionAuditEntry,
    RegionKPI,
    RegionKPIValue,
)
from tests.whole_site.test_bad_input import fingerprint

pytestmark = pytest.mark.django_db


def user(name):
    return get_user_model().objects.get(username=name)


@pytest.fixture
def tamana(demo_data):
    return Region.objects.get(name="玉名圏域定住自立圏")


def login(client, name):
    client.force_login(user(name))
    return client


def text_of(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_round_walk(client, tamana, django_capture_on_commit_callbacks):
    central = login(client, "tamana-planning")
    with django_capture_on_commit_callbacks(execute=True):
        response = central.post(
            reverse("regions:round_open", args=[tamana.pk]),
            {"fiscal_year": "２０２４", "version": tamana.version},
        )
    round_ = ProgressRound.objects.get(region=tamana, fiscal_year=2024)
    assert response["Location"] == reverse("regions:round", args=[tamana.pk, round_.pk])
    # every member's 企画課 with an address is told (not the one who opened it)
    assert {m.to[0] for m in mail.outbox} >= {
        "gyokuto-planning@example.jp",
        "nankan-planning@example.jp",
    }
    initiative = Initiative.objects.get(policy_area__vision__region=tamana)

    for name in ("gyokuto-planning", "nankan-planning"):
        member = login(client, name)
        round_.refresh_from_db()
        prefix = f"i{initiative.pk}"
        response = member.post(
            reverse("regions:round_report", args=[tamana.pk, round_.pk]),
            {
                f"{prefix}-text": f"{name}の実施内容",
                f"{prefix}-actual_cost": "１，２００",
                f"{prefix}-share": "100",
                "version": round_.version,
            },
        )
        assert response.status_code == 302
    reports = MemberReport.objects.filter(round=round_)
    assert sorted(r.actual_cost for r in reports) == [1200, 1200]

    central = login(client, "tamana-planning")
    page = central.get(reverse("regions:round", args=[tamana.pk, round_.pk]))
    text = text_of(page)
    assert "4団体中2団体の合計（未報告：玉名市、和水町）" in text
    # reminder to the two that have not reported
    mail.outbox.clear()
    towns = [s["municipality"] for s in page.context["missing"]]
    central.post(
        reverse("regions:round_remind", args=[tamana.pk, round_.pk]),
        {"municipality": [t.pk for t in towns]},
    )
    assert [m.to[0] for m in mail.outbox] == ["nagomi-planning@example.jp"]  # 玉名市: the sender

    kpi = RegionKPI.objects.get(region=tamana)
    round_.refresh_from_db()
    central.post(
        reverse("regions:round_kpis", args=[tamana.pk, round_.pk]),
        {f"kpi_{kpi.pk}": "８５．５", "version": round_.version},
    )
    assert RegionKPIValue.objects.get(kpi=kpi, fiscal_year=2024).value == 85.5
    round_.refresh_from_db()
    central.post(
        reverse("regions:round_meeting", args=[tamana.pk, round_.pk]),
        {
            "meeting_comment": "取組は順調。",
            "meeting_date": "2025-02-01",
            "version": round_.version,
        },
    )
    for action in ("collect", "meeting_done", "publish"):
        round_.refresh_from_db()
        central.post(
            reverse("regions:round_step", args=[tamana.pk, round_.pk, action]),
            {"version": round_.version},
        )
    round_.refresh_from_db()
    assert round_.state == RoundState.PUBLISHED
    actions = list(
        RegionAuditEntry.objects.filter(region=tamana)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "round.open",
        "round.report",
        "round.report",
        "round.remind",
        "round.kpi",
        "round.meeting",
        "round.collect",
        "round.meeting_done",
        "round.publish",
    ]
    public = text_of(client.get(f"/public/regions/{tamana.pk}/"))
    assert "令和6年度（2024年度）の進捗状況" in public
    assert "取組は順調。" in public and "85.5" in public


def test_meeting_step_needs_the_comment(client, tamana):
    round_ = ProgressRound.objects.get(region=tamana)
    round_.state = RoundState.COLLECTED
    round_.save()
    central = login(client, "tamana-planning")
    response = central.post(
        reverse("regions:round_step", args=[tamana.pk, round_.pk, "meeting_done"]),
        {"version": round_.version},
        follow=True,
    )
    assert "懇談会・連絡会議の意見を入力してから" in text_of(response)
    round_.refresh_from_db()
    assert round_.state == RoundState.COLLECTED


def test_version_check_refuses_a_stale_form(client, tamana):
    central = login(client, "tamana-planning")
    kpi = RegionKPI.objects.get(region=tamana)
    url = reverse("regions:edit", args=[tamana.pk, "kpi", kpi.pk])
    form = central.get(url).context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if v is not None}
    data.update(name="新しい名前", policy_area=kpi.policy_area_id, version=tamana.version)
    assert central.post(url, data).status_code == 302
    data.update(name="古い画面からの名前")  # the same version again: someone saved meanwhile
    before = fingerprint()
    response = central.post(url, data)
    assert response.status_code == 409
    assert "他の人が先に更新しました" in text_of(response)
    assert fingerprint() == before
    assert RegionKPI.objects.get(pk=kpi.pk).name == "新しい名前"


def _kpi_data(kpi, **changes):
    data = {
        "name": kpi.name,
        "policy_area": kpi.policy_area_id or "",
        "unit": kpi.unit,
        "baseline": "37.7",
        "baseline_year": "2020",
        "target": "100",
        "target_year": "2026",
        "version": kpi.region.version,
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("what", "message"),
    [
        ("target_year_before_baseline", "目標年（2019）は基準年（2020）以降にしてください。"),
        ("member_not_a_municipality", "「999999」は市町村として登録されていません。"),
        ("member_twice", "玉東町は既にこの圏域の構成市町村です。"),
        ("cost_outside_period", "2030年度はビジョンの計画期間（2022～2026年度）の外です。"),
        ("participant_not_a_member", "構成市町村でない市町村"),
        ("negative_cost", "0以上で入力してください。"),
        ("negative_report", "0以上で入力してください。"),
        ("round_twice", "この年度の進捗確認は既にあります。"),
    ],
)
def test_bad_input(client, tamana, what, message):
    central = login(client, "tamana-planning")
    kpi = RegionKPI.objects.get(region=tamana)
    initiative = Initiative.objects.get(policy_area__vision__region=tamana)
    initiative_url = reverse("regions:edit", args=[tamana.pk, "initiative", initiative.pk])
    initiative_data = {
        "policy_area": initiative.policy_area_id,
        "code": initiative.code,
        "name": initiative.name,
        "participants": [m.municipality_id for m in tamana.memberships.all()],
        "cost_year_0": "2022",
        "cost_amount_0": "400",
        "version": tamana.version,
    }
    before = fingerprint()
    follow = False
    if what == "target_year_before_baseline":
        url, data = (
            reverse("regions:edit", args=[tamana.pk, "kpi", kpi.pk]),
            _kpi_data(kpi, target_year="２０１９"),
        )
    elif what in ("member_not_a_municipality", "member_twice"):
        url = reverse("regions:add", args=[tamana.pk, "member"])
        code = "999999" if what == "member_not_a_municipality" else "433641"
        data = {"code": code, "role": "neighbour", "version": tamana.version}
    elif what == "cost_outside_period":
        url, data = initiative_url, {**initiative_data, "cost_year_1": "2030", "cost_amount_1": "5"}
    elif what == "participant_not_a_member":
        url = initiative_url
        other = (
            Membership.objects.exclude(region=tamana)
            .exclude(municipality__in=tamana.members.all())
            .first()
            .municipality
        )
        data = {**initiative_data, "participants": [*initiative_data["participants"], other.pk]}
    elif what == "negative_cost":
        url, data = initiative_url, {**initiative_data, "cost_amount_0": "－４００"}
    elif what == "negative_report":
        round_ = ProgressRound.objects.get(region=tamana)
        url = reverse("regions:round_report", args=[tamana.pk, round_.pk])
        data = {f"i{initiative.pk}-actual_cost": "-1", "version": round_.version}
    else:
        url = reverse("regions:round_open", args=[tamana.pk])
        data = {"fiscal_year": "2022", "version": tamana.version}
        follow = True
    response = central.post(url, data, follow=follow)
    assert message in text_of(response)
    if not follow:
        assert response.status_code == 400
        assert 'role="alert"' in response.content.decode()
    assert fingerprint() == before


def test_costs_saved_from_the_form(client, tamana):
    central = login(client, "tamana-planning")
    initiative = Initiative.objects.get(policy_area__vision__region=tamana)
    url = reverse("regions:edit", args=[tamana.pk, "initiative", initiative.pk])
    page = central.get(url).content.decode()
    for name in Initiative._meta.get_field("cost_sharing").name, "content", "cost_year_0":
        assert f'id="id_{name}"' in page  # 費用負担 is no cost row
    assert "（2022～2026年度）" in page
    response = central.post(
        url,
        {
            "policy_area": initiative.policy_area_id,
            "code": "ア",
            "name": initiative.name,
            "participants": [m.municipality_id for m in tamana.memberships.all()],
            "cost_year_0": "２０２２",
            "cost_amount_0": "１，５００",
            "version": tamana.version,
        },
    )
    assert response.status_code == 302
    assert list(
        InitiativeCost.objects.filter(initiative=initiative).values_list("fiscal_year", "amount")
    ) == [(2022, 1500)]
    entry = RegionAuditEntry.objects.filter(action="initiative.edit").get()
    assert entry.actor == user("tamana-planning")
