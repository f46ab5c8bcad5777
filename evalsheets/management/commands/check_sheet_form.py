from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from evalsheets.layouts.definition import DefinitionError, parse_file


class Command(BaseCommand):
    help = "様式定義ファイル（YAML）を検査します。誤りはキーの位置と行番号つきで示します。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"{file}: ファイルがありません。")
        try:
            layout = parse_file(file)
        except DefinitionError as exc:
            for problem in exc.problems:
                self.stderr.write(f"{file}: {problem}")
            raise CommandError(f"{file}: {len(exc.problems)}件の誤りがあります。") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{file}: 様式「{layout.name or layout.key}」（{layout.key} 第{layout.version}版）"
                f"は正しく書けています。項目 {len(layout.fields)}、"
                f"独自項目 {len(layout.extra_fields)}、評価の視点 {len(layout.viewpoints)}。"
            )
        )
