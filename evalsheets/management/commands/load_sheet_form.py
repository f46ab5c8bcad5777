from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from evalsheets.layouts.definition import DefinitionError, read_text
from evalsheets.models.definitions import DefinitionRefused, install_definition


class Command(BaseCommand):
    help = (
        "様式定義ファイル（YAML）を登録・更新します。使用中の様式の新しい版は、"
        "その様式の最新のシートの翌年度から適用されます（公表済みのPDFは変わりません）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--valid-from", type=int, help="適用開始年度（西暦）。省略時は自動で決めます。"
        )

    def handle(self, *args, file: Path, valid_from=None, **options):
        if not file.is_file():
            raise CommandError(f"{file}: ファイルがありません。")
        try:
            row, created = install_definition(
                read_text(file), installed_by="manage.py", valid_from=valid_from
            )
        except DefinitionError as exc:
            for problem in exc.problems:
                self.stderr.write(f"{file}: {problem}")
            raise CommandError(
                f"{file}: {len(exc.problems)}件の誤りがあります。何も登録していません。"
            ) from None
        except DefinitionRefused as exc:
            raise CommandError(f"{file}: {exc.message} 何も登録していません。") from None
        if not created:
            self.stdout.write(f"{file}: {row} は登録済みです（同じ内容）。")
            return
        since = f"{row.valid_from}年度のシートから" if row.valid_from else "すべてのシートに"
        self.stdout.write(self.style.SUCCESS(f"{file}: {row} を登録しました（{since}適用）。"))
