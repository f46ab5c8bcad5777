from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from core.batched_import import BatchedImport, CachedLookups, KeyedInstanceLoader, TrustedLookups
from evalsheets.models import PROJECT_DETAIL_FIELDS, Project
from municipalities.models import Municipality, PlanNode, Section
from municipalities.resources import PlanNodeWidget, ScopedForeignKeyWidget


class _MunicipalityByCode(CachedLookups, ForeignKeyWidget):
    pass


class _SectionByCode(CachedLookups, ScopedForeignKeyWidget):
    pass


class _PlanNodeByPath(CachedLookups, PlanNodeWidget):
    pass


class ProjectResource(BatchedImport, TrustedLookups, resources.ModelResource):
    """事務事業 by (municipality code, project code).

    課 by its code, 施策 by its path (e.g. ⑦/（４）/（１））. A large file is imported in
    short batches (core.batched_import).
    """

    municipality = fields.Field(
        column_name="municipality",
        attribute="municipality",
        widget=_MunicipalityByCode(Municipality, field="code"),
    )
    section = fields.Field(
        column_name="section",
        attribute="section",
        widget=_SectionByCode(Section, field="code"),
    )
    plan_node = fields.Field(
        column_name="plan_node",
        attribute="plan_node",
        widget=_PlanNodeByPath(PlanNode, field="path"),
    )

    class Meta:
        model = Project
        import_id_fields = ("municipality", "code")
        fields = ("municipality", "code", "section", "plan_node", "active", *PROJECT_DETAIL_FIELDS)
        skip_unchanged = True
        clean_model_instances = True
        instance_loader_class = KeyedInstanceLoader
