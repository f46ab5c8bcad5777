"""The demo users: one per role and municipality, all with ``DEMO_PASSWORD``."""

from django.contrib.auth import get_user_model

from municipalities.choices import Role
from municipalities.models import Municipality, Section, StaffProfile

DEMO_PASSWORD = "evalsheets-demo"

# Demo users: (username suffix, role, last name, first name). The section is the
# municipality's first section unless the fixture names users itself.
DEMO_ROLES = (
    ("staff", Role.STAFF, "担当", "太郎"),
    ("staff2", Role.STAFF, "別課", "花子"),
    ("chief", Role.CHIEF, "課長", "一郎"),
    ("chief2", Role.CHIEF, "別課長", "次郎"),
    ("planning", Role.PLANNING, "企画", "三郎"),
    ("viewer", Role.VIEWER, "閲覧", "四郎"),
)
USER_PREFIX = {"432067": "tamana", "142140": "isehara", "432032": "hitoyoshi"}


def create_demo_users(
    municipality: Municipality, sections: list[Section], prefix: str | None = None
) -> dict:
    """Users for each role, named <prefix>-<role> (the fixture's ``demo_users_prefix``).
    Passwords are the same demo password for all."""
    User = get_user_model()
    prefix = USER_PREFIX.get(municipality.code) or prefix or municipality.code
    first_section = sections[0] if sections else None
    other_section = sections[1] if len(sections) > 1 else first_section
    users = {}
    for suffix, role, last, first in DEMO_ROLES:
        if suffix.endswith("2") and len(sections) < 2:
            continue  # a second 課's users only where the fixture has a second 課
        section = None
        if role in (Role.STAFF, Role.CHIEF):
            section = other_section if suffix.endswith("2") else first_section
        user, created = User.objects.get_or_create(
            username=f"{prefix}-{suffix}",
            defaults={
                "last_name": last,
                "first_name": first,
                "email": f"{prefix}-{suffix}@example.jp",
            },
        )
        if created or not user.has_usable_password():
            user.set_password(DEMO_PASSWORD)
            user.save()
        StaffProfile.objects.update_or_create(
            user=user, defaults={"municipality": municipality, "section": section, "role": role}
        )
        users[suffix] = user
    return users


def demo_user_table() -> list[tuple[str, str, str, str]]:
    """(username, municipality, role, section) of every demo user, for the README and make run."""
    rows = []
    for profile in StaffProfile.objects.select_related("user", "municipality", "section").order_by(
        "municipality__code", "user__username"
    ):
        rows.append(
            (
                profile.user.username,
                profile.municipality.name,
                profile.get_role_display(),
                profile.section.name if profile.section else "",
            )
        )
    return rows
