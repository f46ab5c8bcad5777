"""Audit action names: one style (<object>.<verb>), and migration 0008 renames stored rows."""

import importlib

from django.apps import apps

from evalsheets.models import AuditEntry
from evalsheets.workflow import audit
from evalsheets.workflow.audit import record
from evalsheets.workflow.transitions import TRANSITIONS

rename = importlib.import_module("evalsheets.migrations.0008_audit_action_names")

ACTIONS = {name: value for name, value in vars(audit).items() if name.startswith("ACTION_")}


def test_every_action_is_object_dot_verb_and_known_to_the_migration():
    assert all(value.count(".") == 1 for value in ACTIONS.values()), ACTIONS
    # sheet.edit kept its name; data.import (the bulk import) came after the migration.
    newer = {audit.ACTION_EDIT, audit.ACTION_IMPORT}
    assert set(rename.RENAMES.values()) == set(ACTIONS.values()) - newer
    assert {t.audit_action for t in TRANSITIONS.values()} == {
        f"sheet.{action}" for action in TRANSITIONS
    }


def test_migration_renames_stored_rows_and_back(world):
    sheet, staff = world["sheets"]["a"], world["users"]["staff_a"]
    for old in [*rename.RENAMES, audit.ACTION_EDIT]:
        record(staff, old, sheet)
    rename.forwards(apps, None)
    stored = sorted(AuditEntry.objects.values_list("action", flat=True))
    assert stored == sorted([*rename.RENAMES.values(), audit.ACTION_EDIT])
    rename.backwards(apps, None)
    stored = sorted(AuditEntry.objects.values_list("action", flat=True))
    assert stored == sorted([*rename.RENAMES, audit.ACTION_EDIT])
