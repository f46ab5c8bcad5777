"""SHA-256 of every demo sheet's PDF and of the HTML it is laid out from.

    python bench/pdf_fingerprints.py [--out DIR]

Builds a throw-away SQLite database and media folder under /tmp, loads the demo data and
renders every sheet through the same path as the worker (``ensure_pdf``), then prints one
line per sheet: municipality, project code, fiscal year, state, pages, the SHA-256 of the
PDF and of its HTML. Two runs on two versions of the code that print the same lines
rendered byte-identical PDFs (a refactoring must not change them). ``--out DIR`` also
keeps the PDFs, named by sheet, to compare page images where a line differs.
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="evalsheets-fingerprints-"))
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{work / 'db.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(work / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "evalsheets.settings")
    os.environ.setdefault("EVALSHEETS_INSECURE_DEV_KEY", "1")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0, stdout=open(os.devnull, "w"))

    from evalsheets.models import EvaluationSheet
    from evalsheets.pdf.storage import ensure_pdf

    sheets = EvaluationSheet.objects.select_related("project__municipality").order_by(
        "project__municipality__code", "project__code", "fiscal_year"
    )
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
    for sheet in sheets:
        record = ensure_pdf(sheet)
        municipality = sheet.project.municipality.code
        print(
            municipality,
            sheet.project.code,
            sheet.fiscal_year,
            sheet.state,
            record.pages,
            record.sha256,
            record.content_hash,
        )
        if args.out:
            name = f"{municipality}_{sheet.project.code}_{sheet.fiscal_year}.pdf"
            (args.out / name).write_bytes(record.file.read())


if __name__ == "__main__":
    main()
