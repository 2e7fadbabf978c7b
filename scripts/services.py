#!/usr/bin/env python
"""Make sure PostgreSQL and Redis are reachable, and tell settings how to reach them.

PostgreSQL, in order: $DATABASE_URL; a server on 127.0.0.1:5432 (started with
pg_ctlcluster when installed but stopped); else a private cluster under .data/
from the `pgserver` package. Redis: $REDIS_URL; 127.0.0.1:6379 (started with
redis-server when installed); else none, and Celery runs tasks eagerly.
What was found is written to .env (read by config/settings/base.py).
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV_FILE = ROOT / ".env"
DB_NAME = os.environ.get("ORDERLINE_DB_NAME", "orderline")


def say(message):
    print(f"[services] {message}", flush=True)


def port_open(host, port, timeout=0.5):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_port(host, port, seconds=20):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if port_open(host, port):
            return True
        time.sleep(0.3)
    return False


def can_connect(url):
    import psycopg2

    try:
        psycopg2.connect(url, connect_timeout=3).close()
        return True
    except psycopg2.OperationalError as exc:
        if "does not exist" in str(exc):
            return True  # server is up; the database is created below
        return False


def ensure_database(url):
    import psycopg2
    from urllib.parse import urlparse, urlunparse

    parsed = urlparse(url)
    name = parsed.path.lstrip("/") or DB_NAME
    admin = urlunparse(parsed._replace(path="/postgres"))
    conn = psycopg2.connect(admin, connect_timeout=5)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
            say(f"created database {name}")
    conn.close()


def start_cluster():
    if not shutil.which("pg_ctlcluster"):
        return False
    versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
    for version in versions:
        say(f"starting PostgreSQL {version} with pg_ctlcluster")
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
                       check=False)
    return wait_port("127.0.0.1", 5432)


def private_cluster():
    say("no PostgreSQL server found: starting a private cluster under .data/ (pgserver)")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "pgserver"], check=True)
    import pgserver  # noqa: PLC0415

    data = ROOT / ".data" / "pgdata"
    data.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(str(data), cleanup_mode=None)
    return server.get_uri(DB_NAME)


def postgres_url():
    url = os.environ.get("DATABASE_URL")
    if url:
        if not can_connect(url):
            sys.exit(f"[services] DATABASE_URL is set but PostgreSQL does not answer: {url}")
        return url, False
    local = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
    if port_open("127.0.0.1", 5432) or start_cluster():
        if can_connect(local):
            return local, False
    return private_cluster(), True


def redis_url():
    url = os.environ.get("REDIS_URL")
    if url:
        return url
    if not port_open("127.0.0.1", 6379) and shutil.which("redis-server"):
        say("starting redis-server")
        subprocess.run(["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1",
                        "--port", "6379", "--save", "", "--appendonly", "no"], check=False)
        wait_port("127.0.0.1", 6379, 10)
    if port_open("127.0.0.1", 6379):
        return "redis://127.0.0.1:6379/0"
    say("no Redis: background tasks will run inline (eager mode)")
    return ""


def main():
    db_url, private = postgres_url()
    ensure_database(db_url)
    say(f"PostgreSQL: {db_url}")
    r_url = redis_url()
    if r_url:
        say(f"Redis: {r_url}")
    lines = []
    if private:
        lines.append(f"DATABASE_URL={db_url}")
    if r_url and "REDIS_URL" not in os.environ:
        lines.append(f"REDIS_URL={r_url}")
    ENV_FILE.write_text("".join(f"{line}\n" for line in lines))


if __name__ == "__main__":
    main()
