"""manage.py export_pdfs: one PDF per sheet, named <code>_<name>.pdf."""

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from evalsheets.models import SheetPDF


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def export(out, *extra):
    stdout = StringIO()
    call_command(
        "export_pdfs",
        "--municipality",
        "432067",
        "--year",
        "2023",
        "--out",
        str(out),
        *extra,
        stdout=stdout,
    )
    return stdout.getvalue()


def test_writes_one_pdf_per_sheet(demo_data, tmp_path):
    out = tmp_path / "out"
    text = export(out)
    files = sorted(p.name for p in out.iterdir())
    assert files == ["741-2_定住自立圏構想事業.pdf", "741-3_連携中枢都市圏構想推進事業.pdf"]
    assert "[1/2] 741-2_定住自立圏構想事業.pdf written" in text  # plain progress, no tty
    assert "2 written, 0 unchanged, 0 failed" in text
    for path in out.iterdir():
        stored = SheetPDF.objects.get(sheet__project__code=path.name.split("_")[0])
        assert hashlib.sha256(path.read_bytes()).hexdigest() == stored.sha256


def test_changed_only_skips_identical_files(demo_data, tmp_path):
    out = tmp_path / "out"
    export(out)
    victim = out / "741-3_連携中枢都市圏構想推進事業.pdf"
    victim.write_bytes(b"old")
    text = export(out, "--changed-only")
    assert "1 written, 1 unchanged, 0 failed" in text
    assert victim.read_bytes().startswith(b"%PDF")
    assert SheetPDF.objects.count() == 2  # nothing rendered twice


def test_unknown_municipality_or_empty_year(demo_data, tmp_path):
    with pytest.raises(CommandError, match="999999"):
        call_command(
            "export_pdfs", "--municipality", "999999", "--year", "2023", "--out", str(tmp_path)
        )
    with pytest.raises(CommandError, match="1999"):
        call_command(
            "export_pdfs", "--municipality", "432067", "--year", "1999", "--out", str(tmp_path)
        )
