"""The founding change note was stored as English (or Russian) text; store the key instead, so it
is translated when shown (agreements.models.agreement.CHANGE_NOTES)."""

from django.db import migrations

# What earlier releases wrote for founding texts: the founding service's note, in either
# language, and the demo's.
FOUNDING_TEXTS = ["Founding text.", "Исходный текст.", "Adopted at founding.", "Принято при основании."]


def to_keys(apps, schema_editor):
    for name in ("Agreement", "HistoricalAgreement"):
        model = apps.get_model("agreements", name)
        model.objects.filter(change_note__in=FOUNDING_TEXTS, amendment__isnull=True).update(
            change_note="founding"
        )


def to_text(apps, schema_editor):
    for name in ("Agreement", "HistoricalAgreement"):
        model = apps.get_model("agreements", name)
        model.objects.filter(change_note="founding", amendment__isnull=True).update(
            change_note="Adopted at founding."
        )


class Migration(migrations.Migration):
    dependencies = [("agreements", "0009_moderation_marks")]

    operations = [migrations.RunPython(to_keys, to_text)]
