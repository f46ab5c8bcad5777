"""Export → import → export: every row of every demo municipality's years comes back."""

import pytest

from evalsheets.models import AuditEntry, EvaluationSheet, Project
from evalsheets.transfer.export import year_workbook
from evalsheets.workflow import audit
from municipalities.models import Municipality
from tests.transfer.support import dry_run, run_import, tables_of

pytestmark = pytest.mark.django_db


def _years():
    return sorted(
        set(EvaluationSheet.objects.values_list("project__municipality__code", "fiscal_year"))
    )


def test_every_demo_year_round_trips_into_an_empty_database(demo_data):
    exported = {}
    for code, year in _years():
        town = Municipality.objects.get(code=code)
        exported[(code, year)] = year_workbook(town, year)
    assert len({code for code, _ in exported}) == 4
    filled = {
        title: sum(len(tables_of(content)[title]) - 1 for content in exported.values())
        for title in tables_of(next(iter(exported.values())))
    }
    assert all(filled.values()), filled  # every table has rows to compare
    # Master data stays (municipalities, 部・課, plans, salaries); the year data goes.
    EvaluationSheet.objects.all().delete()
    Project.objects.all().delete()
    for (code, _year), content in exported.items():
        town = Municipality.objects.get(code=code)
        plan = run_import(content, town)
        assert plan.ok, plan.problems[:5]
        assert not plan.skipped
    for (code, year), content in exported.items():
        town = Municipality.objects.get(code=code)
        before, after = tables_of(content), tables_of(year_workbook(town, year))
        assert before.keys() == after.keys()
        for title in before:
            assert after[title] == before[title], title
        # and the same file again changes nothing
        plan = dry_run(content, town)
        assert plan.ok and not plan.has_changes, plan.table_counts()
    entries = AuditEntry.objects.filter(action=audit.ACTION_IMPORT)
    assert entries.count() == len(exported)
    assert all(len(e.changes["sha256"]) == 64 for e in entries)
