"""The demo's fixture files and how their values are read."""

import datetime
import functools
from decimal import Decimal
from pathlib import Path

import yaml
from django.conf import settings

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
MUNICIPALITY_FILES = ("tamana.yaml", "isehara.yaml", "hitoyoshi.yaml")
REGION_FILES = ("region_tamana_settlement.yaml", "region_kumamoto_metro.yaml")


@functools.cache
def read_yaml(name: str) -> dict:
    """Parsed once per process (the loader never mutates what it reads)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(FIXTURES_DIR / name, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=loader)


def decimal_or_none(value):
    """A number of the fixture as a Decimal; "na" (not applicable) and a gap as None."""
    if value is None or value == "na":
        return None
    return Decimal(str(value))


def date_or_none(value):
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))
