"""manage.py export_pdfs --booklet: the same booklet service as the 企画課's bulk export."""

from io import StringIO

import pytest
from django.core.management import call_command

from tests.support.exports import flat, page_texts, printed_number


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def export(out, code="432067", year="2023", *extra):
    stdout = StringIO()
    call_command(
        "export_pdfs", "--municipality", code, "--year", year, "--out", str(out), *extra,
        stdout=stdout,
    )  # fmt: skip
    return stdout.getvalue()


def test_booklet_from_the_command_line(demo_data, tmp_path):
    text = export(tmp_path, "432067", "2023", "--booklet")
    path = tmp_path / "432067_2023_booklet.pdf"
    assert str(path) in text
    texts = page_texts(path.read_bytes())
    assert "目次" in flat(texts[0])
    cover = flat(texts[1])
    assert cover.startswith("主要施策名：（４）広域連携の推進")
    assert "741-2" in cover and "741-3" in cover and "事務事業本数：2" in cover
    # The front pages carry their booklet page; the sheets are their stored PDFs.
    assert [printed_number(t) for t in texts[:2]] == ["1", "2"]
    assert len(texts) == 6 and "741-2" in flat(texts[2]) and "741-3" in flat(texts[4])


def test_one_booklet_per_policy(demo_data, tmp_path):
    export(tmp_path, "432032", "2024", "--booklet", "--per-policy")
    files = sorted(p.name for p in tmp_path.glob("*.pdf"))
    assert len(files) > 1 and files[0].startswith("01_")
    assert flat(page_texts((tmp_path / files[0]).read_bytes())[0]).startswith("施策項目名：")
