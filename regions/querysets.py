"""Who may see and do what in the regions, in one place. Views fetch regions and rounds
only through these methods (docs/regions.md).

* 企画課 of a central member (中心市 / 連携中枢都市; several in a 複眼型 region) manage the
  region: edit it, open and move its rounds, enter KPI actuals and the 懇談会 comment;
* 企画課 of any member report for their own municipality in an open round;
* every other staff of a member (担当者, 課長, 閲覧者) reads the region and its rounds;
* nobody else sees the region's working pages (404): the public reads only what is
  published, on the public pages;
* a superuser sees and manages everything.

A region or round outside ``visible_to`` is a 404; a visible one the user may not act on
is a 403 (``require``).
"""

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from municipalities.choices import Role
from regions.choices import MemberRole, RoundState


def profile_of(user):
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.profile
    except Exception:  # RelatedObjectDoesNotExist: a user without a profile sees nothing
        return None


def _is_superuser(user) -> bool:
    return bool(getattr(user, "is_superuser", False))


class RegionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Regions the user's municipality is a member of (read)."""
        if _is_superuser(user):
            return self
        profile = profile_of(user)
        if profile is None:
            return self.none()
        return self.filter(memberships__municipality_id=profile.municipality_id).distinct()

    def managed_by(self, user):
        """Regions whose central member's 企画課 the user is (edit, rounds)."""
        if _is_superuser(user):
            return self
        profile = profile_of(user)
        if profile is None or profile.role != Role.PLANNING:
            return self.none()
        return self.filter(
            memberships__municipality_id=profile.municipality_id,
            memberships__role=MemberRole.CENTRAL,
        ).distinct()

    def reported_by(self, user):
        """Regions the user reports in: 企画課 of any member (its own municipality only)."""
        profile = profile_of(user)
        if profile is None or profile.role != Role.PLANNING:
            return self.none()
        return self.filter(memberships__municipality_id=profile.municipality_id).distinct()


class RoundQuerySet(models.QuerySet):
    """The same rules as ``RegionQuerySet``, through the round's region."""

    def _member_of(self, user, *, planning: bool, central: bool):
        if _is_superuser(user) and not (planning and not central):
            return self
        profile = profile_of(user)
        if profile is None or (planning and profile.role != Role.PLANNING):
            return self.none()
        lookup = {"region__memberships__municipality_id": profile.municipality_id}
        if central:
            lookup["region__memberships__role"] = MemberRole.CENTRAL
        return self.filter(**lookup).distinct()

    def visible_to(self, user):
        return self._member_of(user, planning=False, central=False)

    def managed_by(self, user):
        return self._member_of(user, planning=True, central=True)

    def reported_by(self, user):
        return self._member_of(user, planning=True, central=False)

    def published(self):
        return self.filter(state=RoundState.PUBLISHED)


def get_or_404(queryset, **lookup):
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc


def reporting_municipality(user, region):
    """The municipality the user reports for in ``region`` (its own), or 403."""
    profile = profile_of(user)
    if profile is None or profile.role != Role.PLANNING:
        raise PermissionDenied
    if not region.memberships.filter(municipality_id=profile.municipality_id).exists():
        raise PermissionDenied
    return profile.municipality
