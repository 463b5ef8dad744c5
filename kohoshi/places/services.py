import csv
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from .codes import validate_local_government_code
from .models import Municipality, Prefecture

DATA_FILE = Path(__file__).parent / "data" / "local_governments.csv"


def municipalities_load(path: Path = DATA_FILE) -> dict:
    """Load or refresh prefectures and municipalities from the shipped table (idempotent).

    A row whose code fails the check digit stops the load with the file and line named;
    nothing of it is saved.
    """
    rows = []
    with open(path, encoding="utf-8", newline="") as f:
        for line_no, row in enumerate(csv.DictReader(f), start=2):
            try:
                validate_local_government_code(row["code"])
            except ValidationError as exc:
                raise ValidationError(f"{path}:{line_no}: code: {exc.messages[0]}") from exc
            rows.append(row)
    created = updated = 0
    with transaction.atomic():
        for row in rows:
            if row["kind"] == Municipality.Kind.PREFECTURE:
                Prefecture.objects.update_or_create(
                    code=row["prefecture_code"], defaults={"name": row["name"], "kana": row["kana"]}
                )
        for row in rows:
            _, was_created = Municipality.objects.update_or_create(
                code=row["code"],
                defaults={
                    "prefecture_id": row["prefecture_code"],
                    "name": row["name"],
                    "kana": row["kana"],
                    "kind": row["kind"],
                },
            )
            created += was_created
            updated += not was_created
    return {"created": created, "updated": updated, "total": len(rows)}
