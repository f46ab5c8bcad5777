"""Public, read-only pages of the regions (定住自立圏 / 連携中枢都市圏). No login.

A region's master data (members, vision, initiatives, KPIs) is public. Of its progress
rounds only the published ones are: their reports, their KPI actuals and the 懇談会
comment; an actual entered in a round that is not published yet stays out. Links into the
sheets (a member's public page, a published sheet's PDF) are shown only where the sheet
is published; a member project's latest sheet shows only its state.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from core.choices import SheetState
from evalsheets.models import EvaluationSheet, Project
from evalsheets.public.rows import public_sheets
from evalsheets.public.views import public_pdf_url, sheet_url
from regions.choices import MemberRole, RegionKind, RoundState
from regions.models import Initiative, Membership, PolicyArea, Region, RegionKPI, Vision
from regions.progress import STATUS_RULE, kpi_progress_of
from regions.summary import round_context


def role_label(region: Region, role: str) -> str:
    """中心市 (定住自立圏) / 連携中枢都市 (連携中枢都市圏) / 近隣市町村."""
    if role == MemberRole.CENTRAL:
        return _("連携中枢都市") if region.kind == RegionKind.METRO else _("中心市")
    return _("近隣市町村")


def _memberships():
    return Prefetch(
        "memberships",
        queryset=Membership.objects.select_related("municipality").order_by(
            "sort_order", "municipality__code"
        ),
    )


def region_list(request):
    regions = Region.objects.prefetch_related(_memberships(), "visions").order_by("kind", "name")
    items = []
    for region in regions:
        members = list(region.memberships.all())
        items.append(
            {
                "region": region,
                "member_count": len(members),
                "centrals": [m.municipality for m in members if m.role == MemberRole.CENTRAL],
                "central_label": role_label(region, MemberRole.CENTRAL),
                "vision": next(iter(region.visions.all()), None),
            }
        )
    return render(request, "public/regions/list.html", {"items": items})


@dataclass
class InitiativeRow:
    initiative: Initiative
    participates: list  # one bool per member, in member order
    costs_by_year: dict
    total: int
    cost_cells: list = field(default_factory=list)  # one amount (or None) per cost year

    @property
    def participant_count(self) -> int:
        return sum(self.participates)


@dataclass
class VisionView:
    vision: Vision
    areas: list
    rows: list = field(default_factory=list)  # InitiativeRow, in area order
    cost_years: list = field(default_factory=list)
    year_totals: list = field(default_factory=list)
    grand_total: int = 0
    matrix: list = field(default_factory=list)  # per member: its ○ per initiative

    @property
    def start_fiscal_year(self) -> int:
        return fiscal_year_of(self.vision.period_start)

    @property
    def end_fiscal_year(self) -> int:
        return fiscal_year_of(self.vision.period_end)


@dataclass
class MemberTotal:
    """A total over the members (圏域計) that says when some members have no figure."""

    value: object
    counted: int
    members: int
    missing: list  # names of the members without a figure

    @property
    def note(self) -> str:
        """「4団体中2団体の合計（未記入：玉東町、和水町）」 when incomplete, else ""."""
        if not self.missing:
            return ""
        if not self.counted:
            return _("%(n)s団体とも未記入") % {"n": self.members}
        return _("%(n)s団体中%(k)s団体の合計（未記入：%(names)s）") % {
            "n": self.members,
            "k": self.counted,
            "names": "、".join(self.missing),
        }


def member_total(towns, attribute: str, zero=0) -> MemberTotal:
    present = [t for t in towns if getattr(t, attribute) is not None]
    return MemberTotal(
        value=sum((getattr(t, attribute) for t in present), zero) if present else None,
        counted=len(present),
        members=len(towns),
        missing=[t.name for t in towns if getattr(t, attribute) is None],
    )


def fiscal_year_of(day) -> int:
    """年度 of a date: April–March (2027-03-31 → 2026)."""
    return day.year if day.month >= 4 else day.year - 1


def _vision_view(vision: Vision, members: list) -> VisionView:
    member_ids = [m.municipality_id for m in members]
    view = VisionView(vision=vision, areas=list(vision.policy_areas.all()))
    years = set()
    for area in view.areas:
        for initiative in area.initiatives.all():
            participant_ids = {p.pk for p in initiative.participants.all()}
            costs = {c.fiscal_year: c.amount for c in initiative.costs.all()}
            years.update(costs)
            view.rows.append(
                InitiativeRow(
                    initiative=initiative,
                    participates=[mid in participant_ids for mid in member_ids],
                    costs_by_year=costs,
                    total=sum(costs.values()),
                )
            )
    view.cost_years = sorted(years)
    for row in view.rows:
        row.cost_cells = [row.costs_by_year.get(year) for year in view.cost_years]
    view.matrix = [
        {"member": member, "cells": [row.participates[i] for row in view.rows]}
        for i, member in enumerate(members)
    ]
    view.year_totals = [
        sum(row.costs_by_year.get(year, 0) for row in view.rows) for year in view.cost_years
    ]
    view.grand_total = sum(view.year_totals)
    return view


def _region_with_everything():
    """Regions with what the public page shows prefetched: members, visions with their
    revisions, policy areas and initiatives (participants, costs), KPIs with values."""
    initiatives = Initiative.objects.prefetch_related("participants", "costs")
    areas = PolicyArea.objects.prefetch_related(Prefetch("initiatives", queryset=initiatives))
    visions = Vision.objects.prefetch_related("revisions", Prefetch("policy_areas", queryset=areas))
    kpis = RegionKPI.objects.select_related("policy_area").prefetch_related("values")
    return Region.objects.prefetch_related(
        _memberships(),
        Prefetch("visions", queryset=visions),
        Prefetch("kpis", queryset=kpis),
    )


def _members_of(region) -> list:
    """The memberships, each with its role's label and whether it has published sheets."""
    members = list(region.memberships.all())
    published_codes = set(
        public_sheets()
        .filter(project__municipality__in=[m.municipality_id for m in members])
        .values_list("project__municipality__code", flat=True)
    )
    for member in members:
        member.role_label = role_label(region, member.role)
        member.has_public_sheets = member.municipality.code in published_codes
    return members


