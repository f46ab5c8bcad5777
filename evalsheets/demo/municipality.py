"""A municipality of the demo: its 部 and 課, its plan, average salaries, projects,
demo users, sheets and the years its 企画課 has opened since (``open_years``)."""

from core.choices import StaffKind
from evalsheets.demo.files import date_or_none, decimal_or_none
from evalsheets.demo.sheet import load_sheet
from evalsheets.demo.users import create_demo_users
from evalsheets.models import PROJECT_DETAIL_FIELDS, AverageSalary, Project
from evalsheets.workflow.years import open_fiscal_year
from municipalities.models import Department, Municipality, Plan, PlanKPI, PlanNode, Section
from regions.models import Region

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


def upsert_municipality(data: dict) -> Municipality:
    defaults = {k: data[k] for k in MUNICIPALITY_FIELDS if k in data}
    if "area" in defaults:
        defaults["area"] = decimal_or_none(defaults["area"])
    if "stats_date" in defaults:
        defaults["stats_date"] = date_or_none(defaults["stats_date"])
    municipality, _ = Municipality.objects.update_or_create(code=data["code"], defaults=defaults)
    municipality.full_clean(validate_unique=False)
    return municipality


def load_municipality(data: dict) -> Municipality:
    municipality = upsert_municipality(data["municipality"])
    sections = _load_sections(municipality, data.get("departments", []))
    plan = _load_plan(municipality, data.get("plan"))
    _load_salaries(municipality, data.get("average_salaries", []))
    _load_projects(municipality, plan, data.get("projects", []))
    users = create_demo_users(municipality, sections, data.get("demo_users_prefix"))
    for sheet_data in data.get("sheets", []):
        load_sheet(municipality, sheet_data, users)
    for opening in data.get("open_years", []):
        _open_year(municipality, opening, users)
    return municipality


def _open_year(municipality: Municipality, opening: dict, users: dict) -> None:
    """A year the demo's 企画課 has opened, as it would in the browser: every running
    project gets a draft copied from its latest sheet (nothing of the fixture's own). Run
    again, it changes nothing."""
    open_fiscal_year(
        users["planning"],
        municipality,
        int(opening["year"]),
        staff_salary=opening.get("staff_salary"),
        part_time_salary=opening.get("part_time_salary"),
    )


def _load_sections(municipality: Municipality, departments: list) -> list[Section]:
    """The 部 and their 課; returns the 課 in the fixture's order."""
    sections = []
    for d_order, dept in enumerate(departments):
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
    return sections


def _load_plan(municipality: Municipality, plan_data: dict | None) -> Plan | None:
    if not plan_data:
        return None
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
    return plan


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
                actual=decimal_or_none(k.get("actual")),
                actual_year=k.get("actual_year"),
                achievement=k.get("achievement", ""),
                target=decimal_or_none(k.get("target")),
                target_year=k.get("target_year"),
            )
            for i, k in enumerate(node_data.get("kpis", []))
        )
        _load_nodes(plan, node_data.get("children"), node)


def _load_salaries(municipality: Municipality, salaries: list):
    for salary in salaries:
        for kind, key in ((StaffKind.STAFF, "staff"), (StaffKind.PART_TIME, "part_time")):
            if key in salary:
                AverageSalary.objects.update_or_create(
                    municipality=municipality,
                    fiscal_year=salary["year"],
                    staff_kind=kind,
                    defaults={"amount": salary[key]},
                )


def _load_projects(municipality: Municipality, plan: Plan | None, projects: list):
    sections_by_name = {s.name: s for s in Section.objects.filter(municipality=municipality)}
    for item in projects:
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
