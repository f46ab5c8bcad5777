"""Django admin for every model; master data imports by natural key (codes), never ids."""

import pytest
import tablib
from django.apps import apps
from django.urls import reverse

from evalsheets.models import Project
from evalsheets.resources import ProjectResource
from municipalities.models import Department, Municipality, PlanNode, Section
from municipalities.resources import (
    DepartmentResource,
    MunicipalityResource,
    PlanNodeResource,
    SectionResource,
)

pytestmark = pytest.mark.django_db

OUR_APPS = ("municipalities", "regions", "evalsheets")


def test_every_model_is_in_the_admin(admin_client):
    from django.contrib import admin

    for app in OUR_APPS:
        for model in apps.get_app_config(app).get_models():
            assert model in admin.site._registry, model


def test_admin_changelists_open(admin_client, demo_data):
    for app in OUR_APPS:
        for model in apps.get_app_config(app).get_models():
            url = reverse(f"admin:{app}_{model._meta.model_name}_changelist")
            assert admin_client.get(url).status_code == 200, url


def run_import(resource, headers, rows, dry_run=False):
    dataset = tablib.Dataset(*rows, headers=headers)
    return resource.import_data(dataset, dry_run=dry_run, raise_errors=False)


def test_import_master_data_by_codes(world):
    result = run_import(
        MunicipalityResource(),
        ["code", "name", "kind", "prefecture"],
        [("433641", "玉東町", "town", "熊本県")],
    )
    assert not result.has_errors() and not result.has_validation_errors()
    assert Municipality.objects.get(code="433641").name == "玉東町"

    result = run_import(
        DepartmentResource(),
        ["municipality", "name", "head_name"],
        [("432067", "総務部", "総務 部長")],
    )
    assert not result.has_errors()
    result = run_import(
        SectionResource(),
        ["municipality", "code", "name", "department"],
        [("432067", "somu", "総務課", "総務部")],
    )
    assert not result.has_errors(), result.row_errors()
    section = Section.objects.get(municipality__code="432067", code="somu")
    assert section.department == Department.objects.get(name="総務部")


def test_import_plan_nodes_and_projects(world):
    from municipalities.models import Plan

    Plan.objects.create(
        municipality=world["town"],
        name="第2次玉名市総合計画",
        start_year=2020,
        end_year=2029,
        level_labels=["基本目標(章)", "主要施策(節)", "施策区分"],
    )
    headers = ["municipality", "plan", "parent_path", "code", "name"]
    result = run_import(
        PlanNodeResource(),
        headers,
        [
            ("432067", "第2次玉名市総合計画", "", "⑦", "健全な行政運営"),
            ("432067", "第2次玉名市総合計画", "⑦", "（４）", "広域連携の推進"),
        ],
    )
    assert not result.has_errors(), [e.error for _, errs in result.row_errors() for e in errs]
    child = PlanNode.objects.get(path="⑦/（４）")
    assert child.parent.code == "⑦" and child.depth == 1

    result = run_import(
        ProjectResource(),
        ["municipality", "code", "name", "section", "plan_node"],
        [("432067", "741-9", "新規事業", "a", "⑦/（４）")],
    )
    assert not result.has_errors(), result.row_errors()
    project = Project.objects.get(code="741-9")
    assert project.section.code == "a" and project.plan_node == child

    # Importing the same row again updates, it does not duplicate.
    run_import(
        ProjectResource(),
        ["municipality", "code", "name", "section"],
        [("432067", "741-9", "名称変更", "a")],
    )
    assert Project.objects.filter(code="741-9").get().name == "名称変更"


def test_import_cannot_reach_another_municipality(world):
    # 課 code "x" exists only in 伊勢原市: a 玉名 project cannot point to it.
    result = run_import(
        ProjectResource(),
        ["municipality", "code", "name", "section"],
        [("432067", "999-1", "越境", "x")],
    )
    assert result.has_errors() or result.has_validation_errors()
    assert not Project.objects.filter(code="999-1").exists()


def test_bad_municipality_code_is_a_row_error(world):
    result = run_import(
        MunicipalityResource(),
        ["code", "name", "kind", "prefecture"],
        [("432060", "誤りの市", "city", "熊本県")],
    )
    assert result.has_validation_errors()
    assert not Municipality.objects.filter(code="432060").exists()


def test_export_uses_codes(world):
    dataset = ProjectResource().export()
    row = dict(zip(dataset.headers, dataset[0], strict=True))
    assert row["municipality"] in ("432067", "142140")
    assert row["section"] in ("a", "b", "x")
