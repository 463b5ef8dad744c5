"""What other apps may listen to: apps above newsletters (page caches, notifications, reading
aids) follow its changes without newsletters importing them.

`issue_changed` is sent once the transaction that changed an issue has committed (never for a
change that rolled back), with `issue_id` and `event`:

- "import"    an import created or updated the issue's articles (it may also have published it:
              then "publish" follows);
- "draft"     a PDF run filled a draft issue;
- "publish"   the issue became public now; "schedule": it becomes public at `published_at`;
- "unpublish" the issue is a draft again;
- "edit"      an article's text, category or place changed, was merged, split or deleted, or the
              order changed;
- "rerender"  stored bodies were rendered again (text unchanged).

Receivers run after the commit, outside any transaction; an exception in one is logged and the
others still run (`send_robust`), so a broken listener never undoes or blocks a write.
"""
import logging

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

issue_changed = Signal()


def issue_changed_on_commit(issue_id: int, event: str) -> None:
    def send():
        for receiver, result in issue_changed.send_robust(sender="newsletters", issue_id=issue_id, event=event):
            if isinstance(result, Exception):
                logger.error(
                    "issue_changed receiver %r failed for issue %s (%s)", receiver, issue_id, event,
                    exc_info=(type(result), result, result.__traceback__),
                )

    transaction.on_commit(send)
