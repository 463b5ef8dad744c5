from ._import_base import ImportCommand


class Command(ImportCommand):
    help = "Import issues from article CSV files (自治体名, 公開年月, 発行号タイトル, 記事タイトル, カテゴリ, 記事本文)."
    kind = "csv"
