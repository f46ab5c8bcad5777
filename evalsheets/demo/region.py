"""A region (圏域) of the demo: its members, its vision with policy areas and
initiatives, and its KPIs."""

from evalsheets.demo.files import date_or_none, decimal_or_none
from evalsheets.demo.municipality import upsert_municipality
from municipalities.models import Municipality
from regions.models import (
    Initiative,
    InitiativeCost,
    Membership,
    PolicyArea,
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
        )
        RegionKPIValue.objects.bulk_create(
            RegionKPIValue(kpi=kpi, fiscal_year=v["year"], value=decimal_or_none(v["value"]))
            for v in kpi_data.get("values", [])
        )
