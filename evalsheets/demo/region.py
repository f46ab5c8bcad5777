"""A region (圏域) of the demo: its members, its vision with policy areas and
initiatives, and its KPIs (``load_region``); once the municipalities are loaded, its
progress round, the projects that carry out its initiatives and the 企画課 users of
members that have none (``load_region_work``)."""

from django.contrib.auth import get_user_model

from evalsheets.demo.files import date_or_none, decimal_or_none
from evalsheets.demo.municipality import upsert_municipality
from evalsheets.demo.users import DEMO_PASSWORD
from evalsheets.models import Project
from municipalities.choices import Role
from municipalities.models import Municipality, StaffProfile
from regions.choices import RoundState
from regions.models import (
    Initiative,
    InitiativeCost,
    MemberReport,
    Membership,
    PolicyArea,
    ProgressRound,
    Region,
    RegionKPI,
    RegionKPIValue,
    Vision,
    VisionRevision,
)

INITIATIVE_TEXTS = (
    "content",
    "central_role",
    "neighbour_role",
    "cost_sharing",
    "schedule",
    "subsidies",
    "expected_effect",
)


def load_region(data: dict) -> Region:
    region, _ = Region.objects.update_or_create(
        name=data["region"]["name"], defaults={"kind": data["region"]["kind"]}
    )
    for order, member in enumerate(data["members"]):
        municipality = upsert_municipality(member)
        Membership.objects.update_or_create(
            region=region,
            municipality=municipality,
            defaults={
                "role": member["role"],
                "sort_order": order,
                "agreement_date": date_or_none(member.get("agreement_date")),
            },
        )
    vision_data = data.get("vision")
    if vision_data:
        areas = _load_vision(region, vision_data)
        _load_kpis(region, data.get("kpis", []), areas)
    return region


def _load_vision(region: Region, vision_data: dict) -> dict[str, PolicyArea]:
    """The vision, its revisions and its policy areas; returns the areas by code."""
    vision, _ = Vision.objects.update_or_create(
        region=region,
        name=vision_data["name"],
        defaults={
            "period_start": date_or_none(vision_data["period_start"]),
            "period_end": date_or_none(vision_data["period_end"]),
        },
    )
    vision.revisions.all().delete()
    for revision in vision_data.get("revisions", []):
        if isinstance(revision, dict):
            VisionRevision.objects.create(
                vision=vision, date=date_or_none(revision["date"]), note=revision.get("note", "")
            )
        else:
            VisionRevision.objects.create(vision=vision, date=date_or_none(revision))
    areas = {}
    for area_data in vision_data.get("policy_areas", []):
        area, _ = PolicyArea.objects.update_or_create(
            vision=vision, code=str(area_data["code"]), defaults={"name": area_data["name"]}
        )
        areas[str(area_data["code"])] = area
        for order, item in enumerate(area_data.get("initiatives", [])):
            _load_initiative(area, order, item)
    return areas


def _load_initiative(area: PolicyArea, order: int, item: dict):
    initiative, _ = Initiative.objects.update_or_create(
        policy_area=area,
        code=item["code"],
        defaults={
            "name": item["name"],
            "sort_order": order,
            "is_demo": bool(item.get("demo")),
            **{key: (item.get(key) or "").strip() for key in INITIATIVE_TEXTS},
        },
    )
    initiative.participants.set(Municipality.objects.filter(code__in=item.get("participants", [])))
    initiative.costs.all().delete()
    InitiativeCost.objects.bulk_create(
        InitiativeCost(initiative=initiative, fiscal_year=c["year"], amount=c["amount"])
        for c in item.get("costs", [])
    )


def _load_kpis(region: Region, kpis: list, areas: dict[str, PolicyArea]):
    """The region's KPIs, replaced as a whole, each with its yearly values."""
    region.kpis.all().delete()
    for order, kpi_data in enumerate(kpis):
        kpi = RegionKPI.objects.create(
            region=region,
            policy_area=areas.get(str(kpi_data.get("policy_area"))),
            name=kpi_data["name"],
            unit=kpi_data.get("unit", ""),
            baseline=decimal_or_none(kpi_data.get("baseline")),
            baseline_year=kpi_data.get("baseline_year"),
            baseline_text=kpi_data.get("baseline_text", ""),
            target=decimal_or_none(kpi_data.get("target")),
            target_year=kpi_data.get("target_year"),
            target_text=kpi_data.get("target_text", ""),
            source=kpi_data.get("source", ""),
            sort_order=order,
            is_demo=bool(kpi_data.get("demo")),
        )
        RegionKPIValue.objects.bulk_create(
            RegionKPIValue(kpi=kpi, fiscal_year=v["year"], value=decimal_or_none(v["value"]))
            for v in kpi_data.get("values", [])
        )


def load_region_work(data: dict) -> None:
    """The region's demo round, project links and member users (after the municipalities:
    the projects must exist)."""
    region = Region.objects.get(name=data["region"]["name"])
    for user_data in data.get("demo_users", []):
        _demo_user(user_data)
    for link in data.get("project_links", []):
        Project.objects.filter(
            municipality__code=link["municipality"], code=link["project"]
        ).update(region=region, initiative=_initiative(region, link))
    round_data = data.get("round")
    if round_data:
        _load_round(region, round_data)


def _initiative(region: Region, item: dict) -> Initiative:
    return Initiative.objects.get(
        policy_area__vision__region=region,
        policy_area__code=str(item["area"]),
        code=item["initiative"],
    )


def _demo_user(item: dict):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=item["username"],
        defaults={
            "last_name": "企画",
            "first_name": "担当",
            "email": f"{item['username']}@example.jp",
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    StaffProfile.objects.update_or_create(
        user=user,
        defaults={
            "municipality": Municipality.objects.get(code=item["code"]),
            "section": None,
            "role": item.get("role", Role.PLANNING),
        },
    )


def _load_round(region: Region, item: dict) -> ProgressRound:
    """The round of the demo, replaced as a whole; reports and KPI actuals are demo values
    unless the fixture says ``demo: false``."""
    demo = bool(item.get("demo", True))
    round_, _ = ProgressRound.objects.update_or_create(
        region=region,
        fiscal_year=item["fiscal_year"],
        defaults={
            "state": item.get("state", RoundState.OPEN),
            "meeting_date": date_or_none(item.get("meeting_date")),
            "meeting_comment": (item.get("meeting_comment") or "").strip(),
            "is_demo": demo,
        },
    )
    if round_.state == RoundState.PUBLISHED and round_.published_at is None:
        round_.published_at = round_.opened_at
        round_.save(update_fields=["published_at"])
    round_.reports.all().delete()
    MemberReport.objects.bulk_create(
        MemberReport(
            round=round_,
            initiative=_initiative(region, r),
            municipality=Municipality.objects.get(code=r["municipality"]),
            text=r.get("text", ""),
            actual_cost=r.get("actual_cost"),
            share=r.get("share"),
            is_demo=bool(r.get("demo", demo)),
        )
        for r in item.get("reports", [])
    )
    for v in item.get("kpi_values", []):
        RegionKPIValue.objects.update_or_create(
            kpi=RegionKPI.objects.get(region=region, name=v["kpi"]),
            fiscal_year=v["year"],
            defaults={
                "value": decimal_or_none(v["value"]),
                "round": round_,
                "is_demo": bool(v.get("demo", demo)),
            },
        )
    return round_
