"""Views, one module per area: sheets (list, read-only page)."""
