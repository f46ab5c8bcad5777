"""The fourth 様式 (大船渡市), defined by a file under fixtures/layouts/ only: its generated
PDF carries every label of the definition and every figure and text of its demo sheets,
with IPAex as the only font."""

from pathlib import Path

import pytest
import yaml

from evalsheets.models import EvaluationSheet
from tests.support.pdf import embedded_fonts, flat, missing_glyphs, only_ipaex, pdf_text, render_pdf

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = yaml.safe_load((ROOT / "fixtures" / "ofunato.yaml").read_text())
DEFINITION = yaml.safe_load((ROOT / "fixtures" / "layouts" / "ofunato_hyoka.yaml").read_text())


def _grouped(value) -> str:
    number = float(value)
    return f"{int(number):,}" if number == int(number) else f"{number:,}"


@pytest.fixture
def printed(demo_data):
    result = {}
    for data in FIXTURE["sheets"]:
        sheet = EvaluationSheet.objects.get(
            project__code=data["project"], fiscal_year=data["fiscal_year"]
        )
        rendered = render_pdf(sheet)
        result[data["project"]] = (data, rendered, pdf_text(rendered.pdf))
    return result


def test_every_label_of_the_definition_is_printed(printed):
    labels = [DEFINITION["title"]]
    labels += [s["heading"] for s in DEFINITION["sections"]]
    labels += [f["label"] for f in DEFINITION["fields"] if isinstance(f, dict) and "label" in f]
    labels += [e["label"] for e in DEFINITION["extra_fields"]]
    labels += [r["label"] for r in DEFINITION["costs"]["rows"]]
    labels += [d["label"] for d in DEFINITION["directions"]]
    labels += ["令和2年度", "令和7年度", "事業費計(A)", "大船渡市", "政策", "施策", "基本事業"]
    for _code, (_data, _rendered, text) in printed.items():
        compact = flat(text)
        for label in labels:
            assert flat(label) in compact, label


def test_every_figure_and_text_of_the_demo_sheets_is_printed(printed):
    for code, (data, rendered, text) in printed.items():
        compact = flat(text)
        assert rendered.pages >= 1
        for value in data["text"].values():
            for line in value.splitlines():
                assert flat(line) in compact, (code, line)
        for name in ("unit_name", "category", "result", "section_comment"):
            assert flat(data["extra"][name]) in compact, (code, name)
        for name in ("staff_count", "work_hours", "personnel_cost", "total_cost"):
            for number in data["extra"][name].values():
                assert _grouped(number) in text, (code, name, number)
        for number in data["printed_totals"].values():
            assert _grouped(number) in text, (code, "事業費計", number)
        for indicator in data["outcome_indicators"]:
            assert flat(indicator["name"]) in compact, (code, indicator["name"])
            for value in indicator["values"]:
                figure = value.get("actual", value.get("target"))
                assert _grouped(figure) in text, (code, indicator["name"], figure)
        for line in data["review"]["remarks"].splitlines():
            assert flat(line) in compact, (code, "課長", line)
        assert flat(data["review"]["reviewer_name"]) in compact
        assert flat(data["author_name"]) in compact


def test_only_ipaex_and_no_missing_glyph(printed):
    for code, (_data, rendered, text) in printed.items():
        assert only_ipaex(embedded_fonts(rendered.pdf)), code
        assert not missing_glyphs(text), code
