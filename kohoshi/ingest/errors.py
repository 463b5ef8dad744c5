class InputError(Exception):
    """Bad import input, located: file, row (or JSON path) and field."""

    def __init__(self, message: str, *, file: str, row: int | None = None, field: str | None = None):
        self.message, self.file, self.row, self.field = message, file, row, field
        where = file if row is None else f"{file}:{row}"
        super().__init__(f"{where}: {field}: {message}" if field else f"{where}: {message}")

    def as_dict(self) -> dict:
        return {"file": self.file, "row": self.row, "field": self.field, "message": self.message}
