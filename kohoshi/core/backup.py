"""Backups of the database and the uploaded files (MEDIA_ROOT), with a manifest to check them by.

A backup is a directory:

    manifest.json      format, time, database vendor, rows per table, sha256 of every file
    database.sqlite3   SQLite: a copy made with the online backup API (consistent while serving)
    database.dump      PostgreSQL: `pg_dump --format=custom`, taken in the snapshot the rows
                       were counted in
    media/…            every file under MEDIA_ROOT

`backup_create` and `backup_restore` are what `kohoshi backup DIR` and `kohoshi restore DIR` call.
A restore checks every file against the manifest first, refuses a database that has tables (or a
MEDIA_ROOT that has files) unless forced, and afterwards compares the rows per table and the
restored files with the manifest. A backup restores into the same kind of database it came from.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
MEDIA = "media"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the operator."""


@dataclass
class Manifest:
    vendor: str
    tables: dict[str, int]
    files: dict[str, str]
    created_at: str = ""

    def as_json(self) -> str:
        return json.dumps(
            {"format": FORMAT, "created_at": self.created_at, "vendor": self.vendor,
             "tables": self.tables, "files": self.files},
            ensure_ascii=False, indent=2, sort_keys=True,
        )

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        try:
            data = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BackupError(f"{directory / MANIFEST} がありません: バックアップのディレクトリではありません") from None
        if data.get("format") != FORMAT:
            raise BackupError(f"未知のバックアップ形式です (format={data.get('format')!r})")
        return cls(vendor=data["vendor"], tables=data["tables"], files=data["files"], created_at=data["created_at"])


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# ---------------------------------------------------------------------------- backup


