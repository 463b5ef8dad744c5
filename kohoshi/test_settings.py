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
# Tests render every page unless they test the page cache (kohoshi/reading/tests/test_pagecache.py
# turns it on): most tests change data inside a transaction that never commits, so the
# after-commit invalidation would not run.
KOHOSHI_PAGE_CACHE = False
CACHES = {**CACHES, "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "kohoshi-pages"}}  # noqa: F405
# Furigana and audio follow every issue write in production; tests that are about them turn it on.
KOHOSHI_READING_AIDS_AUTO = False
