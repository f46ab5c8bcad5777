"""Load the demo data in fixtures/*.yaml (see docs/demo-data.md).

Idempotent: everything is matched by natural key (municipality code, section
code, plan node path, project code, fiscal year); a sheet's child rows are
replaced as a whole. Runs in one transaction.
"""

import datetime
import functools
from decimal import Decimal
from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from core.choices import APPROVED_STATES, SheetState, StaffKind
from evalsheets.models import (
    NARRATIVE_FIELDS,
    PROJECT_DETAIL_FIELDS,
    SHEET_DETAIL_FIELDS,
    ActivityIndicator,
    ActivityValue,
    AssessmentAnswer,
    AverageSalary,
    CostRow,
    EvaluationSheet,
    OutcomeIndicator,
    OutcomeValue,
    Project,
    Review,
    ScheduleEntry,
    ScheduleItem,
    StaffEffort,
    SubProject,
)
from municipalities.choices import Role
from municipalities.models import (
    Department,
    Municipality,
    Plan,
    PlanKPI,
    PlanNode,
    Section,
    StaffProfile,
)
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

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
MUNICIPALITY_FILES = ("tamana.yaml", "isehara.yaml", "hitoyoshi.yaml")
REGION_FILES = ("region_tamana_settlement.yaml", "region_kumamoto_metro.yaml")
DEMO_PASSWORD = "evalsheets-demo"

MUNICIPALITY_FIELDS = (
    "name",
    "kind",
    "designated_city",
    "prefecture",
    "population",
    "households",
    "area",
    "stats_date",
    "sheet_layout",
)
PROJECT_FIELDS = PROJECT_DETAIL_FIELDS
SHEET_TEXT_FIELDS = NARRATIVE_FIELDS
SHEET_SCALAR_FIELDS = (
    "author_name",
    *SHEET_DETAIL_FIELDS,
    "direction",
    "funding_allocation",
    "staffing_allocation",
)
# Keys of a sheet that hold what the seed prints, for the tests; the loader ignores them.
PRINTED_PREFIX = "printed_"

# Demo users: (username suffix, role, last name, first name). The section is the
# municipality's first section unless the fixture names users itself.
DEMO_ROLES = (
    ("staff", Role.STAFF, "担当", "太郎"),
    ("staff2", Role.STAFF, "別課", "花子"),
    ("chief", Role.CHIEF, "課長", "一郎"),
    ("chief2", Role.CHIEF, "別課長", "次郎"),
    ("planning", Role.PLANNING, "企画", "三郎"),
    ("viewer", Role.VIEWER, "閲覧", "四郎"),
)
USER_PREFIX = {"432067": "tamana", "142140": "isehara", "432032": "hitoyoshi"}


@functools.cache
def read_yaml(name: str) -> dict:
    """Parsed once per process (the loader never mutates what it reads)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(FIXTURES_DIR / name, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=loader)


def _decimal(value):
    if value is None or value == "na":
        return None
    return Decimal(str(value))


def _date(value):
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


def upsert_municipality(data: dict) -> Municipality:
    defaults = {k: data[k] for k in MUNICIPALITY_FIELDS if k in data}
    if "area" in defaults:
        defaults["area"] = _decimal(defaults["area"])
    if "stats_date" in defaults:
        defaults["stats_date"] = _date(defaults["stats_date"])
    municipality, _ = Municipality.objects.update_or_create(code=data["code"], defaults=defaults)
    municipality.full_clean(validate_unique=False)
    return municipality


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
                "agreement_date": _date(member.get("agreement_date")),
            },
        )
    vision_data = data.get("vision")
    if vision_data:
        vision, _ = Vision.objects.update_or_create(
            region=region,
            name=vision_data["name"],
            defaults={
                "period_start": _date(vision_data["period_start"]),
                "period_end": _date(vision_data["period_end"]),
            },
        )
        vision.revisions.all().delete()
        for revision in vision_data.get("revisions", []):
            if isinstance(revision, dict):
                VisionRevision.objects.create(
                    vision=vision, date=_date(revision["date"]), note=revision.get("note", "")
                )
            else:
                VisionRevision.objects.create(vision=vision, date=_date(revision))
        areas = {}
        for area_data in vision_data.get("policy_areas", []):
            area, _ = PolicyArea.objects.update_or_create(
                vision=vision, code=str(area_data["code"]), defaults={"name": area_data["name"]}
            )
            areas[str(area_data["code"])] = area
            for order, item in enumerate(area_data.get("initiatives", [])):
                initiative, _ = Initiative.objects.update_or_create(
                    policy_area=area,
                    code=item["code"],
                    defaults={
                        "name": item["name"],
                        "sort_order": order,
                        **{
                            key: (item.get(key) or "").strip()
                            for key in (
                                "content",
                                "central_role",
                                "neighbour_role",
                                "cost_sharing",
                                "schedule",
                                "subsidies",
                                "expected_effect",
                            )
                        },
                    },
                )
                initiative.participants.set(
                    Municipality.objects.filter(code__in=item.get("participants", []))
                )
                initiative.costs.all().delete()
                InitiativeCost.objects.bulk_create(
                    InitiativeCost(initiative=initiative, fiscal_year=c["year"], amount=c["amount"])
                    for c in item.get("costs", [])
                )
        region.kpis.all().delete()
        for order, kpi_data in enumerate(data.get("kpis", [])):
            kpi = RegionKPI.objects.create(
                region=region,
                policy_area=areas.get(str(kpi_data.get("policy_area"))),
                name=kpi_data["name"],
                unit=kpi_data.get("unit", ""),
                baseline=_decimal(kpi_data.get("baseline")),
                baseline_year=kpi_data.get("baseline_year"),
                baseline_text=kpi_data.get("baseline_text", ""),
                target=_decimal(kpi_data.get("target")),
                target_year=kpi_data.get("target_year"),
                target_text=kpi_data.get("target_text", ""),
                source=kpi_data.get("source", ""),
                sort_order=order,
            )
            RegionKPIValue.objects.bulk_create(
                RegionKPIValue(kpi=kpi, fiscal_year=v["year"], value=_decimal(v["value"]))
                for v in kpi_data.get("values", [])
            )
    return region


def _load_nodes(plan: Plan, nodes: list, parent: PlanNode | None):
    for order, node_data in enumerate(nodes or []):
        code = str(node_data["code"])
        path = f"{parent.path}/{code}" if parent else code
        node = PlanNode.objects.filter(plan=plan, path=path).first() or PlanNode(
            plan=plan, code=code
        )
        node.parent = parent
        node.name = node_data["name"]
        node.description = (node_data.get("description") or "").strip()
        node.priority = bool(node_data.get("priority", False))
        node.sort_order = order
        node.save()
        node.kpis.all().delete()
        PlanKPI.objects.bulk_create(
            PlanKPI(
                node=node,
                sort_order=i,
                name=k["name"],
                unit=k.get("unit", ""),
                actual=_decimal(k.get("actual")),
                actual_year=k.get("actual_year"),
                achievement=k.get("achievement", ""),
                target=_decimal(k.get("target")),
                target_year=k.get("target_year"),
            )
            for i, k in enumerate(node_data.get("kpis", []))
        )
        _load_nodes(plan, node_data.get("children"), node)


def _values(model, indicator, values):
    model.objects.bulk_create(
        model(
            indicator=indicator,
            fiscal_year=v["year"],
            target=_decimal(v.get("target")),
            target_na=v.get("target") == "na",
            actual=_decimal(v.get("actual")),
            actual_na=v.get("actual") == "na",
        )
        for v in values
    )


def load_sheet(municipality: Municipality, data: dict, users: dict) -> EvaluationSheet:
    project = Project.objects.get(municipality=municipality, code=str(data["project"]))
    state = data.get("state", SheetState.DRAFT)
    fields = {key: (data.get("text", {}).get(key) or "").strip() for key in SHEET_TEXT_FIELDS}
    for key in SHEET_SCALAR_FIELDS:
        if key in data:
            fields[key] = data[key]
    fields["state"] = state
    if not fields.get("author_name"):
        # 伊勢原's and 人吉's seeds print no 作成者（担当者）: the demo 担当者 of the project's
        # 課 is recorded as the author, as the entry form proposes to a 担当者.
        author = next(
            (
                u
                for u in users.values()
                if u.profile.role == "staff" and u.profile.section_id == project.section_id
            ),
            None,
        )
        fields["author_name"] = f"{author.last_name}{author.first_name}" if author else ""
    # The seeds do not print approval or publication dates: the demo uses the
    # end of August of the sheet's fiscal year for both (documented in the README).
    stamp = timezone.make_aware(datetime.datetime(data["fiscal_year"], 8, 31, 17, 0))
    fields["approved_at"] = stamp if state in APPROVED_STATES else None
    fields["approved_by"] = users.get("chief") if state in APPROVED_STATES else None
    fields["published_at"] = stamp if state == SheetState.PUBLISHED else None
    sheet, _ = EvaluationSheet.objects.update_or_create(
        project=project, fiscal_year=data["fiscal_year"], defaults=fields
    )
    # Children are replaced as a whole.
    sheet.sub_projects.all().delete()
    sheet.outcome_indicators.all().delete()
    sheet.cost_rows.all().delete()
    sheet.efforts.all().delete()
    sheet.schedule_items.all().delete()
    sheet.assessments.all().delete()
    Review.objects.filter(sheet=sheet).delete()

    for order, sub in enumerate(data.get("sub_projects", [])):
        sub_project = SubProject.objects.create(
            sheet=sheet,
            sort_order=order,
            name=sub["name"],
            means=(sub.get("means") or "").strip(),
            is_new=bool(sub.get("is_new", False)),
        )
        for i, ind in enumerate(sub.get("indicators", [])):
            indicator = ActivityIndicator.objects.create(
                sub_project=sub_project, sort_order=i, name=ind["name"], unit=ind.get("unit", "")
            )
            _values(ActivityValue, indicator, ind.get("values", []))
    for order, ind in enumerate(data.get("outcome_indicators", [])):
        indicator = OutcomeIndicator.objects.create(
            sheet=sheet,
            sort_order=order,
            name=ind["name"],
            unit=ind.get("unit", ""),
            method=ind.get("method", ""),
            baseline=_decimal(ind.get("baseline")),
            baseline_year=ind.get("baseline_year"),
        )
        _values(OutcomeValue, indicator, ind.get("values", []))
    for cost in data.get("costs", []):
        CostRow.objects.create(
            sheet=sheet,
            fiscal_year=cost.get("year"),
            kind=cost["kind"],
            **{
                k: int(cost.get(k, 0))
                for k in (
                    "national_subsidy",
                    "prefectural_subsidy",
                    "municipal_bonds",
                    "other_specific",
                    "user_charges",
                    "general_revenue",
                )
            },
        )
    target_counts = {int(k): v for k, v in (data.get("target_counts") or {}).items()}
    for effort in data.get("effort", []):
        StaffEffort.objects.create(
            sheet=sheet,
            fiscal_year=effort["year"],
            staff_fte=_decimal(effort.get("staff", 0)),
            part_time_fte=_decimal(effort.get("part_time", 0)),
            target_count=target_counts.get(effort["year"]),
        )
    for order, item in enumerate(data.get("schedule", [])):
        schedule_item = ScheduleItem.objects.create(
            sheet=sheet, sort_order=order, name=item["item"]
        )
        for year, entry in (item.get("years") or {}).items():
            ScheduleEntry.objects.create(
                item=schedule_item,
                fiscal_year=int(year),
                plan=entry.get("plan", ""),
                result=entry.get("result", ""),
            )
    for answer in data.get("assessments", []):
        AssessmentAnswer.objects.create(
            sheet=sheet,
            viewpoint=str(answer["viewpoint"]),
            choice=str(answer.get("choice", "")),
            reason=(answer.get("reason") or "").strip(),
        )
    review = data.get("review")
    if review:
        Review.objects.create(
            sheet=sheet,
            remarks=(review.get("remarks") or "").strip(),
            head_comment=(review.get("head_comment") or "").strip(),
            reviewer_name=review.get("reviewer_name", ""),
            reviewer=users.get("chief") if state in APPROVED_STATES else None,
            reviewed_at=fields["approved_at"],
        )
    return sheet


def create_demo_users(municipality: Municipality, sections: list[Section]) -> dict:
    """Users for each role. Passwords are the same demo password for all."""
    User = get_user_model()
    prefix = USER_PREFIX.get(municipality.code, municipality.code)
    first_section = sections[0] if sections else None
    other_section = sections[1] if len(sections) > 1 else first_section
    users = {}
    for suffix, role, last, first in DEMO_ROLES:
        if suffix.endswith("2") and len(sections) < 2:
            continue  # a second 課's users only where the fixture has a second 課
        section = None
        if role in (Role.STAFF, Role.CHIEF):
            section = other_section if suffix.endswith("2") else first_section
        user, created = User.objects.get_or_create(
            username=f"{prefix}-{suffix}",
            defaults={
                "last_name": last,
                "first_name": first,
                "email": f"{prefix}-{suffix}@example.jp",
            },
        )
        if created or not user.has_usable_password():
            user.set_password(DEMO_PASSWORD)
            user.save()
        StaffProfile.objects.update_or_create(
            user=user, defaults={"municipality": municipality, "section": section, "role": role}
        )
        users[suffix] = user
    return users


def load_municipality(data: dict) -> Municipality:
    municipality = upsert_municipality(data["municipality"])
    sections = []
    for d_order, dept in enumerate(data.get("departments", [])):
        department, _ = Department.objects.update_or_create(
            municipality=municipality,
            name=dept["name"],
            defaults={"head_name": dept.get("head_name", ""), "sort_order": d_order},
        )
        for s_order, sec in enumerate(dept.get("sections", [])):
            section, _ = Section.objects.update_or_create(
                municipality=municipality,
                code=str(sec["code"]),
                defaults={
                    "department": department,
                    "name": sec["name"],
                    "chief_name": sec.get("chief_name", ""),
                    "sort_order": s_order,
                },
            )
            sections.append(section)
    plan_data = data.get("plan")
    plan = None
    if plan_data:
        plan, _ = Plan.objects.update_or_create(
            municipality=municipality,
            name=plan_data["name"],
            defaults={
                "start_year": plan_data["start_year"],
                "end_year": plan_data["end_year"],
                "level_labels": plan_data.get("level_labels", []),
            },
        )
        _load_nodes(plan, plan_data.get("nodes"), None)
    for salary in data.get("average_salaries", []):
        for kind, key in ((StaffKind.STAFF, "staff"), (StaffKind.PART_TIME, "part_time")):
            if key in salary:
                AverageSalary.objects.update_or_create(
                    municipality=municipality,
                    fiscal_year=salary["year"],
                    staff_kind=kind,
                    defaults={"amount": salary[key]},
                )
    sections_by_name = {s.name: s for s in Section.objects.filter(municipality=municipality)}
    for item in data.get("projects", []):
        defaults = {k: item[k] for k in PROJECT_FIELDS if k in item}
        defaults["section"] = sections_by_name[item["section"]]
        if item.get("plan_node") and plan is not None:
            path = "/".join(str(code) for code in item["plan_node"])
            defaults["plan_node"] = PlanNode.objects.get(plan=plan, path=path)
        if item.get("region"):
            defaults["region"] = Region.objects.get(name=item["region"])
        Project.objects.update_or_create(
            municipality=municipality, code=str(item["code"]), defaults=defaults
        )
    users = create_demo_users(municipality, sections)
    for sheet_data in data.get("sheets", []):
        load_sheet(municipality, sheet_data, users)
    return municipality


@transaction.atomic
def load_all(*, with_superuser: bool = True) -> dict:
    for name in REGION_FILES:
        load_region(read_yaml(name))
    municipalities = [load_municipality(read_yaml(name)) for name in MUNICIPALITY_FILES]
    if with_superuser:
        User = get_user_model()
        admin, created = User.objects.get_or_create(
            username="admin",
            defaults={"is_staff": True, "is_superuser": True, "email": "admin@example.jp"},
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save()
    return {
        "municipalities": len(municipalities),
        "regions": Region.objects.count(),
        "sheets": EvaluationSheet.objects.count(),
    }


def demo_user_table() -> list[tuple[str, str, str, str]]:
    """(username, municipality, role, section) of every demo user, for the README and make run."""
    rows = []
    for profile in StaffProfile.objects.select_related("user", "municipality", "section").order_by(
        "municipality__code", "user__username"
    ):
        rows.append(
            (
                profile.user.username,
                profile.municipality.name,
                profile.get_role_display(),
                profile.section.name if profile.section else "",
            )
        )
    return rows
