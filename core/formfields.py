"""Form fields for numbers and texts as municipal staff type them.

Numbers go through :mod:`core.normalize`: full-width digits, commas and a
trailing unit are accepted (``１２，３４５千円`` → 12345); anything else is a
field error in Japanese, never a silent 0. Inputs are text inputs with
``inputmode`` (a ``type=number`` input would refuse full-width digits in the
browser before the server could accept them).

``allow_na`` fields also accept the paper forms' "***" (not applicable that year) and
return :data:`NOT_APPLICABLE`, which the caller stores as ``*_na``, never as 0.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.normalize import is_not_applicable, parse_decimal, parse_integer


class _NotApplicable:
    """The "***" of a yearly figure: distinct from None (blank) and from 0."""

    def __repr__(self):
        return "NOT_APPLICABLE"

    def __bool__(self):
        return True


NOT_APPLICABLE = _NotApplicable()
NA_TEXT = "***"


def format_number(value) -> str:
    """The text an input shows for a stored number: 12345 → "12,345", 0.75 → "0.75"."""
    if value is None:
        return ""
    if value is NOT_APPLICABLE:
        return NA_TEXT
    if isinstance(value, Decimal):
        value = value.normalize()
        if value == value.to_integral_value():
            return f"{int(value):,}"
        return f"{value:,f}"
    return f"{int(value):,}"


class NumberInput(forms.TextInput):
    """A text input for numbers: right-aligned, numeric keyboard on tablets."""

    def __init__(self, attrs=None, *, decimal=False):
        base = {"inputmode": "decimal" if decimal else "numeric", "class": "num"}
        base.update(attrs or {})
        super().__init__(base)

    def render(self, name, value, attrs=None, renderer=None):
        """The markup of Django's input.html, built in Python: an entry form has a hundred
        or more of these, and the template renderer's cost adds up (docs/performance.md)."""
        widget = self.get_context(name, value, attrs)["widget"]
        value_attr = "" if widget["value"] is None else format_html(' value="{}"', widget["value"])
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            widget["type"],
            widget["name"],
            value_attr,
            flatatt(widget["attrs"]),
        )


class _JapaneseNumberField(forms.Field):
    default_error_messages = {
        "required": _("入力してください。"),
        "min_value": _("%(limit)s以上で入力してください。"),
        "max_value": _("%(limit)s以下で入力してください。"),
        "na_not_allowed": _("この欄に「***」（該当なし）は入力できません。"),
    }

    def __init__(self, *, min_value=None, max_value=None, allow_na=False, grouping=True, **kwargs):
        self.grouping = grouping
        self.min_value = min_value
        self.max_value = max_value
        self.allow_na = allow_na
        kwargs.setdefault("widget", NumberInput(decimal=self.decimal))
        super().__init__(**kwargs)

    decimal = False

    def parse(self, text):  # pragma: no cover - subclasses
        raise NotImplementedError

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if is_not_applicable(value):
            if not self.allow_na:
                raise ValidationError(self.error_messages["na_not_allowed"], code="na")
            return NOT_APPLICABLE
        return self.parse(value)

    def validate(self, value):
        super().validate(value)
        if value is None or value is NOT_APPLICABLE:
            return
        if self.min_value is not None and value < self.min_value:
            raise ValidationError(
                self.error_messages["min_value"],
                code="min_value",
                params={"limit": self._limit(self.min_value)},
            )
        if self.max_value is not None and value > self.max_value:
            raise ValidationError(
                self.error_messages["max_value"],
                code="max_value",
                params={"limit": self._limit(self.max_value)},
            )

    def _limit(self, value) -> str:
        """A bound as the message writes it: 999,999,999,999; a year without a separator."""
        return str(value) if isinstance(value, int) and not self.grouping else format_number(value)

    def prepare_value(self, value):
        if isinstance(value, int) and not self.grouping:
            return str(value)  # a year: 2020, not 2,020
        if isinstance(value, int | Decimal) or value is NOT_APPLICABLE:
            return format_number(value)
        return value

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != self.to_python(initial)
        except ValidationError:
            return True


class JapaneseIntegerField(_JapaneseNumberField):
    """Whole numbers (money in 千円, counts): ``１２，３４５`` → 12345."""

    def parse(self, text):
        return parse_integer(text)


class JapaneseDecimalField(_JapaneseNumberField):
    """Decimals (人工, indicator figures): ``０．７５人`` → Decimal("0.75").

    Without explicit bounds a value is what the column holds, of either sign
    (``max_digits=14, decimal_places=2``: ±999,999,999,999.99).
    """

    decimal = True

    def __init__(self, *, decimal_places=2, max_digits=14, fixed_places=False, **kwargs):
        self.decimal_places = decimal_places
        self.max_digits = max_digits
        # 人工 are printed with their two places (0.50, 1.00), as on the paper form.
        self.fixed_places = fixed_places
        if kwargs.get("max_value") is None:
            kwargs["max_value"] = Decimal(10) ** (max_digits - decimal_places) - Decimal(1).scaleb(
                -decimal_places
            )
        if kwargs.get("min_value") is None:
            kwargs["min_value"] = -kwargs["max_value"]
        super().__init__(**kwargs)

    def parse(self, text):
        return parse_decimal(text, max_places=self.decimal_places)

    def prepare_value(self, value):
        if self.fixed_places and isinstance(value, int | Decimal) and not isinstance(value, bool):
            return f"{Decimal(value).quantize(Decimal(1).scaleb(-self.decimal_places)):,f}"
        return super().prepare_value(value)


class JapaneseTextField(forms.CharField):
    """A text with a length limit and a Japanese message (line breaks kept)."""

    default_error_messages = {
        "required": _("入力してください。"),
        "max_length": _("%(limit_value)s文字以内で入力してください（現在%(show_value)s文字）。"),
    }

    def __init__(self, *, max_length, multiline=False, rows=4, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", False)
        if multiline:
            kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows}))
        super().__init__(max_length=max_length, **kwargs)
        # The browser would silently cut a paste at maxlength: let the server say why instead.
        self.widget.attrs.pop("maxlength", None)
        self.widget.attrs["data-maxlength"] = str(max_length)

    def to_python(self, value):
        value = super().to_python(value)
        # Browsers send CRLF; count and store a line break as one character.
        return value.replace("\r\n", "\n") if isinstance(value, str) else value
