from django.core.management import get_commands


def test_serve_is_a_core_command_and_load_demo_an_ingest_one():
    commands = get_commands()
    assert commands["serve"] == "kohoshi.core"
    assert commands["load_demo"] == "kohoshi.ingest"


def test_serve_starts_the_worker_that_outlives_database_outages():
    from pathlib import Path

    from kohoshi.core.management.commands import serve

    assert get_commands()["worker"] == "kohoshi.core"
    assert '"kohoshi", "worker"' in Path(serve.__file__).read_text()
