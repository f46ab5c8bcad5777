"""A year's data in and out as Excel: the year workbook (``export``), the bulk import with a
dry run and a preview (``service``), the files they read (``reading``), the one layout they
share (``layout``) and the pages of the 企画課 and 閲覧者 (``views``). docs/excel.md explains
the workbook and the rules of the import."""
