# The image of the web process (gunicorn) and of the task worker (manage.py db_worker):
# docker-compose.yml runs both from it; docs/deploy.md describes the environment.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Pango and HarfBuzz for WeasyPrint, the IPAex fonts as in `make run`, and the PostgreSQL
# client for `manage.py backup` / `restore` (pg_dump, pg_restore).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
      libharfbuzz-subset0 fonts-ipaexfont postgresql-client \
 && rm -rf /var/lib/apt/lists/*

# The processes run as this user, not as root. It owns only the data directories.
RUN groupadd --system --gid 10001 evalsheets \
 && useradd --system --uid 10001 --gid evalsheets --create-home \
      --home-dir /home/evalsheets --shell /usr/sbin/nologin evalsheets \
 && mkdir -p /data/media /data/backups \
 && chown evalsheets:evalsheets /data/media /data/backups

WORKDIR /app
# The dependencies of pyproject.toml first: this layer is rebuilt only when they change.
COPY pyproject.toml README.md ./
RUN pip install .

# The code (.dockerignore keeps out .env, databases, media, .venv, .git, test artifacts).
COPY . .
# Hashed and compressed static files, served by WhiteNoise (the key is for this step only).
RUN DEBUG=0 SECRET_KEY=collectstatic-only HTTPS=0 python manage.py collectstatic --no-input -v0

ENV MEDIA_ROOT=/data/media \
    BACKUP_ROOT=/data/backups \
    HOME=/home/evalsheets
USER evalsheets
EXPOSE 8000
CMD ["gunicorn", "-c", "gunicorn.conf.py", "evalsheets.wsgi"]
