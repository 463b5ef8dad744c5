"""The move of Membership and AuditEntry from staff to accounts keeps an existing database's rows."""
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("staff", "0001_initial"), ("accounts", None)]
AFTER = [("staff", "0002_move_to_accounts"), ("accounts", "0001_initial")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1]]).apps


# serialized_rollback like the suite's other transactional tests: the flush at the end re-creates
# content types in another order, which breaks the next test that restores the serialized data.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_memberships_and_audit_rows_survive_the_move_to_accounts():
    old = _migrate(BEFORE)
    user = old.get_model("auth", "User").objects.create(username="moved")
    old.get_model("staff", "Membership").objects.create(user=user, municipality_id="012131", role="publisher")
    old.get_model("staff", "AuditEntry").objects.create(
        actor=user, municipality_id="012131", action="issue.publish", target_type="issue", target_id="1"
    )
    try:
        new = _migrate(AFTER)
        membership = new.get_model("accounts", "Membership").objects.get()
        assert (membership.user.username, membership.municipality_id, membership.role) == ("moved", "012131", "publisher")
        assert new.get_model("accounts", "AuditEntry").objects.filter(actor_id=user.pk, action="issue.publish").count() == 1
        assert "staff_membership" in connection.introspection.table_names()
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

