"""The entry form of a generated 様式: its definition's sections, each field block with the
bound fields it edits (a number per year expands to one field per year)."""


def entry_sections(entry) -> list[dict]:
    form = entry.fields
    result = []
    for section in entry.layout.sections:
        blocks = []
        for block in section["blocks"]:
            names = block["fields"]
            if block["type"] == "extra" and not names:
                names = [e.name for e in entry.layout.extra_fields]
            if block["type"] == "direction":
                names = ("direction",)
            bound = [
                form[key]
                for name in names
                for key in form.fields
                if key == name or key.startswith(f"{name}__")
            ]
            blocks.append({**block, "bound_fields": bound})
        result.append({"heading": section["heading"], "blocks": blocks})
    return result
