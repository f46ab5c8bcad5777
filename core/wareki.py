"""和暦 ⇄ Western years, in the forms the source documents use.

Fiscal years (年度) run April–March and are stored as the Western year in which
they start. A fiscal year is named after the era in force on 1 May of that year,
so 2019 is 令和元年度 and 1989 is 平成元年度, as the municipalities write them.
"""

import datetime
import itertools
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.normalize import halfwidth

# (name, letter, first day of the era)
ERAS = (
    ("令和", "R", datetime.date(2019, 5, 1)),
    ("平成", "H", datetime.date(1989, 1, 8)),
    ("昭和", "S", datetime.date(1926, 12, 25)),
    ("大正", "T", datetime.date(1912, 7, 30)),
    ("明治", "M", datetime.date(1868, 10, 23)),
)
_BY_NAME = {name: start for name, _letter, start in ERAS}
_BY_LETTER = {letter: start for _name, letter, start in ERAS}
# The last year number of each ended era (平成31年, 昭和64年): 平成99年度 does not exist.
_LAST_YEAR_OF = {
    start: following.year - start.year + 1
    for (_n, _l, following), (_name, _letter, start) in itertools.pairwise(ERAS)
}


def _era_on(day: datetime.date):
    for name, letter, start in ERAS:
        if day >= start:
            return name, letter, start
    raise ValueError(f"{day} is before 明治")


def era_year(year: int) -> tuple[str, str, int]:
    """(era name, era letter, year of era) of a fiscal year."""
    name, letter, start = _era_on(datetime.date(year, 5, 1))
    return name, letter, year - start.year + 1


def fiscal_year_label(year: int, *, pad: bool = False, gannen: bool = True) -> str:
    """2023 → 令和5年度 (pad: 令和05年度); 2019 → 令和元年度."""
    name, _letter, n = era_year(year)
    if n == 1 and gannen and not pad:
        number = "元"
    else:
        number = f"{n:02d}" if pad else str(n)
    return f"{name}{number}年度"


def fiscal_year_short(year: int, *, pad: bool = True) -> str:
    """2023 → R05 (pad=False: R5); 2016 → H28."""
    _name, letter, n = era_year(year)
    return f"{letter}{n:02d}" if pad else f"{letter}{n}"


def wareki_date(day: datetime.date, *, with_day: bool = True) -> str:
    """2023-10-01 → 令和5年10月1日 (with_day=False: 令和5年10月)."""
    name, _letter, start = _era_on(day)
    n = day.year - start.year + 1
    number = "元" if n == 1 else str(n)
    text = f"{name}{number}年{day.month}月"
    return f"{text}{day.day}日" if with_day else text


def wareki_datetime(moment: datetime.datetime) -> str:
    """A moment as the pages show it: 令和6年11月29日 18:43 (local time, Asia/Tokyo)."""

    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{wareki_date(moment.date())} {moment:%H:%M}"


def _to_ascii(text: str) -> str:
    return halfwidth(text)


_FISCAL_RE = re.compile(
    r"^(?:(?P<name>令和|平成|昭和|大正|明治)|(?P<letter>[RHSTMrhstm]))\s*"
    r"(?P<n>元|\d{1,2})\s*(?:年度?)?$"
)
_WESTERN_RE = re.compile(r"^(?P<y>\d{4})\s*(?:年度?)?$")
_DATE_RE = re.compile(
    r"^(?:(?P<name>令和|平成|昭和|大正|明治)|(?P<letter>[RHSTMrhstm]))\s*"
    r"(?P<n>元|\d{1,2})\s*[年./-]\s*(?P<m>\d{1,2})\s*月?"
    r"(?:\s*[./-]?\s*(?P<d>\d{1,2})\s*日?)?$"
)


def _era_start(match) -> datetime.date:
    if match.group("name"):
        return _BY_NAME[match.group("name")]
    return _BY_LETTER[match.group("letter").upper()]


def _number(text: str) -> int:
    return 1 if text == "元" else int(text)


def parse_fiscal_year(text) -> int:
    """'R05', 'R5', '令和5年度', '令和05年度', '令和元年度', 'H28', '昭和44年度', '2023' → year."""
    value = _to_ascii(text)
    match = _FISCAL_RE.match(value)
    if match:
        n = _number(match.group("n"))
        start = _era_start(match)
        if n < 1 or n > _LAST_YEAR_OF.get(start, n):
            raise ValidationError(_("年度の数字が正しくありません。"), code="invalid_year")
        return start.year + n - 1
    match = _WESTERN_RE.match(value)
    if match:
        return int(match.group("y"))
    raise ValidationError(
        _("年度は「令和5年度」「R05」「2023」のように入力してください。"), code="invalid_year"
    )


def parse_wareki_date(text) -> datetime.date:
    """'令和5年10月' → 2023-10-01; '令和5年10月1日', 'R5.10.1' → 2023-10-01."""
    value = _to_ascii(text)
    match = _DATE_RE.match(value)
    if not match:
        raise ValidationError(
            _("日付は「令和5年10月1日」のように入力してください。"), code="invalid_date"
        )
    year = _era_start(match).year + _number(match.group("n")) - 1
    try:
        return datetime.date(year, int(match.group("m")), int(match.group("d") or 1))
    except ValueError as exc:
        raise ValidationError(_("存在しない日付です。"), code="invalid_date") from exc
