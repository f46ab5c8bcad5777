"""全国地方公共団体コード: five digits plus a check digit (modulus 11, weights 6..2)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

WEIGHTS = (6, 5, 4, 3, 2)


def check_digit(first_five: str) -> int:
    total = sum(int(d) * w for d, w in zip(first_five, WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def validate_local_government_code(value: str) -> None:
    if not (isinstance(value, str) and len(value) == 6 and value.isascii() and value.isdigit()):
        raise ValidationError(
            _("全国地方公共団体コードは半角数字6桁で入力してください。"), code="format"
        )
    if check_digit(value[:5]) != int(value[5]):
        raise ValidationError(
            _("全国地方公共団体コード「%(code)s」の検査数字が正しくありません。"),
            code="check_digit",
            params={"code": value},
        )
