"""Every bad file of the issue, each a real file in tests/transfer/files/ (or, for the
limits, made here): a clear Japanese message with its place, and the database unchanged."""

import hashlib
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from core.choices import CostKind
from evalsheets.models import (
    AuditEntry,
    CostRow,
    EvaluationSheet,
    OutcomeIndicator,
    OutcomeValue,
    Project,
    StaffEffort,
)
from evalsheets.transfer.reading import FileRefused, read_upload
from evalsheets.transfer.service import ACTIONS, ImportRefused
from tests.conftest import publish
from tests.transfer.support import dry_run, run_import

pytestmark = pytest.mark.django_db
FILES = Path(__file__).parent / "files"


def db_state():
    """Everything an import could touch, as one comparable value."""
    rows = [
        list(Project.objects.order_by("pk").values_list()),
        list(EvaluationSheet.objects.order_by("pk").values_list()),
        list(CostRow.objects.order_by("pk").values_list()),
        list(StaffEffort.objects.order_by("pk").values_list()),
        list(OutcomeIndicator.objects.order_by("pk").values_list()),
        AuditEntry.objects.count(),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def content(name: str) -> bytes:
    return (FILES / name).read_bytes()


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("not_excel.xlsx", "Excelファイル（.xlsx）ではありません"),
        ("corrupted.xlsx", "壊れている"),
        ("password.xlsx", "パスワードで保護"),
        ("zipbomb.xlsx", "展開すると大きすぎます"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_as_a_whole(world, name, words):
    before = db_state()
    with pytest.raises(FileRefused) as refused:
        read_upload(content(name), name)
    assert words in refused.value.message
    assert db_state() == before


def test_a_file_over_10_mb_is_refused_before_it_is_read(world):
    data = b"PK\x03\x04" + b"\0" * (10 * 1024 * 1024)
    with pytest.raises(FileRefused) as refused:
        read_upload(data, "big.xlsx")
    assert "10 MB" in refused.value.message


def test_a_file_over_50000_rows_is_refused_from_its_dimension(world, tmp_path):
    book = Workbook(write_only=True)
    ws = book.create_sheet("事業費")
    ws.append(["団体コード", "事務事業コード", "実施年度", "年度", "区分"])
    for n in range(50_001):
        ws.append(["432067", "741-2", 2023, 2000 + n % 100, "決算"])
    path = tmp_path / "rows.xlsx"
    book.save(path)
    before = db_state()
    with pytest.raises(FileRefused) as refused:
        read_upload(path.read_bytes(), "rows.xlsx")
    assert "50,000行" in refused.value.message
    assert db_state() == before


def test_a_csv_over_50000_rows_is_refused_while_streaming(world):
    lines = ["団体コード,事務事業コード,実施年度,年度,区分"]
    lines += ["432067,741-2,2023,2022,決算"] * 50_001
    with pytest.raises(FileRefused) as refused:
        read_upload("\n".join(lines).encode(), "rows.csv")
    assert "50,000行" in refused.value.message


def problems_of(name, world):
    plan = dry_run(content(name), world["town"], name)
    return plan, [(p.sheet, p.row, p.column, p.message) for p in plan.problems]


def refused_without_change(name, world):
    before = db_state()
    _plan, problems = problems_of(name, world)
    assert problems
    with pytest.raises(ImportRefused):
        run_import(content(name), world["town"], name)
    assert db_state() == before
    return problems


def test_a_formula_is_refused_at_its_cell(world):
    problems = refused_without_change("formulas.xlsx", world)
    assert problems == [
        (
            "事業費",
            2,
            "一般財源（千円）",
            "数式は取り込めません。値に変換（コピーして値のみ貼り付け）してください。",
        )
    ]


def test_merged_cells_and_hidden_sheets_are_refused(world):
    problems = refused_without_change("merged.xlsx", world)
    assert problems[0][0] == "評価シート" and "E2:F2" in problems[0][3]
    problems = refused_without_change("hidden_sheet.xlsx", world)
    assert problems == [
        ("事業費", None, "", "非表示のシートです。表示してから取り込んでください。")
    ]


def test_a_missing_column_is_named(world):
    problems = refused_without_change("column_missing.xlsx", world)
    assert ("事業費", 1, "区分", "列「区分」がありません。") in problems


def test_values_out_of_range_are_refused_with_their_place(world):
    problems = refused_without_change("out_of_range.xlsx", world)
    places = {(sheet, row, column) for sheet, row, column, _message in problems}
    assert places == {
        ("事務事業", 2, "開始年度"),
        ("事業費", 2, "一般財源（千円）"),
        ("事業費", 3, "一般財源（千円）"),
        ("人工", 2, "職員人工数"),
    }
    messages = " ".join(p[3] for p in problems)
    assert "負の金額は入力できません" in messages and "99.99以下" in messages


def test_duplicate_keys_are_refused(world):
    problems = refused_without_change("duplicate_keys.xlsx", world)
    assert problems == [
        ("事業費", 4, "区分", "同じキーの行が2行目にもあります。1つにしてください。")
    ]


def test_another_municipalitys_file_is_refused(world):
    problems = refused_without_change("other_municipality.xlsx", world)
    assert all("他の団体（団体コード「142140」）のデータです" in p[3] for p in problems)
    assert len(problems) == 6  # every row of the file


def test_unknown_keys_are_errors_never_created(world):
    problems = refused_without_change("unknown_keys.xlsx", world)
    assert ("事務事業", 4, "課コード", "課コード「zz」の課が登録されていません。") in problems
    assert any(p[0] == "事業費" and "888-8" in p[3] for p in problems)
    assert not Project.objects.filter(code__in=["999-9", "888-8"]).exists()


def test_blank_rows_and_reordered_headers_import(world):
    for name in ("blank_rows.xlsx", "headers_reordered.xlsx"):
        plan = run_import(content(name), world["town"], name)
        assert plan.ok
        sheet = world["sheets"]["a"]
        assert sorted(sheet.cost_rows.values_list("fiscal_year", "general_revenue")) == [
            (2022, 355),
            (2023, 400),
        ]


def test_numbers_as_text_full_width_wareki_and_triangle_minus(world):
    plan = run_import(content("numbers_as_text.xlsx"), world["town"])
    assert plan.ok, plan.problems
    sheet = world["sheets"]["a"]
    costs = {(c.fiscal_year, c.kind): c for c in sheet.cost_rows.all()}
    assert costs[(2022, CostKind.SETTLED)].general_revenue == 1234
    assert costs[(2022, CostKind.SETTLED)].national_subsidy == 1000
    assert costs[(2023, CostKind.BUDGET)].general_revenue == 500
    assert costs[(2016, CostKind.SETTLED)].general_revenue == 12  # H28
    assert sheet.efforts.get().staff_fte == Decimal("0.5")
    indicator = sheet.outcome_indicators.get()
    assert (indicator.baseline, indicator.baseline_year) == (Decimal("-12"), 2016)
    value = OutcomeValue.objects.get(indicator=indicator)
    assert (value.fiscal_year, value.target, value.actual, value.actual_na) == (
        2023,
        Decimal("10"),
        None,
        True,
    )
    assert Project.objects.get(code="741-2").start_year == 2016


@pytest.mark.parametrize("name", ["costs_shift_jis.csv", "costs_utf8.csv"])
def test_a_single_table_as_csv_in_shift_jis_or_utf8(world, name):
    plan = run_import(content(name), world["town"], name)
    assert plan.ok
    assert [t for t, _c in plan.table_counts()] == ["事業費"]
    assert world["sheets"]["a"].cost_rows.get().general_revenue == 1234


def test_a_published_sheet_is_skipped_with_the_reason(world):
    publish(world["sheets"]["a"])
    before = list(CostRow.objects.filter(sheet=world["sheets"]["a"]).values_list())
    plan = run_import(content("numbers_as_text.xlsx"), world["town"])
    assert plan.ok
    assert plan.skipped == [
        ("741-2 定住自立圏構想事業（2023年度）", "公表済みのシートは取り込みで変更しません。")
    ]
    assert plan.counts["事業費"]["skipped"] == 3  # the file's 3 rows (1 update, 2 new)
    assert plan.counts["成果指標"] == {**dict.fromkeys(ACTIONS, 0), "skipped": 1}
    assert list(CostRow.objects.filter(sheet=world["sheets"]["a"]).values_list()) == before
