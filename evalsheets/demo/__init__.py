"""Load the demo data in fixtures/*.yaml (see docs/demo-data.md).

Idempotent: everything is matched by natural key (municipality code, section
code, plan node path, project code, fiscal year); a sheet's child rows are
replaced as a whole. Runs in one transaction.

``files`` reads the fixtures; ``region`` loads a 圏域, ``municipality`` a municipality
(組織, 計画, 平均給与, 事業), ``users`` its demo users and ``sheet`` each of its sheets.
"""

from django.contrib.auth import get_user_model
from django.db import transaction

from evalsheets.demo.files import MUNICIPALITY_FILES, REGION_FILES, layout_files, read_yaml
from evalsheets.demo.municipality import load_municipality
from evalsheets.demo.region import load_region, load_region_work
from evalsheets.demo.users import DEMO_PASSWORD, demo_user_table
from evalsheets.layouts.definition import read_text
from evalsheets.models import EvaluationSheet
from evalsheets.models.definitions import install_definition
from regions.models import Region

__all__ = [
    "DEMO_PASSWORD",
    "MUNICIPALITY_FILES",
    "REGION_FILES",
    "demo_user_table",
    "load_all",
    "read_yaml",
]


@transaction.atomic
def load_all(*, with_superuser: bool = True) -> dict:
    for path in layout_files():
        install_definition(read_text(path), installed_by="load_demo")
    for name in REGION_FILES:
        load_region(read_yaml(name))
    municipalities = [load_municipality(read_yaml(name)) for name in MUNICIPALITY_FILES]
    for name in REGION_FILES:
        load_region_work(read_yaml(name))
    if with_superuser:
        User = get_user_model()
        admin, created = User.objects.get_or_create(
            username="admin",
            defaults={"is_staff": True, "is_superuser": True, "email": "admin@example.jp"},
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save()
    return {
        "municipalities": len(municipalities),
        "regions": Region.objects.count(),
        "sheets": EvaluationSheet.objects.count(),
    }
