"""Who may see what, in one place. Views fetch sheets only through these methods."""

from django.db import models


def profile_of(user):
    if not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "profile", None)


class SheetQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related(
            "project__municipality",
            "project__section__department",
            "project__plan_node__parent__parent__parent",
            "project__plan_node__plan",
        )

    def visible_to(self, user):
        """Sheets a signed-in user may read: those of the user's own municipality."""
        qs = self.with_related()
        if getattr(user, "is_superuser", False):
            return qs
        profile = profile_of(user)
        if profile is None:
            return qs.none()
        return qs.filter(project__municipality_id=profile.municipality_id)
