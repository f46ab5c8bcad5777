"""Write the official PDF of every sheet of a municipality and year into a directory.

    python manage.py export_pdfs --municipality 432067 --year 2023 --out out/ [--changed-only]

Each PDF comes from the stored copy (evalsheets.pdf.ensure_pdf: rendered only when
the sheet's content changed, frozen once published) and is written as
``<code>_<name>.pdf``. ``--changed-only`` skips files already in DIR with the same
SHA-256. A progress bar is drawn on a terminal; otherwise one line per sheet.
"""

import hashlib
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from evalsheets.models import EvaluationSheet
from evalsheets.pdf import RenderTimeout, ensure_pdf, pdf_filename
from municipalities.models import Municipality


def _sha256_of_file(path: Path) -> str | None:
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Command(BaseCommand):
    help = "評価シートの公式PDFを1シート1ファイルで書き出します。"

    def add_arguments(self, parser):
        parser.add_argument("--municipality", required=True, help="全国地方公共団体コード")
        parser.add_argument("--year", required=True, type=int, help="実施年度（西暦）")
        parser.add_argument("--out", required=True, help="出力先ディレクトリ")
        parser.add_argument(
            "--changed-only",
            action="store_true",
            help="出力先に同じ内容（SHA-256）のファイルがあれば書き出さない",
        )

    def handle(self, *args, municipality, year, out, changed_only, **options):
        town = Municipality.objects.filter(code=municipality).first()
        if town is None:
            raise CommandError(f"地方公共団体コード {municipality} は登録されていません。")
        sheets = list(
            EvaluationSheet.objects.with_related()
            .filter(project__municipality=town, fiscal_year=year)
            .order_by("project__code")
        )
        if not sheets:
            raise CommandError(f"{town.name} の {year} 年度の評価シートはありません。")
        out_dir = Path(out)
        out_dir.mkdir(parents=True, exist_ok=True)
        tty = self.stdout.isatty() if hasattr(self.stdout, "isatty") else sys.stdout.isatty()
        bar = tqdm(total=len(sheets), unit="枚", disable=not tty, file=sys.stdout)
        written = skipped = failed = 0
        for index, sheet in enumerate(sheets, start=1):
            target = out_dir / pdf_filename(sheet)
            try:
                stored = ensure_pdf(sheet)
            except RenderTimeout as exc:
                failed += 1
                self.stderr.write(f"{sheet.project.code}: {exc}")
                bar.update(1)
                continue
            if changed_only and _sha256_of_file(target) == stored.sha256:
                skipped += 1
                status = "unchanged"
            else:
                with stored.file.open("rb") as source:
                    target.write_bytes(source.read())
                written += 1
                status = "written"
            if tty:
                bar.set_postfix_str(sheet.project.code)
                bar.update(1)
            else:
                self.stdout.write(f"[{index}/{len(sheets)}] {target.name} {status}")
        bar.close()
        self.stdout.write(f"{written} written, {skipped} unchanged, {failed} failed → {out_dir}")
        if failed:
            raise CommandError(f"{failed} 件のシートを出力できませんでした。")
