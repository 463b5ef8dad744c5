"""kohoshi.wsgi freezes what the application loaded, so that the collector's full passes in a web
process do not walk it on every pass (a 29 ms pause each on the demo site)."""
import subprocess
import sys

PROBE = """
import gc, os, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kohoshi.settings")
import kohoshi.wsgi
frozen = gc.get_freeze_count()
t = time.perf_counter(); gc.collect(); after = time.perf_counter() - t
gc.unfreeze()
t = time.perf_counter(); gc.collect(); unfrozen = time.perf_counter() - t
print(frozen, after, unfrozen)
"""


def test_the_application_is_frozen_once_loaded_and_full_collections_skip_it(tmp_path):
    env = {"KOHOSHI_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "KOHOSHI_VIEWS_FLUSH_SECONDS": "3600"}
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, check=True, capture_output=True, text=True)
    frozen, after, unfrozen = out.stdout.split()
    assert int(frozen) > 50_000  # Django, the URL configuration and the apps
    assert float(after) < float(unfrozen) / 3
