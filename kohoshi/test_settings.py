"""Test overrides: same settings, faster hashing, tasks run in-process."""
import os
import tempfile

os.environ.setdefault("KOHOSHI_DATA_DIR", tempfile.mkdtemp(prefix="kohoshi-test-"))

from kohoshi.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
# A copy, so kohoshi.settings.STORAGES still says what production uses.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
KOHOSHI_VIEWS_FLUSH_SECONDS = 0  # tests flush buffered views themselves (article_views_flush)
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
