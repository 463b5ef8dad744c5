import csv
from pathlib import Path

from django.db import migrations

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "local_governments.csv"


def load(apps, schema_editor):
    # Historical models: the service's update_or_create is not available here, and a bulk insert
    # into empty tables is what a first migrate needs. Refresh later with `kohoshi load_municipalities`.
    Prefecture = apps.get_model("places", "Prefecture")
    Municipality = apps.get_model("places", "Municipality")
    with open(DATA_FILE, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    Prefecture.objects.bulk_create(
        [Prefecture(code=r["prefecture_code"], name=r["name"], kana=r["kana"]) for r in rows if r["kind"] == "prefecture"],
        ignore_conflicts=True,
    )
    Municipality.objects.bulk_create(
        [
            Municipality(code=r["code"], prefecture_id=r["prefecture_code"], name=r["name"], kana=r["kana"], kind=r["kind"])
            for r in rows
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("places", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
