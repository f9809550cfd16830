"""The production stack's stores on this machine: its PostgreSQL database (created with the
tracker table before the replicas start, dropped on request) and its Redis locks."""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from typing import Any

PROBE_SENDER = "__stack_probe__"


def _pg_connect(settings: Mapping[str, str], db: str) -> Any:
    import psycopg2  # rasa[spacy] pulls it in (psycopg2-binary) for the SQL tracker store

    conn = psycopg2.connect(
        host=settings["TRACKER_DB_HOST"],
        port=int(settings["TRACKER_DB_PORT"]),
        user=settings["TRACKER_DB_USER"],
        password=settings["TRACKER_DB_PASSWORD"] or None,
        dbname=db,
    )
    conn.autocommit = True  # CREATE / DROP DATABASE cannot run inside a transaction
    return conn


def ensure_database(settings: Mapping[str, str]) -> None:
    """Create the tracker database if missing, and its table (Rasa's own schema), before any
    replica starts: replicas creating them at once would race."""
    from psycopg2 import sql

    name = settings["TRACKER_DB"]
    conn = _pg_connect(settings, "postgres")
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cur.fetchone() is None:
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()
    # Rasa 3.6's SQLAlchemy 1.4 code warns about SQLAlchemy 2.0 as it is imported (and importing
    # Rasa resets the warning filters, so only SQLAlchemy's own switch silences that one).
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    from rasa.core.tracker_store import SQLTrackerStore

    with warnings.catch_warnings():  # ... and again when it builds the database URL
        warnings.simplefilter("ignore")
        store = SQLTrackerStore(
            dialect="postgresql",
            host=settings["TRACKER_DB_HOST"],
            port=int(settings["TRACKER_DB_PORT"]),
            username=settings["TRACKER_DB_USER"],
            password=settings["TRACKER_DB_PASSWORD"] or None,
            db=name,
        )
    store.engine.dispose()


def forget_probes(settings: Mapping[str, str]) -> None:
    """Delete the start-up probes' conversations: the tracker database holds patients only."""
    conn = _pg_connect(settings, settings["TRACKER_DB"])
    try:
        with conn.cursor() as cur:
            cur.execute(
                "DELETE FROM events WHERE sender_id LIKE %s", (PROBE_SENDER.replace("_", r"\_") + "%",)
            )
    finally:
        conn.close()


def drop_database(settings: Mapping[str, str]) -> None:
    from psycopg2 import sql

    conn = _pg_connect(settings, "postgres")
    try:
        with conn.cursor() as cur:
            cur.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(settings["TRACKER_DB"])
                )
            )
    finally:
        conn.close()


def clear_locks(settings: Mapping[str, str]) -> None:
    import redis  # type: ignore[import-untyped]  # no stubs in the pinned set

    store = redis.Redis(
        host=settings["LOCK_REDIS_HOST"],
        port=int(settings["LOCK_REDIS_PORT"]),
        db=int(settings["LOCK_REDIS_DB"]),
    )
    for key in store.scan_iter(f"{settings['LOCK_KEY_PREFIX']}*"):
        store.delete(key)


# --- processes -------------------------------------------------------------------------------
