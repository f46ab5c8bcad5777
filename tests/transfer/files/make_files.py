"""Makes the bad-input files of tests/transfer/files/ (run once; the files are committed).

    .venv/bin/python tests/transfer/files/make_files.py

They are about the standing ``world`` of tests/conftest.py: 玉名市 (432067), 課 a and b,
projects 741-2 and 200-1 with their 令和5年度 sheets. ``password.xlsx`` is encrypted with
msoffcrypto-tool (not a dependency of the project: ``pip install msoffcrypto-tool`` in a
throw-away environment and run ``encrypt`` below with it). The files over 10 MB and over
50,000 rows are made by the tests themselves in a temporary directory (not committed).
"""

import io
import os
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from openpyxl import Workbook  # noqa: E402

from evalsheets.transfer import layout  # noqa: E402

TOWN = "432067"
SHEET = {"municipality": TOWN, "project": "741-2", "fiscal_year": "令和5年度"}


def project(code="741-2", name="定住自立圏構想事業", section="a", **more):
    return {
        "municipality": TOWN,
        "project": code,
        "name": name,
        "section": section,
        "active": "はい",
        **more,
    }


def cost(year="令和4年度", kind="決算", general="355", **more):
    return {**SHEET, "year": year, "kind": kind, "general_revenue": general, **more}


def effort(year="令和4年度", staff="0.45", part="0.02", **more):
    return {**SHEET, "year": year, "staff_fte": staff, "part_time_fte": part, **more}


def base_tables():
    return {
        "projects": [project(), project("200-1", "財政運営事業", "b")],
        "sheets": [{**SHEET, "author_name": "玉名 太郎", "purpose": "圏域の定住促進"}],
        "costs": [cost(), cost("令和5年度", "予算", "400")],
        "efforts": [effort()],
    }


def workbook(tables, order=None, drop=()):
    """An ordinary (not write-only) workbook of ``tables`` {name: [row dicts]}."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in tables.items():
        table = layout.BY_NAME[name]
        columns = [c for c in table.columns if c.header not in drop]
        if order and name in order:
            columns = sorted(
                columns, key=lambda c: order[name].index(c.key) if c.key in order[name] else 99
            )
        ws = book.create_sheet(table.title)
        ws.append([c.header for c in columns])
        for row in rows:
            ws.append([row.get(c.key, "") if row is not None else None for c in columns])
    return book


def save(book, name):
    book.save(HERE / name)


def encrypt(source: Path, target: Path, password="evalsheets"):
    from msoffcrypto.format.ooxml import OOXMLFile

    with source.open("rb") as plain, target.open("wb") as out:
        OOXMLFile(plain).encrypt(password, out)


def zip_bomb(target: Path, unpacked_mb=210):
    """A small .xlsx-named ZIP whose one part unpacks to ``unpacked_mb`` MB of spaces."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            block = b" " * (1 << 20)
            for _ in range(unpacked_mb):
                part.write(block)


def main():
    save(workbook(base_tables()), "valid.xlsx")
    (HERE / "not_excel.xlsx").write_text("これはExcelファイルではありません。\n", encoding="utf-8")
    buffer = io.BytesIO()
    workbook(base_tables()).save(buffer)
    data = buffer.getvalue()
    (HERE / "corrupted.xlsx").write_bytes(data[: len(data) // 2])
    zip_bomb(HERE / "zipbomb.xlsx")
    if len(sys.argv) > 1 and sys.argv[1] == "--encrypt":
        encrypt(HERE / "valid.xlsx", HERE / "password.xlsx")

    book = workbook(base_tables())
    book["事業費"]["K2"] = "=100+255"
    save(book, "formulas.xlsx")

    book = workbook(base_tables())
    book["評価シート"].merge_cells("E2:F2")
    save(book, "merged.xlsx")

    book = workbook(base_tables())
    book["事業費"].sheet_state = "hidden"
    save(book, "hidden_sheet.xlsx")

    tables = base_tables()
    tables["costs"] = [None, cost(), None, None, cost("令和5年度", "予算", "400"), None]
    save(workbook(tables), "blank_rows.xlsx")

    order = {"costs": ["general_revenue", "kind", "year", "fiscal_year", "project", "municipality"]}
    save(workbook(base_tables(), order=order), "headers_reordered.xlsx")
    save(workbook(base_tables(), drop=("区分",)), "column_missing.xlsx")

    tables = base_tables()
    tables["costs"] = [
        cost("R4", "決算", "１，２３４", national_subsidy="1,000"),
        cost("令和5年度", "予算", "  ５００ "),
        cost("H28", "決算", "12"),
    ]
    tables["efforts"] = [effort("令和４年度", "０．５", "0.25")]
    tables["outcomes"] = [
        {
            **SHEET,
            "ind_no": "1",
            "ind_order": "1",
            "ind_name": "転入者数の増減",
            "unit": "人",
            "baseline": "△12",
            "baseline_year": "H28",
            "year": "R5",
            "target": "１０",
            "actual": "***",
        },
    ]
    tables["projects"][0]["start_year"] = "平成28年度"
    save(workbook(tables), "numbers_as_text.xlsx")

    tables = base_tables()
    tables["costs"] = [cost(general="△100"), cost("令和5年度", "予算", "1000000000000")]
    tables["efforts"] = [effort(staff="100.5")]
    tables["projects"][0]["start_year"] = "1700"
    save(workbook(tables), "out_of_range.xlsx")

    tables = base_tables()
    tables["costs"].append(cost(general="999"))
    save(workbook(tables), "duplicate_keys.xlsx")

    tables = base_tables()
    for rows in tables.values():
        for row in rows:
            row["municipality"] = "142140"
    save(workbook(tables), "other_municipality.xlsx")

    tables = base_tables()
    tables["projects"].append(project("999-9", "新しい事業", "zz"))
    tables["costs"].append({**cost(), "project": "888-8"})
    save(workbook(tables), "unknown_keys.xlsx")

    header = ",".join(c.header for c in layout.COSTS.columns)
    lines = [header, f"{TOWN},741-2,令和5年度,令和4年度,決算,0,0,0,0,0,1234,"]
    text = "\r\n".join(lines) + "\r\n"
    (HERE / "costs_shift_jis.csv").write_bytes(text.encode("cp932"))
    (HERE / "costs_utf8.csv").write_bytes(text.encode("utf-8-sig"))


if __name__ == "__main__":
    main()
