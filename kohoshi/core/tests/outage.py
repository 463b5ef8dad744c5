"""A database outage without stopping the server others use: refuse new connections to the test
database and end every open one, then allow connections again."""
from contextlib import contextmanager

import psycopg
from django.db import connection


def _admin():
    s = connection.settings_dict
    return psycopg.connect(
        dbname="postgres", host=s["HOST"] or None, port=s["PORT"] or None, user=s["USER"] or None,
        password=s["PASSWORD"] or None, autocommit=True,
    )


def terminate_connections() -> int:
    """End every connection to the test database (but the admin's own); returns how many."""
    with _admin() as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [connection.settings_dict["NAME"]],
        ).fetchall()
    return len(rows)


@contextmanager
def database_outage():
    """Inside the block the test database accepts no connection and every open one is gone."""
    name = connection.settings_dict["NAME"]
    with _admin() as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        try:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            )
            yield
        finally:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    connection.close()  # this test's own connection died too
