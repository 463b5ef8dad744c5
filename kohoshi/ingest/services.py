"""Import entry points shared by the CLI, the admin and the API."""
import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import DatabaseError

from kohoshi.accounts.policy import SYSTEM
from kohoshi.newsletters.links import site_url
from kohoshi.newsletters.services import ImportResult, IssueInput, issue_import

from .errors import InputError
from .importers import lost_character_notes, read_csv, read_json

logger = logging.getLogger(__name__)


@dataclass
class ImportReport:
    results: list[ImportResult] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    unrepaired: list[str] = field(default_factory=list)  # source warts left for a person to fix

    def as_dict(self) -> dict:
        issues = [r.issue for r in self.results]
        return {
            "issue_urls": [site_url() + i.get_absolute_url() for i in issues],
            "article_urls": [
                site_url() + a.get_absolute_url()
                for i in issues
                for a in i.articles.order_by("position").select_related("issue__newsletter")
            ],
            "outcomes": {o: sum(r.outcome == o for r in self.results) for o in ("created", "updated", "unchanged")},
            "articles": sum(len(r.issue.articles.all()) for r in self.results),
            "warnings": sorted({w for r in self.results for w in r.warnings}),
            "unrepaired": self.unrepaired,
            "errors": [e.as_dict() | {"error": str(e)} for e in self.errors],
        }


def _save_all(file: str, issues: list[IssueInput], report: ImportReport, credit: str | None, by) -> None:
    for data in issues:
        try:
            report.results.append(issue_import(data, by=by, credit=credit))
        except ValidationError as exc:
            report.errors.append(InputError("; ".join(exc.messages), file=file))
        except DatabaseError as exc:
            # The readers check what the database refuses; this is the net under them. The
            # issue's transaction was rolled back, so nothing of it is saved.
            logger.exception("import of %s (%s) failed in the database", file, data.title)
            report.errors.append(InputError(f"号「{data.title}」を保存できませんでした: {exc}".strip(), file=file))


def files_import(paths: list[str | Path], *, kind: str, credit: str | None = None, by=SYSTEM) -> ImportReport:
    """Import CSV (kind="csv") or JSON (kind="json") files; each issue in its own transaction.

    A file with bad input contributes nothing and is reported; the other files still import.
    Even a reader's bug (an exception that is not an InputError) is reported against its file
    and logged with its traceback, so one bad file never hides the report on the others.
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
        except (RecursionError, ValueError, MemoryError) as exc:
            logger.exception("reading %s failed", path)
            report.errors.append(InputError(f"ファイルを読めません: {type(exc).__name__}: {exc}", file=str(path)))
            continue
        report.unrepaired.extend(note for issue in issues for note in lost_character_notes(issue))
        _save_all(str(path), issues, report, credit, by)
    return report
