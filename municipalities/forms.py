"""Form fields over the municipality's master data, shared by every form that picks one."""

from django import forms


class PlanNodeChoiceField(forms.ModelChoiceField):
    """A 施策 picked from the plan tree, its options indented by depth:
    ⑦ …, 　（４）…, 　　（１）…."""

    def label_from_instance(self, node):
        return f"{'　' * node.depth}{node.code} {node.name}"
