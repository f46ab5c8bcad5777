"""django-import-export resources for master data, keyed by natural keys (codes), not ids.

Large files of flat master data (団体, 部, 課) are imported in short batches
(core.batched_import), so that others can write meanwhile.

A related row is looked up by its code or name *within the row's municipality*
(column ``municipality`` = 全国地方公共団体コード), so a file never carries
database ids and cannot point into another municipality.
"""

from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from core.batched_import import BatchedImport
from municipalities.models import Department, Municipality, Plan, PlanNode, Section


class ScopedForeignKeyWidget(ForeignKeyWidget):
    """Look a related row up by ``field`` among the rows of the row's municipality."""

    municipality_lookup = "municipality__code"

    def get_queryset(self, value, row, *args, **kwargs):
        return self.model.objects.filter(**{self.municipality_lookup: row.get("municipality")})


class PlanNodeWidget(ScopedForeignKeyWidget):
    municipality_lookup = "plan__municipality__code"

    def get_queryset(self, value, row, *args, **kwargs):
        qs = super().get_queryset(value, row, *args, **kwargs)
        if row.get("plan"):
            qs = qs.filter(plan__name=row["plan"])
        return qs


MUNICIPALITY = fields.Field(
    column_name="municipality",
    attribute="municipality",
    widget=ForeignKeyWidget(Municipality, field="code"),
)


class MunicipalityResource(BatchedImport, resources.ModelResource):
    class Meta:
        model = Municipality
        import_id_fields = ("code",)
        fields = (
            "code",
            "name",
            "kind",
            "designated_city",
            "prefecture",
            "population",
            "households",
            "area",
            "stats_date",
            "sheet_layout",
        )
        skip_unchanged = True
        clean_model_instances = True


class DepartmentResource(BatchedImport, resources.ModelResource):
    municipality = MUNICIPALITY

    class Meta:
        model = Department
        import_id_fields = ("municipality", "name")
        fields = ("municipality", "name", "head_name", "sort_order")
        skip_unchanged = True
        clean_model_instances = True


class SectionResource(BatchedImport, resources.ModelResource):
    municipality = MUNICIPALITY
    department = fields.Field(
        column_name="department",
        attribute="department",
        widget=ScopedForeignKeyWidget(Department, field="name"),
    )

    class Meta:
        model = Section
        import_id_fields = ("municipality", "code")
        fields = ("municipality", "code", "name", "department", "chief_name", "sort_order")
        skip_unchanged = True
        clean_model_instances = True


class PlanNodeResource(resources.ModelResource):
    """Columns: municipality, plan (name), parent_path (empty for a root), code, name, …

    One transaction, not batches (core.batched_import): a row's parent may be a row
    of the same file, which a rolled-back batch of the preview would not keep.
    """

    municipality = fields.Field(
        column_name="municipality", attribute="plan__municipality__code", readonly=True
    )
    plan = fields.Field(
        column_name="plan", attribute="plan", widget=ScopedForeignKeyWidget(Plan, field="name")
    )
    parent = fields.Field(
        column_name="parent_path", attribute="parent", widget=PlanNodeWidget(PlanNode, field="path")
    )
    path = fields.Field(column_name="path", attribute="path")

    class Meta:
        model = PlanNode
        import_id_fields = ("plan", "path")
        fields = (
            "municipality",
            "plan",
            "parent",
            "path",
            "code",
            "name",
            "priority",
            "description",
            "sort_order",
        )
        skip_unchanged = True
        clean_model_instances = True

    def before_import(self, dataset, **kwargs):
        # The path is derived from the parent's path and the code, never trusted from the file.
        parents = (
            dataset["parent_path"] if "parent_path" in dataset.headers else [""] * len(dataset)
        )
        paths = [
            f"{(parent or '').strip()}/{code}" if (parent or "").strip() else str(code)
            for parent, code in zip(parents, dataset["code"], strict=True)
        ]
        if "path" in dataset.headers:
            del dataset["path"]
        dataset.append_col(paths, header="path")
