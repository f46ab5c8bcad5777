"""和暦 and the input helpers."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core import normalize, wareki


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("R05", 2023),
        ("R5", 2023),
        ("令和5年度", 2023),
        ("令和05年度", 2023),
        ("令和元年度", 2019),
        ("R02", 2020),
        ("H28", 2016),
        ("h28", 2016),
        ("平成28年度", 2016),
        ("昭和44年度", 1969),
        ("S44", 1969),
        ("平成元年度", 1989),
        ("2023", 2023),
        ("２０２３年度", 2023),
        ("令和５年度", 2023),
        ("Ｒ０５", 2023),
        ("R4 年度", 2022),
    ],
)
def test_parse_fiscal_year(text, year):
    assert wareki.parse_fiscal_year(text) == year


@pytest.mark.parametrize("text", ["", "令和", "X05", "令和5年5月", "R0", "abc", "R123"])
def test_parse_fiscal_year_rejects(text):
    with pytest.raises(ValidationError) as exc:
        wareki.parse_fiscal_year(text)
    assert "年度" in exc.value.messages[0] or "数字" in exc.value.messages[0]


@pytest.mark.parametrize(
    ("year", "label", "padded", "short"),
    [
        (2023, "令和5年度", "令和05年度", "R05"),
        (2022, "令和4年度", "令和04年度", "R04"),
        (2019, "令和元年度", "令和01年度", "R01"),
        (2018, "平成30年度", "平成30年度", "H30"),
        (2016, "平成28年度", "平成28年度", "H28"),
        (1989, "平成元年度", "平成01年度", "H01"),
        (1969, "昭和44年度", "昭和44年度", "S44"),
    ],
)
def test_fiscal_year_labels(year, label, padded, short):
    assert wareki.fiscal_year_label(year) == label
    assert wareki.fiscal_year_label(year, pad=True) == padded
    assert wareki.fiscal_year_short(year) == short


def test_labels_round_trip():
    for year in range(1927, 2040):
        assert wareki.parse_fiscal_year(wareki.fiscal_year_label(year)) == year
        assert wareki.parse_fiscal_year(wareki.fiscal_year_short(year)) == year


def test_wareki_dates():
    assert wareki.parse_wareki_date("令和5年10月") == datetime.date(2023, 10, 1)
    assert wareki.parse_wareki_date("令和5年10月1日") == datetime.date(2023, 10, 1)
    assert wareki.parse_wareki_date("R5.10.1") == datetime.date(2023, 10, 1)
    assert wareki.parse_wareki_date("令和元年5月1日") == datetime.date(2019, 5, 1)
    assert wareki.wareki_date(datetime.date(2023, 10, 1)) == "令和5年10月1日"
    assert wareki.wareki_date(datetime.date(2023, 10, 1), with_day=False) == "令和5年10月"
    assert wareki.wareki_date(datetime.date(2019, 4, 30)) == "平成31年4月30日"
    assert wareki.wareki_date(datetime.date(2019, 5, 1)) == "令和元年5月1日"
    with pytest.raises(ValidationError):
        wareki.parse_wareki_date("令和5年13月")
    with pytest.raises(ValidationError):
        wareki.parse_wareki_date("5年10月")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("１２，３４５", Decimal("12345")),
        ("12,345", Decimal("12345")),
        ("2,068千円", Decimal("2068")),
        ("2068 千円", Decimal("2068")),
        ("0.75", Decimal("0.75")),
        ("０．７５人", Decimal("0.75")),
        ("47件", Decimal("47")),
        ("20.1%", Decimal("20.1")),
        ("２０．１％", Decimal("20.1")),
        ("△100", Decimal("-100")),
        ("101,381人", Decimal("101381")),
        ("  5,476 ", Decimal("5476")),
        ("3団体", Decimal("3")),
        ("", None),
        ("  ", None),
    ],
)
def test_parse_decimal_accepts(text, value):
    assert normalize.parse_decimal(text) == value


@pytest.mark.parametrize(
    "text", ["abc", "12,34", "1,2345", "12a", "1.2.3", "千円", "１２万", "--5", "5-", "1,000,00"]
)
def test_parse_decimal_rejects_with_japanese_message(text):
    with pytest.raises(ValidationError) as exc:
        normalize.parse_decimal(text)
    assert exc.value.messages == ["数値で入力してください（例：12,345 または 0.75）。"]


def test_parse_integer_and_places():
    assert normalize.parse_integer("１，９５０") == 1950
    with pytest.raises(ValidationError) as exc:
        normalize.parse_integer("12.5")
    assert exc.value.messages == ["整数で入力してください。"]
    with pytest.raises(ValidationError) as exc:
        normalize.parse_decimal("0.755", max_places=2)
    assert "2桁" in exc.value.messages[0]


def test_not_applicable_marker():
    assert normalize.is_not_applicable("***")
    assert normalize.is_not_applicable("＊＊＊")
    assert not normalize.is_not_applicable("0")
