"""Write a municipality's year as one workbook (the same file as the page's export).

    python manage.py export_xlsx --municipality 432067 --year 2023 --out year.xlsx

The year may be given as 2023, R5 or 令和5年度.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.wareki import parse_fiscal_year
from evalsheets.transfer.export import write_year_workbook
from municipalities.models import Municipality


class Command(BaseCommand):
    help = "団体の1年度分のデータ（事務事業・評価シート・事業費など）を1つのExcelに書き出します。"

    def add_arguments(self, parser):
        parser.add_argument("--municipality", required=True, help="全国地方公共団体コード")
        parser.add_argument("--year", required=True, help="実施年度（2023、R5、令和5年度）")
        parser.add_argument("--out", required=True, help="出力先のファイル（.xlsx）")

    def handle(self, *args, **options):
        town = Municipality.objects.filter(code=options["municipality"]).first()
        if town is None:
            raise CommandError(f"団体コード「{options['municipality']}」の団体はありません。")
        try:
            year = parse_fiscal_year(options["year"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        out = Path(options["out"])
        with out.open("wb") as handle:
            count = write_year_workbook(handle, town, year)
        self.stdout.write(f"{town.name} {year}年度：評価シート{count}件を {out} に書き出しました。")
