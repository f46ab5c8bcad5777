from django.core.management.base import BaseCommand

from evalsheets import demo


class Command(BaseCommand):
    help = "デモデータ（fixtures/*.yaml：玉名市・伊勢原市・人吉市・広域連携圏域）を読み込みます。"

    def handle(self, *args, **options):
        counts = demo.load_all()
        self.stdout.write(
            self.style.SUCCESS(
                f"デモデータを読み込みました：団体 {counts['municipalities']}、"
                f"圏域 {counts['regions']}、評価シート {counts['sheets']}"
            )
        )
        self.stdout.write(f"デモユーザー（パスワードはすべて {demo.DEMO_PASSWORD}）:")
        self.stdout.write(f"  {'admin':<20} 管理者（Django admin）")
        for username, municipality, role, section in demo.demo_user_table():
            self.stdout.write(f"  {username:<20} {municipality} {role} {section}")
