"""`kohoshi backup` / `kohoshi restore`: every row of every table and every file comes back."""
import json
import os
import sqlite3
import subprocess
import sys
from datetime import date, datetime
from datetime import timezone as dt_timezone
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from kohoshi.accounts.models import Role
from kohoshi.core.backup import MANIFEST, BackupError, backup_verify, sha256_file
from kohoshi.engagement.services import article_view_record, article_views_flush, survey_response_create
from kohoshi.ingest import page_images, runs
from kohoshi.places.models import Municipality
from kohoshi.staff.tests.factories import make_issue, make_staff

from .outage import _admin

POSTGRES = connection.vendor == "postgresql"
BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1"
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def site(settings, tmp_path, simple_pdf):
    """A little of everything: published articles (and their search index), views, a survey
    answer, staff with a role and an audit trail, a PDF ingest run with its upload and a page image."""
    settings.MEDIA_ROOT = tmp_path / "media"
    issue = make_issue(n_articles=4)
    article = issue.articles.first()
    for _ in range(3):
        article_view_record(article, user_agent=BROWSER)
    article_views_flush(everything=True)
    survey_response_create(article, helpful="役に立った", comment="写真がほしいです")
    make_staff("tomakomai", role=Role.PUBLISHER)
    run = runs.ingest_run_create(
        municipality=Municipality.objects.get(code="012131"), newsletter_title="広報とまこまい",
        published_on=date(2024, 5, 1), pdf_file=simple_pdf, filename="koho.pdf",
    )
    run.refresh_from_db()
    page_images.page_image_path(run, 1)
    return settings.MEDIA_ROOT


def _pg_url(name: str) -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return f"postgres://{s['USER']}{password}@{s['HOST']}:{s['PORT']}/{name}"


def _source_rows() -> dict[str, list]:
    if POSTGRES:  # read by the same plain driver as the restored side (no Django adapters)
        with psycopg.connect(_pg_url(connection.settings_dict["NAME"])) as db, db.cursor() as cursor:
            return {table: _rows(cursor, table) for table in _tables(cursor, "postgresql")}
    with connection.cursor() as cursor:
        return {table: _rows(cursor, table) for table in _tables(cursor, "sqlite")}


def _tables(cursor, vendor: str) -> list[str]:
    if vendor == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    else:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY c.relname"
        )
    return [r[0] for r in cursor.fetchall()]


def _rows(cursor, table: str) -> list:
    only = "ONLY " if POSTGRES else ""
    cursor.execute(f'SELECT * FROM {only}"{table}"')  # a partitioned table's rows once, in its partitions
    return sorted(repr(tuple(map(_plain, row))) for row in cursor.fetchall())


def _plain(value):
    """The same instant reads back with another tzinfo object through another driver setup."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(dt_timezone.utc).isoformat()
    return value


class Target:
    """A new, empty database (and data directory) for `kohoshi restore` in another process."""

    def __init__(self, tmp_path: Path):
        self.data_dir = tmp_path / "restored"
        self.env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        self.env |= {"DJANGO_SETTINGS_MODULE": "kohoshi.settings", "KOHOSHI_DATA_DIR": str(self.data_dir)}
        if POSTGRES:
            s = connection.settings_dict
            self.name = f"{s['NAME']}_restored"
            with _admin() as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
                admin.execute(f'CREATE DATABASE "{self.name}"')
            self.url = _pg_url(self.name)
            self.env["DATABASE_URL"] = self.url

    def restore(self, backup: Path, *extra) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "kohoshi", "restore", str(backup), *extra],
            env=self.env, capture_output=True, text=True,
        )

    def rows(self) -> dict[str, list]:
        if POSTGRES:
            with psycopg.connect(self.url) as db, db.cursor() as cursor:
                return {table: _rows(cursor, table) for table in _tables(cursor, "postgresql")}
        # Read with the converters Django's SQLite backend registered, like the source side.
        db = sqlite3.connect(self.data_dir / "kohoshi.sqlite3", detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES)
        try:
            cursor = db.cursor()
            return {table: _rows(cursor, table) for table in _tables(cursor, "sqlite")}
        finally:
            db.close()

    def drop(self) -> None:
        if POSTGRES:
            with _admin() as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def target(tmp_path):
    target = Target(tmp_path)
    yield target
    target.drop()


def _files(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): sha256_file(p) for p in sorted(root.rglob("*")) if p.is_file()}


def test_restore_gives_back_every_row_of_every_table_and_every_file(site, target, tmp_path):
    backup = tmp_path / "backup"
    call_command("backup", str(backup))
    manifest = json.loads((backup / MANIFEST).read_text())
    source = _source_rows()
    assert manifest["vendor"] == connection.vendor
    assert {t: len(rows) for t, rows in source.items() if t in manifest["tables"]} == manifest["tables"]
    assert manifest["tables"]["newsletters_article"] >= 4 and manifest["tables"]["engagement_surveyresponse"] == 1
    media = _files(site)
    assert len(media) >= 2  # the uploaded PDF and its page image
    assert {f"media/{name}": digest for name, digest in media.items()}.items() <= manifest["files"].items()

    done = target.restore(backup)
    assert done.returncode == 0, done.stderr
    assert target.rows() == source
    assert _files(target.data_dir / "media") == media

    # The restored site (a file database in WAL mode, or a new PostgreSQL database) backs up
    # again to the same rows, in one database file beside its media.
    second = tmp_path / "second"
    made = subprocess.run(
        [sys.executable, "-m", "kohoshi", "backup", str(second)], env=target.env, capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr
    again_manifest = json.loads((second / MANIFEST).read_text())
    assert again_manifest["tables"] == manifest["tables"]
    assert again_manifest["files"] == manifest["files"] | {
        name: digest for name, digest in again_manifest["files"].items() if name.startswith("database.")
    }
    assert sorted(p.name for p in second.iterdir() if p.is_file()) == sorted(
        ["manifest.json", "database.dump" if POSTGRES else "database.sqlite3"]
    )

    again = target.restore(backup)
    assert again.returncode != 0 and "空ではありません" in again.stderr
    forced = target.restore(backup, "--force")
    assert forced.returncode == 0, forced.stderr
    assert target.rows() == source
    assert _files(target.data_dir / "media") == media
    # What --force replaced was kept aside, not deleted.
    assert list(target.data_dir.glob("media.before-restore-*"))
    if POSTGRES:
        with psycopg.connect(target.url) as db:
            kept = db.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'public_before_restore_%'").fetchall()
        assert len(kept) == 1
    else:
        assert list(target.data_dir.glob("kohoshi.sqlite3.before-restore-*"))


def test_restore_refuses_a_database_that_has_tables(site, tmp_path):
    call_command("backup", str(tmp_path / "backup"))
    with pytest.raises(CommandError, match="空ではありません"):
        call_command("restore", str(tmp_path / "backup"))


def test_a_damaged_or_incomplete_backup_is_refused_before_anything_is_restored(site, tmp_path):
    backup = tmp_path / "backup"
    call_command("backup", str(backup))
    assert backup_verify(backup)
    pdf = next(backup.glob("media/private/ingest/*.pdf"))
    pdf.write_bytes(pdf.read_bytes() + b"x")
    with pytest.raises(BackupError, match="sha256"):
        backup_verify(backup)
    pdf.unlink()
    with pytest.raises(CommandError, match="足りません"):
        call_command("restore", str(backup), "--force")


def test_backup_refuses_a_directory_that_is_not_empty(site, tmp_path):
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "old.txt").write_text("x")
    with pytest.raises(CommandError, match="空ではありません"):
        call_command("backup", str(tmp_path / "backup"))
