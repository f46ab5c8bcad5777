"""Form fields for numbers and texts as staff type them (core/formfields.py)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.formfields import (
    NOT_APPLICABLE,
    JapaneseDecimalField,
    JapaneseIntegerField,
    JapaneseTextField,
    format_number,
)


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("１２，３４５", 12345),
        ("12,345", 12345),
        ("2,068千円", 2068),
        ("  ４５０ ", 450),
        ("0", 0),
        ("", None),
    ],
)
def test_integer_accepts_what_staff_type(typed, value):
    assert JapaneseIntegerField(required=False, min_value=0).clean(typed) == value


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "数値で入力してください"),
        ("12a", "数値で入力してください"),
        ("1,23", "数値で入力してください"),
        ("12.5", "整数で入力してください"),
        ("-1", "0以上で入力してください"),
        ("△100", "0以上で入力してください"),
        ("***", "「***」（該当なし）は入力できません"),
    ],
)
def test_integer_rejects_with_japanese_message(typed, message):
    with pytest.raises(ValidationError) as info:
        JapaneseIntegerField(required=False, min_value=0).clean(typed)
    assert message in " ".join(info.value.messages)


def test_decimal_fte_range_and_places():
    field = JapaneseDecimalField(
        required=False,
        min_value=Decimal(0),
        max_value=Decimal("99.99"),
        decimal_places=2,
        max_digits=4,
    )
    assert field.clean("０．７５") == Decimal("0.75")
    assert field.clean("0.75人") == Decimal("0.75")
    assert field.clean("99.99") == Decimal("99.99")
    for typed, message in (("100", "99.99以下"), ("0.755", "2桁まで"), ("-0.1", "0以上")):
        with pytest.raises(ValidationError) as info:
            field.clean(typed)
        assert message in " ".join(info.value.messages)


def test_not_applicable_is_not_zero():
    field = JapaneseDecimalField(required=False, allow_na=True)
    assert field.clean("***") is NOT_APPLICABLE
    assert field.clean("＊＊＊") is NOT_APPLICABLE
    assert field.clean("0") == Decimal(0)
    assert field.clean("") is None
    assert format_number(NOT_APPLICABLE) == "***"


def test_text_limit_message_and_line_breaks():
    field = JapaneseTextField(max_length=10, multiline=True)
    assert field.clean("一行目\r\n二行目") == "一行目\n二行目"
    assert field.clean("　全角空白で始まる") == "　全角空白で始まる"
    with pytest.raises(ValidationError) as info:
        field.clean("あ" * 11)
    assert info.value.messages == ["10文字以内で入力してください（現在11文字）。"]
