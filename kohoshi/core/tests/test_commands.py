from django.core.management import get_commands


def test_serve_is_a_core_command_and_load_demo_an_ingest_one():
    commands = get_commands()
    assert commands["serve"] == "kohoshi.core"
    assert commands["load_demo"] == "kohoshi.ingest"
