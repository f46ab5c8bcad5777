"""Import a year workbook (or one table as CSV) into a municipality, as the page does.

    python manage.py import_xlsx FILE --municipality 432067 [--dry-run]

Prints the counts per table and every error as シート / 行 / 列 / 内容; with errors,
nothing is imported and the command exits with status 1. ``--dry-run`` stops after the
preview. The import is one transaction with one audit entry (the file's SHA-256 and the
counts), recorded without a user.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.import_limits import import_max_bytes
from evalsheets.transfer.reading import FileRefused, read_upload, too_large
from evalsheets.transfer.service import ImportRefused, apply_import, plan_import
from municipalities.models import Municipality


class Command(BaseCommand):
    help = "Excel（年度のデータ）またはCSV（1つの表）を団体のデータとして取り込みます。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="取り込むファイル（.xlsx または .csv）")
        parser.add_argument("--municipality", required=True, help="全国地方公共団体コード")
        parser.add_argument("--dry-run", action="store_true", help="確認だけして取り込まない")

    def _report(self, plan):
        for title, counts in plan.table_counts():
            self.stdout.write(
                f"{title}: 追加 {counts['create']} / 更新 {counts['update']} / "
                f"変更なし {counts['unchanged']} / 削除 {counts['delete']} / "
                f"対象外 {counts['skipped']}"
            )
        for name, reason in plan.skipped:
            self.stdout.write(f"取り込まない: {name}：{reason}")
        for note in plan.notes:
            self.stdout.write(note)
        for problem in plan.problems:
            row = "" if problem.row is None else f"{problem.row}行"
            self.stderr.write(f"{problem.sheet} {row} {problem.column}: {problem.message}")

    def handle(self, *args, **options):
        town = Municipality.objects.filter(code=options["municipality"]).first()
        if town is None:
            raise CommandError(f"団体コード「{options['municipality']}」の団体はありません。")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"ファイル {path} がありません。")
        try:
            if path.stat().st_size > import_max_bytes():
                raise too_large()
            data = path.read_bytes()
            book = read_upload(data, path.name)
        except FileRefused as refused:
            raise CommandError(refused.message) from refused
        if options["dry_run"]:
            plan = plan_import(book, town, data=data, file_name=path.name)
            self._report(plan)
            if not plan.ok:
                raise CommandError(f"エラーが{len(plan.problems)}件あります。取り込めません。")
            self.stdout.write("確認のみ（--dry-run）：データは変更していません。")
            return
        try:
            plan = apply_import(book, town, None, data=data, file_name=path.name)
        except ImportRefused as refused:
            self._report(refused.plan)
            raise CommandError(
                f"エラーが{len(refused.plan.problems)}件あります。何も取り込んでいません。"
            ) from refused
        self._report(plan)
        self.stdout.write(f"取り込みました（SHA-256 {plan.sha256}）。")
