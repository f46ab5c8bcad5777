"""Filters of the sheet list (django-filter), for every role.

The queryset given to the FilterSet is already limited by ``visible_to``; the
filters only narrow it. Every choice list is limited to the user's municipality.
"""

import django_filters
from django import forms
from django.db.models import Q
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from core.choices import SheetState
from core.normalize import halfwidth
from core.wareki import fiscal_year_label
from evalsheets.models import EvaluationSheet
from evalsheets.models.querysets import profile_of
from municipalities.forms import PlanNodeChoiceField
from municipalities.models import Department, PlanNode, Section

# Sort keys offered on the list: (query parameter, ORM field, label).
ORDERINGS = (
    ("code", "project__code", _("事務事業コード")),
    ("name", "project__name", _("事務事業名")),
    ("section", "project__section__code", _("所管課")),
    ("state", "state", _("状態")),
    ("updated", "updated_at", _("更新日時")),
    ("year", "fiscal_year", _("実施年度")),
)


class FastSelect(forms.Select):
    """A <select> rendered in Python: Django's template-per-option widget rendering was a
    large part of the list page's time (figures: docs/performance.md)."""

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (
                    option["value"],
                    mark_safe(" selected") if option["selected"] else "",
                    option["label"],
                )
                for _group, group_options, _index in context["optgroups"]
                for option in group_options
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', context["name"], flatatt(context["attrs"]), options
        )


class PlanNodeFilter(django_filters.ModelChoiceFilter):
    field_class = PlanNodeChoiceField


class StableOrderingFilter(django_filters.OrderingFilter):
    """Sorting by a non-unique column (課, 状態) keeps a fixed order across pages.

    Choices read 「事務事業コード（昇順）」「事務事業コード（降順）」 (django-filter's own
    labels are English: "(descending)").
    """

    descending_fmt = _("%s（降順）")

    def build_choices(self, fields, labels):
        choices = super().build_choices(fields, labels)
        return [
            (param, label if param.startswith("-") else _("%s（昇順）") % label)
            for param, label in choices
        ]

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        if value:
            qs = qs.order_by(*qs.query.order_by, "project__code", "-fiscal_year", "pk")
        return qs


class SheetFilter(django_filters.FilterSet):
    year = django_filters.ChoiceFilter(
        widget=FastSelect, field_name="fiscal_year", label=_("実施年度"), empty_label=_("すべて")
    )
    department = django_filters.ModelChoiceFilter(
        widget=FastSelect,
        field_name="project__section__department",
        label=_("部"),
        queryset=Department.objects.none(),
        empty_label=_("すべて"),
    )
    section = django_filters.ModelChoiceFilter(
        widget=FastSelect,
        field_name="project__section",
        label=_("課"),
        queryset=Section.objects.none(),
        empty_label=_("すべて"),
    )
    plan_node = PlanNodeFilter(
        widget=FastSelect,
        label=_("施策"),
        queryset=PlanNode.objects.none(),
        method="filter_plan_node",
        empty_label=_("すべて"),
    )
    state = django_filters.ChoiceFilter(
        widget=FastSelect, choices=SheetState.choices, label=_("状態"), empty_label=_("すべて")
    )
    q = django_filters.CharFilter(label=_("キーワード"), method="filter_text")
    sort = StableOrderingFilter(
        widget=FastSelect,
        fields=[(field, key) for key, field, _label in ORDERINGS],
        field_labels={field: label for _key, field, label in ORDERINGS},
        label=_("並び順"),
        empty_label=_("標準（年度・コード順）"),
    )

    class Meta:
        model = EvaluationSheet
        fields = ()

    def __init__(self, data=None, queryset=None, *, request=None, years=(), **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        user = request.user if request is not None else None
        profile = profile_of(user)
        municipality_id = profile.municipality_id if profile else None
        departments = Department.objects.filter(municipality_id=municipality_id)
        sections = Section.objects.filter(municipality_id=municipality_id).select_related(
            "department"
        )
        nodes = PlanNode.objects.filter(plan__municipality_id=municipality_id).order_by(
            "plan", "path"
        )
        if getattr(user, "is_superuser", False) and profile is None:
            departments, sections, nodes = (
                Department.objects.all(),
                Section.objects.select_related("department"),
                PlanNode.objects.order_by("plan", "path"),
            )
        self.filters["department"].queryset = departments
        self.filters["section"].queryset = sections
        self.filters["plan_node"].queryset = nodes
        self.filters["year"].extra["choices"] = [(y, fiscal_year_label(y)) for y in years]

    def filter_plan_node(self, queryset, name, node):
        """A 施策 of any level includes the projects of the nodes below it (path prefix)."""
        if node is None:
            return queryset
        return queryset.in_plan_subtree(node)

    def filter_text(self, queryset, name, value):
        value = halfwidth(value)
        if not value:
            return queryset
        for word in value.split():
            queryset = queryset.filter(
                Q(project__code__icontains=word) | Q(project__name__icontains=word)
            )
        return queryset
