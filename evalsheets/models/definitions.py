"""Installed 様式 definitions: each version of a layout's YAML as it was installed, and the
fiscal year from which it applies (``manage.py load_sheet_form``)."""

import hashlib

from django.db import DatabaseError, models, transaction
from django.db.models import Max
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from core.errors import ServiceError
from evalsheets.layouts import SheetLayout, built_in_layouts, refresh_installed
from evalsheets.layouts.definition import parse
from evalsheets.layouts.yaml_reading import MAX_BYTES
from evalsheets.models.sheet import EvaluationSheet


class SheetLayoutDefinition(models.Model):
    key = models.CharField(_("様式キー"), max_length=30)
    version = models.PositiveIntegerField(_("版"))
    valid_from = models.PositiveIntegerField(
        _("適用開始年度"), null=True, blank=True, help_text=_("この年度以降のシートに適用します。")
    )
    source = models.TextField(_("定義（YAML）"))
    sha256 = models.CharField(max_length=64)
    installed_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    installed_by = models.CharField(_("登録者"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("様式定義")
        verbose_name_plural = _("様式定義")
        ordering = ["key", "version"]
        constraints = [
            # The installer refuses a file over MAX_BYTES before reading it; so does the
            # database, whatever writes the row.
            models.CheckConstraint(
                condition=models.Q(LessThanOrEqual(Length("source"), MAX_BYTES)),
                name="%(app_label)s_%(class)s_source_length",
                violation_error_message=_("様式定義は1,000,000文字までです。"),
            ),
            models.UniqueConstraint(
                fields=["key", "version"],
                name="%(app_label)s_%(class)s_unique_version",
                violation_error_message=_("この様式のこの版は既に登録されています。"),
            ),
        ]

    def __str__(self):
        return f"{self.key} 第{self.version}版"

    def layout(self) -> SheetLayout:
        return parse(self.source)


def installed_versions() -> list[tuple[SheetLayout, int | None]]:
    """Every installed version, parsed (the registry's source; empty before migrate)."""
    try:
        rows = list(SheetLayoutDefinition.objects.order_by("key", "version"))
    except DatabaseError:
        return []
    return [(row.layout(), row.valid_from) for row in rows]


# Emptiness of a stored value, per kind of sheet field (what "holds data" means).
def _holds(value) -> bool:
    return value not in (None, "", [], {})


def sheets_using(key: str):
    return EvaluationSheet.objects.filter(project__municipality__sheet_layout=key)


def fields_in_use(key: str, old: SheetLayout, new: SheetLayout) -> dict[str, int]:
    """The fields (and viewpoints) ``old`` has, ``new`` drops and sheets hold data in:
    {label: number of sheets}."""
    sheets = list(sheets_using(key).prefetch_related("assessments"))
    lost = {}
    for name in sorted(set(old.fields) - set(new.fields)):
        if old.extra_field(name) is not None:
            count = sum(1 for s in sheets if _holds((s.extra or {}).get(name)))
        else:
            count = sum(1 for s in sheets if _holds(getattr(s, name, None)))
        if count:
            lost[old.label(name, name)] = count
    for viewpoint in old.viewpoints:
        if new.viewpoint(viewpoint.code) is None:
            count = sum(
                1
                for s in sheets
                if any(
                    a.viewpoint == viewpoint.code and (a.choice or a.reason)
                    for a in s.assessments.all()
                )
            )
            if count:
                lost[f"{viewpoint.group} {viewpoint.label}".strip()] = count
    return lost


class DefinitionRefused(ServiceError):
    """A valid definition that may not be installed as it is (it would lose data)."""


def install_definition(
    text: str, *, installed_by: str = "", valid_from: int | None = None
) -> tuple[SheetLayoutDefinition, bool]:
    """Install (or update) a 様式 from its YAML: (row, created). Nothing is stored when the
    definition is invalid (DefinitionError) or would drop a field that holds data
    (DefinitionRefused). A new version of a layout in use applies from the fiscal year after
    the latest sheet written in it, so that existing sheets keep their layout."""
    layout = parse(text)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with transaction.atomic():
        rows = SheetLayoutDefinition.objects.select_for_update().filter(key=layout.key)
        same = rows.filter(sha256=digest).first()
        if same is not None:
            return same, False
        latest = rows.order_by("-version").first()
        current = latest.layout() if latest else built_in_layouts().get(layout.key)
        if latest is not None and layout.version <= latest.version:
            raise DefinitionRefused(
                f"様式「{layout.key}」は第{latest.version}版まで登録されています。"
                f"version を{latest.version + 1}以上にしてください。"
            )
        if current is not None:
            lost = fields_in_use(layout.key, current, layout)
            if lost:
                listed = "、".join(f"{label}（{count}件）" for label, count in lost.items())
                raise DefinitionRefused(
                    f"この様式のシートに入力済みの項目がなくなります: {listed}。"
                    "項目を残すか、入力済みの内容を消してから登録してください。"
                )
            if valid_from is None:
                last_year = sheets_using(layout.key).aggregate(y=Max("fiscal_year"))["y"]
                valid_from = last_year + 1 if last_year is not None else None
        row = SheetLayoutDefinition.objects.create(
            key=layout.key,
            version=layout.version,
            valid_from=valid_from,
            source=text,
            sha256=digest,
            installed_by=installed_by,
        )
    transaction.on_commit(refresh_installed)
    refresh_installed()
    return row, True
