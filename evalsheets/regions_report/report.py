"""The 懇談会 report of a progress round: a PDF (WeasyPrint, the sheets' conventions: the
static-only fetcher, the IPAex fonts, the time limit) and an .xlsx of the same tables.

Sections: the KPIs against their targets with their charts; the initiatives by policy
area with their 事業費 plan and 実績 by year; the members' texts; the 懇談会 comment.
"""

from __future__ import annotations

import io
import threading

from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Font
from weasyprint import CSS

from core.spreadsheet_safety import xlsx_cell
from core.wareki import fiscal_year_label
from evalsheets.pdf import render as pdf
from regions.models import ProgressRound
from regions.summary import round_context

STYLESHEET = pdf.PDF_STATIC_ROOT / "pdf" / "region_report.css"
_local = threading.local()


def load_round(pk) -> ProgressRound:
    return ProgressRound.objects.select_related("region").get(pk=pk)


def report_context(round_: ProgressRound) -> dict:
    context = round_context(round_.region, round_)
    areas = []
    for row in context["rows"]:
        area = row.initiative.policy_area
        if not areas or areas[-1]["area"].pk != area.pk:
            areas.append({"area": area, "rows": []})
        areas[-1]["rows"].append(row)
    context.update(
        areas=areas,
        title=(
            f"{round_.region.name} {fiscal_year_label(round_.fiscal_year)} "
            "進捗状況報告（懇談会資料）"
        ),
        has_demo=round_.is_demo
        or any(k.has_demo for k in context["kpis"])
        or any(r and r.is_demo for row in context["rows"] for _t, r in row.reports),
    )
    return context


def render_html(round_: ProgressRound) -> str:
    return render_to_string("regions_report/report.html", report_context(round_))


def _stylesheet():
    if getattr(_local, "css", None) is None:
        font_config, _sheet_css = pdf._resources()
        _local.css = CSS(
            filename=str(STYLESHEET), url_fetcher=pdf.StaticOnlyFetcher(), font_config=font_config
        )
    return _local.css


def _layout(html: str) -> tuple[bytes, int]:
    document = pdf.document_from_html(html, stylesheets=[_stylesheet()])
    return document.write_pdf(), len(document.pages)


def build_pdf(round_: ProgressRound, *, seconds: float | None = None) -> tuple[bytes, int]:
    """PDF bytes and page count of the round's report, within the PDF time limit."""
    html = render_html(round_)
    return pdf.with_time_limit(_layout, html, seconds=seconds)


def _sheet(wb, title, header, rows):
    ws = wb.create_sheet(title)
    bold = Font(bold=True)
    ws.append([xlsx_cell(ws, h, font=bold) for h in header])
    for row in rows:
        ws.append([xlsx_cell(ws, v) for v in row])
    return ws


KPI_HEADERS = [
    "KPI",
    "政策分野",
    "単位",
    "基準値",
    "基準年",
    "目標値",
    "目標年",
    "最新の実績値",
    "実績年",
    "進捗率(%)",
    "判定",
    "デモ値",
    "出典",
]
COST_HEADERS = ["政策分野", "具体的取組", "年度", "計画（千円）", "実績（千円）", "注記"]
REPORT_HEADERS = [
    "具体的取組",
    "市町村",
    "実施内容",
    "事業費実績（千円）",
    "うち負担額（千円）",
    "デモ値",
]
MEETING_HEADERS = ["圏域", "対象年度", "状態", "開催日", "意見"]


def build_xlsx(round_: ProgressRound) -> bytes:
    """The report's tables as an .xlsx: KPI, 事業費, 報告, 懇談会."""
    context = report_context(round_)
    wb = Workbook(write_only=True)
    _sheet(wb, "KPI", KPI_HEADERS, [_kpi_row(k) for k in context["kpis"]])
    _sheet(wb, "事業費", COST_HEADERS, _cost_rows(context["areas"]))
    _sheet(wb, "報告", REPORT_HEADERS, _report_rows(context["rows"]))
    _sheet(wb, "懇談会", MEETING_HEADERS, [_meeting_row(round_)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _kpi_row(k) -> list:
    kpi = k.kpi
    return [
        kpi.name,
        kpi.policy_area.name if kpi.policy_area else "",
        kpi.unit,
        kpi.baseline if kpi.baseline is not None else kpi.baseline_text,
        kpi.baseline_year,
        kpi.target if kpi.target is not None else kpi.target_text,
        kpi.target_year,
        k.latest.value if k.latest else None,
        k.latest.year if k.latest else None,
        k.progress,
        k.status,
        "○" if k.latest and k.latest.demo else "",
        kpi.source,
    ]


def _cost_rows(areas) -> list[list]:
    """事業費 plan and 実績 per initiative and year, under its policy area."""
    return [
        [
            f"{area['area'].code} {area['area'].name}",
            f"{row.initiative.code} {row.initiative.name}",
            year,
            plan,
            actual.value if actual else None,
            actual.note if actual else "",
        ]
        for area in areas
        for row in area["rows"]
        for year, plan, actual in row.years
    ]


def _report_rows(rows) -> list[list]:
    """Each member's report on each initiative (未報告 where it has none yet)."""
    return [
        [
            f"{row.initiative.code} {row.initiative.name}",
            town.name,
            report.text if report else "未報告",
            report.actual_cost if report else None,
            report.share if report else None,
            "○" if report and report.is_demo else "",
        ]
        for row in rows
        for town, report in row.reports
    ]


def _meeting_row(round_: ProgressRound) -> list:
    return [
        round_.region.name,
        fiscal_year_label(round_.fiscal_year),
        round_.get_state_display(),
        round_.meeting_date,
        round_.meeting_comment,
    ]


def file_name(round_: ProgressRound, kind: str) -> str:
    return f"{round_.region.name}_{fiscal_year_label(round_.fiscal_year)}_懇談会資料.{kind}"
