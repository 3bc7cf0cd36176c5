"""Clause links showed a bare "¶" with aria-label "§ N": a 9-pixel target whose name differed from
its text. They now read "¶ N". Rewrite the stored HTML of every version and every proposal the
same way the renderer now writes it (agreements/rendering.py), without rendering anything again."""

import re

from django.db import migrations

OLD = re.compile(r'<a aria-label="§ (\d{1,6})" class="clause-link" href="([^"]*)">¶</a>')
NEW = re.compile(r'<a class="clause-link" href="([^"]*)">¶ (\d{1,6})</a>')
MODELS = ("Agreement", "HistoricalAgreement", "Amendment", "HistoricalAmendment")
BATCH = 500


def _rewrite(apps, pattern, replacement):
    for name in MODELS:
        model = apps.get_model("agreements", name)
        pk = model._meta.pk.attname
        changed = []
        rows = model.objects.filter(body_html__contains='class="clause-link"').only(pk, "body_html")
        for row in rows.iterator(chunk_size=BATCH):
            html = pattern.sub(replacement, row.body_html)
            if html != row.body_html:
                row.body_html = html
                changed.append(row)
            if len(changed) >= BATCH:
                model.objects.bulk_update(changed, ["body_html"])
                changed = []
        model.objects.bulk_update(changed, ["body_html"])


def show_numbers(apps, schema_editor):
    _rewrite(apps, OLD, r'<a class="clause-link" href="\2">¶ \1</a>')


def hide_numbers(apps, schema_editor):
    _rewrite(apps, NEW, r'<a aria-label="§ \2" class="clause-link" href="\1">¶</a>')


class Migration(migrations.Migration):
    dependencies = [("agreements", "0010_change_note_keys")]

    operations = [migrations.RunPython(show_numbers, hide_numbers)]
