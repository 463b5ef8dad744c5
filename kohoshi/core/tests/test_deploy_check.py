"""`kohoshi check --deploy` is clean with the production settings docs/serving.md lists."""
import os
import secrets
import subprocess
import sys


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        KOHOSHI_DATA_DIR=str(tmp_path), KOHOSHI_SECRET_KEY=secrets.token_urlsafe(60), KOHOSHI_HTTPS="1",
        KOHOSHI_HSTS_SUBDOMAINS="1", KOHOSHI_HSTS_PRELOAD="1", KOHOSHI_TRUSTED_PROXY="127.0.0.1",
        KOHOSHI_ALLOWED_HOSTS="kohoshi.example.jp", KOHOSHI_SITE_URL="https://kohoshi.example.jp",
    )
    result = subprocess.run([sys.executable, "-m", "kohoshi", "check", "--deploy", "--fail-level", "WARNING"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
