import json
from pathlib import Path

from django.core.management.base import BaseCommand

from kohoshi.ingest.services import files_import

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
CORPUS_CREDIT = (
    "出典: 厚木市「広報あつぎ」(Mitsuo-Koikawa/Municipal-Bulletin 収録データ, CC BY 4.0 "
    "https://creativecommons.org/licenses/by/4.0/ )。kohoshi で記事ごとに整形して表示しています。"
)


class Command(BaseCommand):
    help = "Load the sample issues shipped with kohoshi and, when ../shared is present, the real corpus."

    def add_arguments(self, parser):
        parser.add_argument("--shared", default="../shared", help="folder holding corpus/ (optional)")

    def handle(self, *args, shared, **options):
        report = files_import(sorted(DEMO_DIR.glob("*.json")), kind="json")
        summary = {"samples": report.as_dict()["outcomes"], "errors": [str(e) for e in report.errors]}
        corpus = sorted((Path(shared) / "corpus" / "municipal-bulletin" / "csv").glob("*.csv"))
        if corpus:
            corpus_report = files_import(corpus, kind="csv", credit=CORPUS_CREDIT)
            summary["corpus"] = corpus_report.as_dict()["outcomes"]
            summary["errors"] += [str(e) for e in corpus_report.errors]
        else:
            self.stderr.write(f"{shared}/corpus not found: only the samples were loaded")
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
