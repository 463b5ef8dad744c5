"""Settings that protect data at rest (issue #10)."""
import os
import stat
import subprocess
import sys


def test_sqlite_file_and_secret_key_are_readable_by_their_owner_only(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(KOHOSHI_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="kohoshi.settings")
    env.pop("KOHOSHI_SECRET_KEY", None)
    script = (
        "import os; os.umask(0o022)\n"
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "with connection.cursor() as c: c.execute('CREATE TABLE t (x text)'); c.execute(\"INSERT INTO t VALUES ('hash')\")\n"
        "print(sorted(os.listdir(os.environ['KOHOSHI_DATA_DIR'])))\n"
    )
    subprocess.run([sys.executable, "-c", f"import os; os.umask(0o022)\n{script}"], env=env, check=True, timeout=60)
    files = [tmp_path / "kohoshi.sqlite3", tmp_path / "secret_key"]
    files += [p for p in tmp_path.iterdir() if p.name.startswith("kohoshi.sqlite3-")]  # -wal, -shm while open
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_an_existing_world_readable_sqlite_file_is_made_private(tmp_path):
    db = tmp_path / "kohoshi.sqlite3"
    db.touch(mode=0o644)
    db.chmod(0o644)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(KOHOSHI_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="kohoshi.settings")
    subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=env, check=True, timeout=60)
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
