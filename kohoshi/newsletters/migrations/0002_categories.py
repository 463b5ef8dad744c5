from django.db import migrations

CATEGORIES = [
    ("kurashi", "くらし"),
    ("kosodate", "子育て"),
    ("kenko", "健康"),
    ("shigoto", "しごと"),
    ("event", "イベント"),
    ("koza", "講座"),
    ("sports", "スポーツ"),
    ("bunka", "文化"),
    ("sonota", "その他"),
]


def load(apps, schema_editor):
    Category = apps.get_model("newsletters", "Category")
    for order, (slug, name) in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(slug=slug, defaults={"name": name, "order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("newsletters", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