def backup_create(directory: Path, *, using: str = "default") -> Manifest:
    """Write a backup of the database and MEDIA_ROOT into `directory` (new or empty)."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} は空ではありません: 新しいディレクトリを指定してください")
    directory.mkdir(parents=True, exist_ok=True)
    connection = connections[using]
    if connection.vendor == "sqlite":
        tables = _sqlite_backup(connection, directory / SQLITE_FILE)
    elif connection.vendor == "postgresql":
        tables = _pg_backup(connection, directory / PG_FILE)
    else:
        raise BackupError(f"{connection.vendor} のバックアップには対応していません")
    media_root = Path(settings.MEDIA_ROOT)
    for path in _files_under(media_root):
        target = directory / MEDIA / path.relative_to(media_root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    files = {
        p.relative_to(directory).as_posix(): sha256_file(p) for p in _files_under(directory) if p.name != MANIFEST
    }
    manifest = Manifest(
        vendor=connection.vendor, tables=tables, files=files, created_at=timezone.now().isoformat(timespec="seconds")
    )
    partial = directory / f"{MANIFEST}.tmp"
    partial.write_text(manifest.as_json(), encoding="utf-8")
    partial.replace(directory / MANIFEST)  # a backup without its manifest is visibly unfinished
    return manifest


def _sqlite_backup(connection, target: Path) -> dict[str, int]:
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)  # a consistent copy while others keep writing
        # The copy keeps the live file's WAL mode, and opening it would then make -wal and -shm
        # files beside it: one self-contained file instead.
        destination.execute("PRAGMA journal_mode=DELETE")
    finally:
        destination.close()
    # Counted in the copy: the same state the copy holds.
    return sqlite_row_counts(target)


def sqlite_row_counts(path: Path) -> dict[str, int]:
    db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {name: db.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in names}
    finally:
        db.close()


def _pg_env(connection) -> tuple[list[str], dict[str, str]]:
    s = connection.settings_dict
    args = ["--dbname", s["NAME"]]
    if s["HOST"]:
        args += ["--host", s["HOST"]]
    if s["PORT"]:
        args += ["--port", str(s["PORT"])]
    if s["USER"]:
        args += ["--username", s["USER"]]
    env = {**os.environ}
    if s["PASSWORD"]:
        env["PGPASSWORD"] = s["PASSWORD"]
    return args, env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(f"{name} がありません: PostgreSQLのクライアント (Debian: postgresql-client) を入れてください")
    return path


def _pg_backup(connection, target: Path) -> dict[str, int]:
    args, env = _pg_env(connection)
    pg_dump = _pg_tool("pg_dump")
    connection.ensure_connection()
    # pg_dump reads the snapshot the rows are counted in, so the manifest matches the dump
    # exactly even while the site keeps writing.
    with connection.connection.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            tables = _pg_row_counts(cursor)
            subprocess.run(
                [pg_dump, *args, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                 "--file", str(target)],
                env=env, check=True, capture_output=True, text=True,
            )
        except subprocess.CalledProcessError as exc:
            raise BackupError(f"pg_dump が失敗しました: {exc.stderr.strip()}") from None
        finally:
            cursor.execute("ROLLBACK")
    return tables


def _pg_row_counts(cursor) -> dict[str, int]:
    cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY c.relname"
    )
    names = [r[0] for r in cursor.fetchall()]
    counts = {}
    for name in names:
        # ONLY: a partitioned table's rows are counted once, in its partitions.
        cursor.execute(f'SELECT COUNT(*) FROM ONLY "{name}"')
        counts[name] = cursor.fetchone()[0]
    return counts


def database_row_counts(*, using: str = "default") -> dict[str, int]:
    connection = connections[using]
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            names = [r[0] for r in cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
            return {n: cursor.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}
    with connection.cursor() as cursor:
        return _pg_row_counts(cursor)


# ---------------------------------------------------------------------------- restore


def backup_verify(directory: Path) -> Manifest:
    """Check every file of the backup against the manifest (and that nothing is missing)."""
    directory = Path(directory)
    manifest = Manifest.read(directory)
    present = {p.relative_to(directory).as_posix() for p in _files_under(directory) if p.name != MANIFEST}
    missing = sorted(set(manifest.files) - present)
    if missing:
        raise BackupError(f"バックアップのファイルが足りません: {', '.join(missing[:5])}")
    extra = sorted(present - set(manifest.files))
    if extra:
        raise BackupError(f"マニフェストにないファイルがあります: {', '.join(extra[:5])}")
    for name, digest in manifest.files.items():
        if sha256_file(directory / name) != digest:
            raise BackupError(f"{name} の内容がマニフェストと違います (sha256)")
    return manifest


def backup_restore(directory: Path, *, force: bool = False, using: str = "default") -> Manifest:
    """Restore a verified backup into the database and MEDIA_ROOT.

    Refuses when the database already has tables or MEDIA_ROOT has files, unless `force`: then
    nothing is deleted but kept aside, for the operator to remove once satisfied: the SQLite
    file is copied to <file>.before-restore-<time>, PostgreSQL's schema is renamed to
    <schema>_before_restore_<time>, and MEDIA_ROOT is moved to MEDIA_ROOT.before-restore-<time>.
    """
    directory = Path(directory)
    manifest = backup_verify(directory)
    connection = connections[using]
    if manifest.vendor != connection.vendor:
        raise BackupError(
            f"このバックアップは {manifest.vendor} のものです: {connection.vendor} には戻せません"
        )
    media_root = Path(settings.MEDIA_ROOT)
    existing_tables = connection.introspection.table_names()
    if not force:
        if existing_tables:
            raise BackupError(
                f"データベースが空ではありません (テーブル {len(existing_tables)} 個)。"
                "新しい空のデータベースに戻すか、置き換えてよければ --force を付けてください"
            )
        if _files_under(media_root):
            raise BackupError(f"{media_root} にファイルがあります。空にするか、--force を付けてください")

    keep_aside = f"before-restore-{timezone.now():%Y%m%d%H%M%S}" if existing_tables else ""
    if connection.vendor == "sqlite":
        _sqlite_restore(connection, directory / SQLITE_FILE, keep_aside=keep_aside)
    else:
        _pg_restore(connection, directory / PG_FILE, keep_aside=keep_aside)

    if _files_under(media_root):
        media_root.rename(media_root.with_name(f"{media_root.name}.before-restore-{timezone.now():%Y%m%d%H%M%S}"))
    media_root.mkdir(parents=True, exist_ok=True)
    for name in manifest.files:
        if name.startswith(f"{MEDIA}/"):
            target = media_root / name.removeprefix(f"{MEDIA}/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(directory / name, target)

    restored = database_row_counts(using=using)
    wrong = {t: (n, restored.get(t)) for t, n in manifest.tables.items() if restored.get(t) != n}
    if wrong:
        raise BackupError(f"戻した行数がマニフェストと違います: {wrong}")
    for name, digest in manifest.files.items():
        if name.startswith(f"{MEDIA}/") and sha256_file(media_root / name.removeprefix(f"{MEDIA}/")) != digest:
            raise BackupError(f"戻したファイル {name} の内容が違います")
    return manifest


def _sqlite_restore(connection, source: Path, *, keep_aside: str) -> None:
    connection.ensure_connection()
    if keep_aside:
        aside = sqlite3.connect(f"{connection.settings_dict['NAME']}.{keep_aside}")
        try:
            connection.connection.backup(aside)
        finally:
            aside.close()
    origin = sqlite3.connect(f"file:{source}?mode=ro&immutable=1", uri=True)
    try:
        origin.backup(connection.connection)  # replaces every page of the live database
    finally:
        origin.close()
    connection.close()


def _pg_restore(connection, source: Path, *, keep_aside: str) -> None:
    """pg_restore into the current schema; with `keep_aside`, the schema that is there is renamed
    first (and renamed back if the restore fails). `pg_restore --clean` is no help here: it
    cannot drop the constraints of the search index's partitions."""
    args, env = _pg_env(connection)
    pg_restore = _pg_tool("pg_restore")
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
        old = f"{schema}_{keep_aside}".replace("-", "_")
        if keep_aside:
            cursor.execute(f'ALTER SCHEMA "{schema}" RENAME TO "{old}"')
            cursor.execute(f'CREATE SCHEMA "{schema}"')
    connection.close()
    command = [pg_restore, *args, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
    try:
        subprocess.run([*command, str(source)], env=env, check=True, capture_output=True, text=True)
    except subprocess.CalledProcessError as exc:
        if keep_aside:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA "{schema}" CASCADE')
                cursor.execute(f'ALTER SCHEMA "{old}" RENAME TO "{schema}"')
        raise BackupError(f"pg_restore が失敗しました: {exc.stderr.strip()}") from None
