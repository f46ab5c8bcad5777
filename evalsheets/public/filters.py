"""django-filter sets of the public pages: published sheets by 施策 and 課."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.normalize import halfwidth
from evalsheets.models import EvaluationSheet
from municipalities.forms import PlanNodeChoiceField
from municipalities.models import PlanNode, Section


class PlanNodeChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = PlanNodeChoiceField


class PublicSheetFilter(django_filters.FilterSet):
    """Filters of the public list; the choices are limited to one municipality.

    ``queryset`` must already be ``EvaluationSheet.objects.published()`` of that
    municipality: the filters only narrow it.
    """

    plan_node = PlanNodeChoiceFilter(
        label=_("施策"),
        queryset=PlanNode.objects.none(),
        method="filter_plan_node",
        empty_label=_("すべて"),
    )
    section = django_filters.ModelChoiceFilter(
        label=_("所管課"),
        field_name="project__section",
        queryset=Section.objects.none(),
        empty_label=_("すべて"),
    )
    q = django_filters.CharFilter(label=_("キーワード"), method="filter_keyword")

    class Meta:
        model = EvaluationSheet
        fields = []

    def __init__(self, data=None, queryset=None, *, municipality, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["plan_node"].queryset = PlanNode.objects.filter(
            plan__municipality=municipality
        ).order_by("plan__start_year", "path")
        self.filters["section"].queryset = (
            Section.objects.filter(municipality=municipality, projects__sheets__in=self.queryset)
            .distinct()
            .order_by("department__sort_order", "sort_order", "code")
        )

    def filter_plan_node(self, queryset, name, node):
        """The node itself and every descendant, through the node path prefix."""
        return queryset.in_plan_subtree(node)

    def filter_keyword(self, queryset, name, value):
        value = halfwidth(value)
        if not value:
            return queryset
        return queryset.filter(
            Q(project__code__icontains=value) | Q(project__name__icontains=value)
        )