def _member_totals(members) -> dict:
    """圏域計 of population, households and area, and what to say about missing figures
    (the same members missing in every column: said once) and the reference dates."""
    towns = [m.municipality for m in members]
    stats_dates = sorted({t.stats_date for t in towns if t.stats_date})
    totals = {
        "population": member_total(towns, "population"),
        "households": member_total(towns, "households"),
        "area": member_total(towns, "area", Decimal(0)),
    }
    notes = {t.note for t in totals.values()}
    return {
        "totals": totals,
        "totals_note": notes.pop() if len(notes) == 1 else "",
        "stats_date": stats_dates[0] if len(stats_dates) == 1 else None,
        "mixed_stats_dates": len(stats_dates) > 1,
    }


def region_detail(request, pk):
    region = get_object_or_404(_region_with_everything(), pk=pk)
    members = _members_of(region)
    published_rounds = {
        r.pk: r for r in region.rounds.filter(state=RoundState.PUBLISHED).order_by("-fiscal_year")
    }
    # Actuals of the seed (no round) and of published rounds only.
    kpis = [
        kpi_progress_of(
            kpi,
            [v for v in kpi.values.all() if v.round_id is None or v.round_id in published_rounds],
        )
        for kpi in region.kpis.all()
    ]
    latest_round = next(iter(published_rounds.values()), None)
    return render(
        request,
        "public/regions/detail.html",
        {
            "region": region,
            "members": members,
            "central_label": role_label(region, MemberRole.CENTRAL),
            **_member_totals(members),
            "visions": [_vision_view(v, members) for v in region.visions.all()],
            "kpis": kpis,
            "status_rule": STATUS_RULE,
            "round": (
                round_context(region, latest_round, published_only=True) if latest_round else None
            ),
            "projects": member_projects(region),
        },
    )


@dataclass
class ProjectRow:
    project: Project
    latest: EvaluationSheet | None  # the latest sheet, whatever its state (only the state shows)
    published: EvaluationSheet | None  # the latest published sheet

    @property
    def state_label(self) -> str:
        return SheetState(self.latest.state).label if self.latest else ""

    @property
    def pdf_url(self):
        return public_pdf_url(self.published) if self.published else None

    @property
    def url(self):
        return sheet_url(self.published) if self.published else None


def member_projects(region: Region) -> list[ProjectRow]:
    """The members' projects that name the region or one of its initiatives."""
    projects = list(
        Project.objects.filter(
            Q(region=region) | Q(initiative__policy_area__vision__region=region),
            municipality__memberships__region=region,
        )
        .select_related("municipality", "initiative__policy_area")
        .prefetch_related(
            Prefetch(
                "sheets",
                queryset=EvaluationSheet.objects.order_by("-fiscal_year").select_related(
                    "project__municipality"
                ),
            )
        )
        .distinct()
        .order_by("municipality__code", "code")
    )
    rows = []
    for project in projects:
        sheets = list(project.sheets.all())
        published = next((s for s in sheets if s.state == SheetState.PUBLISHED), None)
        rows.append(ProjectRow(project, sheets[0] if sheets else None, published))
    return rows
