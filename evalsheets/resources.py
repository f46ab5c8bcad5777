from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from municipalities.models import Municipality, PlanNode, Section
from municipalities.resources import PlanNodeWidget, ScopedForeignKeyWidget

from .models import PROJECT_DETAIL_FIELDS, Project


class ProjectResource(resources.ModelResource):
    """事務事業 by (municipality code, project code).

    課 by its code, 施策 by its path (e.g. ⑦/（４）/（１））.
    """

    municipality = fields.Field(
        column_name="municipality",
        attribute="municipality",
        widget=ForeignKeyWidget(Municipality, field="code"),
    )
    section = fields.Field(
        column_name="section",
        attribute="section",
        widget=ScopedForeignKeyWidget(Section, field="code"),
    )
    plan_node = fields.Field(
        column_name="plan_node",
        attribute="plan_node",
        widget=PlanNodeWidget(PlanNode, field="path"),
    )

    class Meta:
        model = Project
        import_id_fields = ("municipality", "code")
        fields = ("municipality", "code", "section", "plan_node", "active", *PROJECT_DETAIL_FIELDS)
        skip_unchanged = True
        clean_model_instances = True
