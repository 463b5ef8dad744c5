from django.core.management.base import BaseCommand
from tqdm import tqdm

from kohoshi.newsletters.models import Article
from kohoshi.search.indexing import index_rebuild


class Command(BaseCommand):
    help = "Rebuild the full-text search index from all articles (one transaction, streamed in batches)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--workers", type=int, default=None, help="tokenizer processes (default: CPUs)")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, batch_size, workers, no_progress, **options):
        total = Article.objects.count()
        with tqdm(total=total, unit="記事", disable=no_progress or options["verbosity"] == 0, file=self.stderr) as bar:
            done = index_rebuild(batch_size=batch_size, workers=workers, progress=bar.update)
        if options["verbosity"]:
            self.stdout.write(f"{done} 件の記事を索引しました")
