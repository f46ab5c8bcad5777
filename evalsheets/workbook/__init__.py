"""The official sheet as an .xlsx workbook, to fill in offline and bring back: ``writer``
lays out the sheet's entry form as a protected workbook (only the input cells unlocked),
``reader`` reads a filled-in one back into the entry form's data, ``views`` offers the
download and the import with its preview (docs/excel-form.md)."""
