"""Create the PostgreSQL database named in DATABASE_URL if it does not exist (no-op on SQLite)."""

from django.core.management.base import BaseCommand
from django.db import connections


class Command(BaseCommand):
    help = "DATABASE_URL のデータベースがなければ作成します（SQLite では何もしません）。"

    def handle(self, *args, **options):
        settings_dict = connections["default"].settings_dict
        if settings_dict["ENGINE"] != "django.db.backends.postgresql":
            return
        import psycopg
        from psycopg import sql

        name = settings_dict["NAME"]
        params = {
            "dbname": "postgres",
            "user": settings_dict.get("USER") or None,
            "password": settings_dict.get("PASSWORD") or None,
            "host": settings_dict.get("HOST") or None,
            "port": settings_dict.get("PORT") or None,
        }
        with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                self.stdout.write(f"データベース {name} を作成しました。")
