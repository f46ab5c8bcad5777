"""Who may see and do what, in one place. Views fetch sheets only through these methods.

Rules (docs/workflow.md):
* 企画課 and 閲覧者 see every sheet of their municipality;
* 担当者 and 課長 see the sheets of their own 課, and the published sheets of
  their municipality;
* nobody sees another municipality's sheets here (the public pages show
  published sheets to everybody, through their own queryset);
* 担当者 edit (and submit) the drafts of their own 課; 課長 review (approve or
  return) their own 課's submitted sheets; 企画課 confirm, publish and reopen in
  their municipality (``actionable_by`` maps each workflow action to its role);
* nobody approves a sheet they submitted themselves (checked by the service,
  from the audit trail).

A sheet outside ``visible_to`` is a 404 (its existence is not revealed); a
visible sheet the user may not act on is a 403.
"""

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Max, Q
from django.http import Http404

from core.choices import SheetState
from municipalities.choices import Role


def profile_of(user):
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.profile
    except Exception:  # RelatedObjectDoesNotExist: a user without a profile sees nothing
        return None


class SheetQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related(
            "project__municipality",
            "project__section__department",
            "project__plan_node__plan",
            "project__region",
            "project__initiative__policy_area__vision__region",
        )

    def with_children(self):
        """Everything one sheet shows — its page, PDF, diff, booklet, the next year's copy —
        in a fixed number of queries, however many sheets: the only way a whole sheet is
        loaded."""
        return (
            self.with_related()
            .select_related("review", "approved_by")
            .prefetch_related(
                "sub_projects__indicators__values",
                "outcome_indicators__values",
                "cost_rows",
                "efforts",
                "assessments",
                "schedule_items__entries",
                "project__municipality__average_salaries",
                "project__plan_node__kpis",
            )
        )

    def with_costs(self):
        """What a list row needs for 事業費 and 合計 (cost rows, 人工 and the salaries
        that price them): the lists and the Excel list export."""
        return self.prefetch_related(
            "cost_rows", "efforts", "project__municipality__average_salaries"
        )

    def in_plan_subtree(self, node):
        """Sheets of projects under ``node`` (the node and every level below it, by the
        node's path prefix): the one 施策 filter of the lists, the public pages and the
        export."""
        return self.filter(project__plan_node__plan_id=node.plan_id).filter(
            Q(project__plan_node__path=node.path)
            | Q(project__plan_node__path__startswith=f"{node.path}/")
        )

    def published(self):
        return self.filter(state=SheetState.PUBLISHED)

    def visible_to(self, user):
        qs = self.with_related()
        if getattr(user, "is_superuser", False):
            return qs
        profile = profile_of(user)
        if profile is None:
            return qs.none()
        qs = qs.filter(project__municipality_id=profile.municipality_id)
        if profile.role in (Role.PLANNING, Role.VIEWER):
            return qs
        return qs.filter(Q(project__section_id=profile.section_id) | Q(state=SheetState.PUBLISHED))

    def _own_section(self, user, role):
        profile = profile_of(user)
        if profile is None or profile.role != role:
            return self.none()
        return self.visible_to(user).filter(project__section_id=profile.section_id)

    def prepared_by(self, user):
        """Sheets a 担当者 prepares (edits while a draft, submits): own 課, any state."""
        return self._own_section(user, Role.STAFF)

    def supervised_by(self, user):
        """Sheets a 課長 reviews (approves or returns once submitted): own 課, any state."""
        return self._own_section(user, Role.CHIEF)

    def editable_by(self, user):
        """Drafts a 担当者 may edit: own 課, state 下書き."""
        return self.prepared_by(user).filter(state=SheetState.DRAFT)

    def reviewable_by(self, user):
        """Submitted sheets a 課長 may approve or return: own 課."""
        return self.supervised_by(user).filter(state=SheetState.SUBMITTED)

    def managed_by(self, user):
        """Sheets a 企画課 user may confirm, publish or reopen: own municipality."""
        profile = profile_of(user)
        if getattr(user, "is_superuser", False):
            return self.with_related()
        if profile is None or profile.role != Role.PLANNING:
            return self.none()
        return self.visible_to(user)

    def actionable_by(self, user, action: str):
        """Sheets on which ``user``'s role allows the workflow ``action``, whatever their
        state (the services check the state): who may take which transition, in one place."""
        by_role = {
            "submit": self.prepared_by,
            "return": self.supervised_by,
            "approve": self.supervised_by,
            "confirm": self.managed_by,
            "publish": self.managed_by,
            "reopen": self.managed_by,
        }
        return by_role[action](user)

    def of_own_section(self, user):
        """The sheets of the user's own 課 (担当者 and 課長 home pages)."""
        profile = profile_of(user)
        if profile is None or profile.section_id is None:
            return self.none()
        return self.visible_to(user).filter(project__section_id=profile.section_id)

    def fiscal_years_for(self, user) -> list[int]:
        """The fiscal years that have sheets in the user's municipality, latest first.

        Only year numbers are revealed, never a sheet: the same list for every role, so
        that the "current fiscal year" (the first) is the same for everybody.
        """
        profile = profile_of(user)
        if profile is None:
            return []
        return list(
            self.filter(project__municipality_id=profile.municipality_id)
            .order_by("-fiscal_year")
            .values_list("fiscal_year", flat=True)
            .distinct()
        )

    def latest_year_for(self, user) -> int | None:
        """The current fiscal year: the latest one with sheets in the user's municipality."""
        profile = profile_of(user)
        if profile is None:
            return None
        return self.filter(project__municipality_id=profile.municipality_id).aggregate(
            year=Max("fiscal_year")
        )["year"]


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Projects of the user's municipality (they carry no unpublished figures)."""
        if getattr(user, "is_superuser", False):
            return self
        profile = profile_of(user)
        if profile is None:
            return self.none()
        return self.filter(municipality_id=profile.municipality_id)

    def managed_by(self, user):
        """Projects whose fiscal years a 企画課 user may open: own municipality."""
        profile = profile_of(user)
        if profile is None or profile.role != Role.PLANNING:
            return self.none()
        return self.filter(municipality_id=profile.municipality_id)


def planning_profile_or_403(user):
    """The profile of a 企画課 user (municipality-wide settings such as a new fiscal year)."""
    profile = profile_of(user)
    if profile is None or profile.role != Role.PLANNING:
        raise PermissionDenied
    return profile


def get_sheet_or_404(queryset, user, pk):
    """A sheet the user may see, or 404 for an outsider."""
    try:
        return queryset.visible_to(user).get(pk=pk)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc
