"""Which 様式 (sheet layout) keys exist, for the municipality's choice of one.

The layouts are defined by the evalsheets app (built-in definition files and those installed
with ``manage.py load_sheet_form``); master data may not import that app, so the app
registers a provider here and ``Municipality.sheet_layout`` asks for its choices through it
(Django accepts a callable as a field's choices).
"""

from collections.abc import Callable, Iterable

_provider: Callable[[], Iterable[tuple[str, str]]] | None = None


def set_provider(provider: Callable[[], Iterable[tuple[str, str]]]) -> None:
    global _provider
    _provider = provider


def choices() -> list[tuple[str, str]]:
    return list(_provider()) if _provider is not None else []
