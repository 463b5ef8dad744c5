from ._import_base import ImportCommand


class Command(ImportCommand):
    help = "Import issues from kohoshi JSON issue files (docs/issue.schema.json)."
    kind = "json"
