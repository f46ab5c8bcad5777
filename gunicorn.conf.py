"""gunicorn settings of the web process (docker-compose.yml, the systemd unit of
docs/deploy.md and the CI smoke test .ci/smoke all start gunicorn with this file).

Environment (all optional):

* ``GUNICORN_BIND``: address to listen on, default ``0.0.0.0:8000``;
* ``WEB_CONCURRENCY``: number of worker processes, default 2 × CPUs + 1 (at most 9);
* ``GUNICORN_TIMEOUT``: seconds a request may take before its worker is killed, default 60.

Sync workers: a page is short, but a sheet whose PDF is not stored yet is rendered in the
request (evalsheets.pdf.storage.ensure_pdf, about 0.25 s, stopped after PDF_RENDER_TIMEOUT = 30 s).
The timeout is twice that limit, so the render's own time limit always fires first and the
user gets an error page rather than a killed worker. Booklets and ZIP exports run in
``manage.py db_worker``, never in a web request.
"""

import os


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this container may use
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Each process holds the fonts once it has rendered a PDF (about 150 MiB): the cap keeps
# a large machine from starting more processes than the memory allows.
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * _cpus() + 1, 9))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 60)
graceful_timeout = 30
keepalive = 5
# Restart a process now and then: the memory of a long-lived render process only grows.
max_requests = 1000
max_requests_jitter = 100

# Access log and errors to the container's stdout/stderr (the journal under systemd).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The client address as the proxy saw it (X-Forwarded-For) is logged next to the rest.
access_log_format = '%(h)s %({x-forwarded-for}i)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(L)ss'
# gunicorn trusts X-Forwarded-* only from these addresses (the TLS proxy in front).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# No control socket (gunicornc is not used; two servers on one machine would share its path).
control_socket_disable = True
