"""A small region over the standing ``world`` of tests/conftest.py: 玉名市 is its 中心市
(its 企画課 ``planning`` manages it), 伊勢原市 a neighbour (``planning_other`` reports for
it); the 担当者, 課長 and 閲覧者 of 玉名市 read it. With a vision, a policy area, an
initiative both take part in, a KPI, an open round and a finished 懇談会 report job."""

import datetime

from django.core.files.base import ContentFile

from regions.choices import MemberRole, RegionKind, ReportKind, ReportStatus
from regions.models import (
    Initiative,
    InitiativeCost,
    Membership,
    PolicyArea,
    ProgressRound,
    Region,
    RegionKPI,
    ReportJob,
    Vision,
)


def region_world(world) -> dict:
    existing = Region.objects.filter(name="テスト圏域").first()
    if existing:
        return _collect(existing)
    region = Region.objects.create(name="テスト圏域", kind=RegionKind.SETTLEMENT)
    Membership.objects.create(region=region, municipality=world["town"], role=MemberRole.CENTRAL)
    Membership.objects.create(
        region=region, municipality=world["other"], role=MemberRole.NEIGHBOUR, sort_order=1
    )
    vision = Vision.objects.create(
        region=region,
        name="テスト共生ビジョン",
        period_start=datetime.date(2022, 4, 1),
        period_end=datetime.date(2027, 3, 31),
    )
    area = PolicyArea.objects.create(vision=vision, code="1", name="生活機能の強化")
    initiative = Initiative.objects.create(policy_area=area, code="ア", name="広域観光")
    initiative.participants.set([world["town"], world["other"]])
    InitiativeCost.objects.create(initiative=initiative, fiscal_year=2023, amount=1000)
    RegionKPI.objects.create(
        region=region,
        policy_area=area,
        name="観光入込客数",
        unit="人",
        baseline=100,
        baseline_year=2022,
        target=200,
        target_year=2026,
    )
    round_ = ProgressRound.objects.create(region=region, fiscal_year=2023)
    job = ReportJob(
        round=round_,
        kind=ReportKind.XLSX,
        status=ReportStatus.DONE,
        total=2,
        done=2,
        result_name="report.xlsx",
    )
    job.result.save(f"{region.pk}/matrix.xlsx", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=False)
    job.save()
    return _collect(region)


def _collect(region) -> dict:
    round_ = region.rounds.get()
    return {
        "region": region,
        "round": round_,
        "membership": region.memberships.get(role=MemberRole.CENTRAL),
        "initiative": Initiative.objects.get(policy_area__vision__region=region),
        "kpi": region.kpis.get(),
        "job": round_.report_jobs.get(),
    }
