"""The entry form of a generated 様式: its definition's sections, each field block with the
bound fields it edits; a number per year is a grid whose columns are the years, like the
cost grid's."""

from core.wareki import fiscal_year_label


def entry_sections(entry) -> list[dict]:
    form, layout = entry.fields, entry.layout
    result = []
    for section in layout.sections:
        blocks = []
        for block in section["blocks"]:
            names = block["fields"]
            if block["type"] == "extra" and not names:
                names = [e.name for e in layout.extra_fields]
            if block["type"] == "direction":
                names = ("direction",)
            single, grid, years = [], [], set()
            for name in names:
                extra = layout.extra_field(name)
                if extra is not None and extra.kind == "year_numbers":
                    cells = {
                        int(key.rsplit("__", 1)[1]): form[key]
                        for key in form.fields
                        if key.startswith(f"{name}__")
                    }
                    years.update(cells)
                    grid.append((extra.full_label, cells))
                elif name in form.fields:
                    single.append(form[name])
            year_list = sorted(years)
            blocks.append(
                {
                    **block,
                    "bound_fields": single,
                    "years": [(y, fiscal_year_label(y)) for y in year_list],
                    "grid_rows": [
                        (label, [cells.get(y) for y in year_list]) for label, cells in grid
                    ],
                }
            )
        result.append({"heading": section["heading"], "blocks": blocks})
    return result
