"""Write the official PDFs of a municipality and year into a directory.

    python manage.py export_pdfs --municipality 432067 --year 2023 --out out/ [--changed-only]
    python manage.py export_pdfs ... --booklet [--per-policy]

Without ``--booklet``, each PDF comes from the stored copy (evalsheets.pdf.render: rendered
only when the sheet's content changed, frozen once published) and is written as
``<code>_<name>.pdf``; ``--changed-only`` skips files already in DIR with the same
SHA-256. With ``--booklet`` the same service as the 企画課's bulk export
(evalsheets.exports.booklet) writes the year's booklet (cover list per 施策, table of
contents, continuous page numbers), or one booklet per 施策 with ``--per-policy``.
A progress bar is drawn on a terminal; otherwise one line per sheet.
"""

import hashlib
import shutil
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from evalsheets.exports import booklet as booklet_export
from evalsheets.exports import selection
from evalsheets.pdf.render import RenderTimeout
from evalsheets.pdf.storage import pdf_filename
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
        parser.add_argument(
            "--booklet",
            action="store_true",
            help="施策ごとの表紙・目次・通しページ付きの冊子PDFを書き出す",
        )
        parser.add_argument(
            "--per-policy", action="store_true", help="冊子を施策ごとに1冊ずつ書き出す"
        )

    def handle(self, *args, municipality, year, out, changed_only, booklet, per_policy, **options):
        town = Municipality.objects.filter(code=municipality).first()
        if town is None:
            raise CommandError(f"地方公共団体コード {municipality} は登録されていません。")
        groups = selection.plan_groups(selection.select_sheets(town, {"year": year}))
        ids = [entry.sheet_id for group in groups for entry in group.entries]
        if not ids:
            raise CommandError(f"{town.name} の {year} 年度の評価シートはありません。")
        out_dir = Path(out)
        out_dir.mkdir(parents=True, exist_ok=True)
        tty = self.stdout.isatty() if hasattr(self.stdout, "isatty") else sys.stdout.isatty()
        bar = tqdm(total=len(ids), unit="枚", disable=not tty, file=sys.stdout)
        if booklet:
            self._booklets(town, year, groups, out_dir, per_policy, bar)
        else:
            self._files(ids, out_dir, changed_only, bar, tty)

    def _booklets(self, town, year, groups, out_dir, per_policy, bar):
        def progress(done):
            bar.update(done - bar.n)

        if per_policy:
            paths = booklet_export.write_policy_booklets(town, year, groups, out_dir, progress)
        else:
            path = out_dir / f"{town.code}_{year}_booklet.pdf"
            booklet_export.write_booklet(
                booklet_export.booklet_title(town, year), groups, path, progress=progress
            )
            paths = [path]
        bar.close()
        for path in paths:
            self.stdout.write(f"{path} ({path.stat().st_size / 1024:,.0f} KiB)")

    def _files(self, ids, out_dir, changed_only, bar, tty):
        written = skipped = failed = 0
        records = selection.stored_pdfs(ids)
        for index in range(1, len(ids) + 1):
            try:
                sheet, stored = next(records)
            except RenderTimeout as exc:
                failed += 1
                self.stderr.write(str(exc))
                bar.update(1)
                records = selection.stored_pdfs(ids[index:])
                continue
            except StopIteration:
                break
            target = out_dir / pdf_filename(sheet)
            if changed_only and _sha256_of_file(target) == stored.sha256:
                skipped += 1
                status = "unchanged"
            else:
                with stored.file.open("rb") as source, target.open("wb") as out:
                    shutil.copyfileobj(source, out, 1 << 20)
                written += 1
                status = "written"
            if tty:
                bar.set_postfix_str(sheet.project.code)
                bar.update(1)
            else:
                self.stdout.write(f"[{index}/{len(ids)}] {target.name} {status}")
        bar.close()
        self.stdout.write(f"{written} written, {skipped} unchanged, {failed} failed → {out_dir}")
        if failed:
            raise CommandError(f"{failed} 件のシートを出力できませんでした。")
