"""How the audit log reads to staff: a Japanese label for every action code that services write
with `audit_record(action=…)`, and roles by their names rather than their codes. The stored rows
keep the codes, so the log stays greppable and the labels may change."""
from django.utils.translation import gettext_lazy as _

from kohoshi.accounts.models import Role
from kohoshi.engagement.models import SurveyQuestion

ACTION_LABELS = {
    "newsletter.create": _("広報紙を追加"),
    "issue.import.created": _("号を取り込み(新規)"),
    "issue.import.updated": _("号を取り込み(更新)"),
    "issue.publish": _("号を公開"),
    "issue.schedule": _("号の公開を予約"),
    "issue.unpublish": _("号を非公開に"),
    "issue.reorder": _("掲載順を変更"),
    "article.edit": _("記事を編集"),
    "article.delete": _("記事を削除"),
    "article.merge": _("記事をつなげた"),
    "article.split": _("記事を分けた"),
    "article.move": _("記事を移動"),
    "figure.alt": _("図・写真の代替テキストを変更"),
    "ingest.upload": _("紙面PDFをアップロード"),
    "ingest.retry": _("紙面PDFを読み取り直し"),
    "ingest.fail": _("紙面PDFを読み取れず"),
    "ingest.extract": _("紙面PDFを読み取り"),
    "ingest.publish": _("紙面PDFの号を公開"),
    "membership.add": _("担当者を追加"),
    "membership.change": _("担当者の権限を変更"),
    "survey.question": _("アンケートの設問を変更"),
}

ROLE_NAMES = {
    Role.VIEWER: _("閲覧のみ"),
    Role.EDITOR: _("編集できる"),
    Role.PUBLISHER: _("編集と公開ができる"),
}


def audit_action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def audit_summary_display(action: str, summary: str) -> str:
    """The summary with the codes it may carry (a role, a survey question key) in words."""
    head, sep, tail = summary.rpartition(": ")
    if action.startswith("membership.") and sep and tail in Role.values:
        return f"{head}: {ROLE_NAMES[Role(tail)]}"
    if action == "survey.question":
        key, sep, text = summary.partition(": ")
        if sep and key in SurveyQuestion.Key.values:
            return f"{SurveyQuestion.Key(key).label}: {text}"
    return summary
