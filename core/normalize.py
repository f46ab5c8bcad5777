"""Numbers as municipal staff type them: full-width digits, commas, a trailing unit.

``１２，３４５`` → 12345, ``2,068千円`` → 2068, ``0.75人`` → 0.75, ``△100`` → −100
(△/▲ is the accounting minus sign). Anything else is a ValidationError with a
Japanese message, never a silent 0.
"""

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

UNITS = ("千円", "円", "人工", "人", "件", "回", "団体", "種類", "%", "km2", "km²", "世帯")
NOT_APPLICABLE = {"***", "＊＊＊", "－", "-", "ー"}

_NUMBER_RE = re.compile(r"^(?P<sign>[-+]?)(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?$")


def halfwidth(text) -> str:
    """Text as typed on a Japanese keyboard, in the form the code compares: full-width
    letters, digits and signs to ASCII (NFKC: ７４１－２ → 741-2, １２，３４５ → 12,345), the
    minus sign U+2212 (which NFKC keeps) to "-", surrounding spaces trimmed. Every input
    that is parsed or searched goes through here."""
    return (
        unicodedata.normalize("NFKC", "" if text is None else str(text))
        .strip()
        .replace("\u2212", "-")
    )


def _normalise(text: str) -> str:
    value = halfwidth(text)
    value = value.replace("、", ",").replace(" ", "")
    if value[:1] in ("△", "▲"):
        value = "-" + value[1:]
    for unit in UNITS:
        if value.endswith(unit) and len(value) > len(unit):
            value = value[: -len(unit)]
            break
    return value


def is_not_applicable(text) -> bool:
    """The paper forms' "***": a value that does not apply that year (distinct from 0)."""
    return str(text).strip() in NOT_APPLICABLE


def parse_decimal(text, *, max_places: int | None = None) -> Decimal | None:
    """Parse a typed number; '' → None. Raises ValidationError with a Japanese message."""
    if text is None:
        return None
    if isinstance(text, int | Decimal):
        return Decimal(text)
    if isinstance(text, float):
        return Decimal(str(text))
    value = _normalise(text)
    if value == "":
        return None
    match = _NUMBER_RE.match(value)
    if not match:
        raise ValidationError(
            _("数値で入力してください（例：12,345 または 0.75）。"), code="invalid_number"
        )
    try:
        number = Decimal(value.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards
        raise ValidationError(_("数値で入力してください。"), code="invalid_number") from exc
    frac = match.group("frac")
    if max_places is not None and frac and len(frac) - 1 > max_places:
        raise ValidationError(
            _("小数点以下は%(places)s桁までで入力してください。"),
            code="too_many_places",
            params={"places": max_places},
        )
    return number


def parse_integer(text) -> int | None:
    number = parse_decimal(text)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ValidationError(_("整数で入力してください。"), code="not_integer")
    return int(number)
