"""A round as its page and its 懇談会 report show it: the members' reports per initiative
with totals over complete data, who has reported, and every KPI's progress up to the
round's year."""

from regions.models import Initiative
from regions.progress import STATUS_RULE, kpi_progress_of, round_progress


def initiatives_of(region):
    return list(
        Initiative.objects.filter(policy_area__vision__region=region)
        .select_related("policy_area__vision")
        .prefetch_related("participants", "costs")
        .order_by("policy_area__vision__period_start", "policy_area__code", "sort_order", "code")
    )


def round_context(region, round_, *, published_only: bool = False):
    """Everything the round page (and the 懇談会 report) shows. ``published_only``: the
    public page's view, where the 実績 of earlier years come from published rounds only."""
    members = list(
        region.memberships.select_related("municipality").order_by(
            "sort_order", "municipality__code"
        )
    )
    initiatives = initiatives_of(region)
    earlier = region.rounds.filter(fiscal_year__lt=round_.fiscal_year)
    if published_only:
        earlier = earlier.published()
    earlier = list(earlier.prefetch_related("reports"))
    reports = list(round_.reports.select_related("municipality", "initiative"))
    rows, status = round_progress(round_, members, initiatives, reports, earlier)
    kpis = []
    for kpi in region.kpis.select_related("policy_area", "reporter").prefetch_related("values"):
        values = [v for v in kpi.values.all() if v.fiscal_year <= round_.fiscal_year]
        kpis.append(kpi_progress_of(kpi, values))
    return {
        "region": region,
        "round": round_,
        "members": members,
        "rows": rows,
        "status": status,
        "missing": [s for s in status if not s["complete"]],
        "kpis": kpis,
        "status_rule": STATUS_RULE,
        "central_label": "連携中枢都市" if region.kind == "metro" else "中心市",
    }
