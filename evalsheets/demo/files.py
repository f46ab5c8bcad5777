"""The demo's fixture files and how their values are read."""

import datetime
import functools
from decimal import Decimal
from pathlib import Path

import yaml
from django.conf import settings

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
LAYOUTS_DIR = FIXTURES_DIR / "layouts"  # 様式 definitions the demo installs first
REGION_FILES = ("region_tamana_settlement.yaml", "region_kumamoto_metro.yaml")
FIRST_MUNICIPALITIES = ("tamana.yaml", "isehara.yaml", "hitoyoshi.yaml")


def _municipality_files() -> tuple[str, ...]:
    """The first three in their usual order, then every other fixture with a municipality:
    a municipality joins the demo with a file, no code."""
    others = sorted(
        path.name
        for path in FIXTURES_DIR.glob("*.yaml")
        if path.name not in FIRST_MUNICIPALITIES
        and path.name not in REGION_FILES
        and "municipality" in (read_yaml(path.name) or {})
    )
    return (*FIRST_MUNICIPALITIES, *others)


def layout_files() -> list[Path]:
    return sorted(LAYOUTS_DIR.glob("*.yaml"))


@functools.cache
def read_yaml(name: str) -> dict:
    """Parsed once per process (the loader never mutates what it reads)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(FIXTURES_DIR / name, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=loader)


MUNICIPALITY_FILES = _municipality_files()


def decimal_or_none(value):
    """A number of the fixture as a Decimal; "na" (not applicable) and a gap as None."""
    if value is None or value == "na":
        return None
    return Decimal(str(value))


def date_or_none(value):
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))
