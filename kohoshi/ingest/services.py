"""Import entry points shared by the CLI, the admin and the API."""
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError

from kohoshi.accounts.policy import SYSTEM
from kohoshi.newsletters.services import ImportResult, IssueInput, issue_import

from .errors import InputError
from .importers import read_csv, read_json


@dataclass
class ImportReport:
    results: list[ImportResult] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)

    def as_dict(self) -> dict:
        issues = [r.issue for r in self.results]
        return {
            "issue_urls": [settings.SITE_URL + i.get_absolute_url() for i in issues],
            "article_urls": [
                settings.SITE_URL + a.get_absolute_url()
                for i in issues
                for a in i.articles.order_by("position").select_related("issue__newsletter")
            ],
            "outcomes": {o: sum(r.outcome == o for r in self.results) for o in ("created", "updated", "unchanged")},
            "articles": sum(len(r.issue.articles.all()) for r in self.results),
            "warnings": sorted({w for r in self.results for w in r.warnings}),
            "errors": [e.as_dict() | {"error": str(e)} for e in self.errors],
        }


def _save_all(file: str, issues: list[IssueInput], report: ImportReport, credit: str | None, by) -> None:
    for data in issues:
        try:
            report.results.append(issue_import(data, by=by, credit=credit))
        except ValidationError as exc:
            report.errors.append(InputError("; ".join(exc.messages), file=file))


def files_import(paths: list[str | Path], *, kind: str, credit: str | None = None, by=SYSTEM) -> ImportReport:
    """Import CSV (kind="csv") or JSON (kind="json") files; each issue in its own transaction.

    A file with bad input contributes nothing and is reported; the other files still import.
    The files are the operator's (command line, demo data, benchmarks), so the import acts as
    the system unless a caller names the user it acts for.
    """
    report = ImportReport()
    for path in paths:
        try:
            issues = read_csv(path) if kind == "csv" else [read_json(path)]
        except InputError as exc:
            report.errors.append(exc)
            continue
        except OSError as exc:
            report.errors.append(InputError(f"ファイルを読めません: {exc.strerror}", file=str(path)))
            continue
        _save_all(str(path), issues, report, credit, by)
    return report
