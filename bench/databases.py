"""The benchmarks' own databases, emptied before each run: never the dev or a test database."""

import os
import sys
from pathlib import Path


def prepare_database(db, sqlite_path, default_postgres_url):
    """The DATABASE_URL of an empty database: SQLite's file (and its journal) removed, or
    PostgreSQL's database (BENCH_POSTGRES_URL, else the default) dropped and created again.
    Only a database named wb_bench... or bench... is ever dropped, so never whobenefits,
    postgres or a test database."""
    if db == "sqlite":
        for suffix in ["", "-wal", "-shm"]:
            Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{sqlite_path}"
    import psycopg

    url = os.environ.get("BENCH_POSTGRES_URL", default_postgres_url)
    name = url.rsplit("/", 1)[1]
    if not name.startswith(("wb_bench", "bench")):
        sys.exit(f"Refusing to drop {name!r}: name a database starting with wb_bench.")
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url
