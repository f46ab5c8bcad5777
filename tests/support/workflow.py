"""Helpers for the workflow tests: bring a sheet to a state through the services."""

from core.choices import SheetState
from evalsheets.models import EvaluationSheet
from evalsheets.workflow import transitions as services
from evalsheets.workflow.audit import entries_for

# The way from 下書き to each state, and who takes each step (keys of world["users"]).
PATH = {
    SheetState.DRAFT: [],
    SheetState.SUBMITTED: [("submit", "staff_a", "")],
    SheetState.APPROVED: [("submit", "staff_a", ""), ("approve", "chief_a", "所見です。")],
    SheetState.CONFIRMED: [
        ("submit", "staff_a", ""),
        ("approve", "chief_a", "所見です。"),
        ("confirm", "planning", ""),
    ],
    SheetState.PUBLISHED: [
        ("submit", "staff_a", ""),
        ("approve", "chief_a", "所見です。"),
        ("confirm", "planning", ""),
        ("publish", "planning", ""),
    ],
}


def advance(world, state, key="a") -> EvaluationSheet:
    """Sheet ``key`` (a draft of 課 A) taken to ``state`` by the standing users."""
    sheet = world["sheets"][key]
    for action, username, text in PATH[state]:
        sheet = services.perform(action, sheet, world["users"][username], text)
    return EvaluationSheet.objects.get(pk=sheet.pk)


def snapshot(sheet) -> tuple:
    """What a refused request must leave alone."""
    sheet = EvaluationSheet.objects.get(pk=sheet.pk)
    return (sheet.state, sheet.version, entries_for(sheet).count())
