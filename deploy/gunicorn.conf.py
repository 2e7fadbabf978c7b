"""Gunicorn settings for Orderline in production.

Run from the project directory (/srv/orderline, or /srv/orderline in the image):

    .venv/bin/gunicorn --config deploy/gunicorn.conf.py

nginx on the same host (or in the same network namespace under compose) is the only
client: gunicorn listens on 127.0.0.1:8000 and trusts forwarded headers from there only.
"""

import os

# wsgi.py, manage.py and config/celery.py default to the *dev* settings (DEBUG on).
# Make the production settings the default for the web process whatever the caller
# forgot; an explicit DJANGO_SETTINGS_MODULE in the environment still wins.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

wsgi_app = "config.wsgi:application"
proc_name = "orderline-web"

# --- socket -------------------------------------------------------------------------
# Only nginx talks to gunicorn. Do not bind 0.0.0.0: the forwarded-header trust below
# assumes every peer is the local proxy.
bind = "127.0.0.1:8000"
backlog = 512

# --- workers ------------------------------------------------------------------------
# Sized for 2 cores: 3 processes x 4 threads = 12 requests in flight. Requests mostly
# wait on PostgreSQL, so threads are cheap; processes give CPU parallelism and
# isolation. Every thread can hold one database connection (CONN_MAX_AGE > 0), so
# workers x threads per node counts against PostgreSQL / PgBouncer limits.
# WEB_CONCURRENCY is gunicorn's own conventional variable.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))

# Recycle workers now and then so slow leaks cannot grow forever.
max_requests = 2000
max_requests_jitter = 200

# Import the application in each worker, not in the master: a HUP reload then picks
# up new code, and no database connection can be shared across fork().
preload_app = False

# --- timeouts -----------------------------------------------------------------------
# A request running longer than this gets its worker killed (nginx waits 70 s).
timeout = 60
# SIGTERM / SIGHUP: let requests in flight finish for this long.
graceful_timeout = 30
# Idle keep-alive connections from nginx's upstream pool. Must be longer than
# nginx's upstream keepalive_timeout (60 s) so nginx, not gunicorn, closes them:
# otherwise a POST could be sent on a connection gunicorn is closing.
keepalive = 75

# The heartbeat file lives in memory, not on a possibly slow disk (matters in Docker).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# --- proxy headers --------------------------------------------------------------------
# Trust X-Forwarded-Proto only from the local nginx. Django reads the same header
# through SECURE_PROXY_SSL_HEADER; nginx always overwrites it.
forwarded_allow_ips = "127.0.0.1,::1"
# Only the header nginx sets. With gunicorn's default (three headers), a client
# sending a contradictory X-Forwarded-Ssl would get its request rejected.
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

# --- logging ------------------------------------------------------------------------
# To stdout/stderr: journald (systemd) or the container log collects them.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# client IP (as set by nginx), Host (= the tenant), request, status, bytes, time in ms.
access_log_format = (
    '%({x-forwarded-for}i)s "%({host}i)s" %(t)s "%(r)s" %(s)s %(b)s %(M)sms '
    '"%(f)s" "%(a)s"'
)

# --- misc -----------------------------------------------------------------------------
# No runtime control socket: systemd / docker manage the process, and the service
# user has no writable home for it.
control_socket_disable = True
