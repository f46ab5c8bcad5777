"""Audit action names in one style, <object>.<verb> (evalsheets.workflow.audit.ACTION_*).

The workflow transitions were recorded by their bare name ("submit" …), the new year's
sheets as "copy" / "create" and the year itself as "open_fiscal_year"; the entry form's
save was already "sheet.edit". The names are written out here, not imported: a migration
keeps meaning what it meant when it was written.
"""

from django.db import migrations

RENAMES = {
    "submit": "sheet.submit",
    "return": "sheet.return",
    "approve": "sheet.approve",
    "confirm": "sheet.confirm",
    "publish": "sheet.publish",
    "reopen": "sheet.reopen",
    "copy": "sheet.copy",
    "create": "sheet.create",
    "open_fiscal_year": "fiscal_year.open",
}


def rename(apps, pairs):
    AuditEntry = apps.get_model("evalsheets", "AuditEntry")
    for old, new in pairs:
        AuditEntry.objects.filter(action=old).update(action=new)


def forwards(apps, schema_editor):
    rename(apps, RENAMES.items())


def backwards(apps, schema_editor):
    rename(apps, ((new, old) for old, new in RENAMES.items()))


class Migration(migrations.Migration):
    dependencies = [("evalsheets", "0007_costrow_copy_state")]

    operations = [migrations.RunPython(forwards, backwards)]
