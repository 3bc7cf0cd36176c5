"""Counters split into shards (members/models.py says why); existing values become shard 0.

The two counters keyed by their primary key get new tables (built beside the old ones, filled,
then put in their place); the other two only gain a column and a wider unique constraint."""

from django.db import migrations, models


def copy_to_shard_zero(apps, schema_editor):
    for old, new, key in (
        ("MembershipCount", "ShardedMembershipCount", "name"),
        ("StandingCount", "ShardedStandingCount", "edition"),
    ):
        rows = apps.get_model("members", old).objects.values_list(key, "value")
        apps.get_model("members", new).objects.bulk_create(
            apps.get_model("members", new)(**{key: k}, shard=0, value=value) for k, value in rows
        )


def copy_back(apps, schema_editor):
    for old, new, key in (
        ("MembershipCount", "ShardedMembershipCount", "name"),
        ("StandingCount", "ShardedStandingCount", "edition"),
    ):
        totals = {}
        for k, value in apps.get_model("members", new).objects.values_list(key, "value"):
            totals[k] = totals.get(k, 0) + value
        apps.get_model("members", old).objects.bulk_create(
            apps.get_model("members", old)(**{key: k}, value=value) for k, value in totals.items()
        )


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0013_amendment_collisions"),
        ("members", "0005_names_and_moderation_marks"),
    ]

    operations = [
        migrations.CreateModel(
            name="ShardedMembershipCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=32)),
                ("shard", models.PositiveSmallIntegerField(default=0)),
                ("value", models.BigIntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("name", "shard"), name="one_membership_count_shard"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ShardedStandingCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("edition", models.PositiveIntegerField()),
                ("shard", models.PositiveSmallIntegerField(default=0)),
                ("value", models.BigIntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("edition", "shard"), name="one_standing_count_shard"
                    )
                ],
            },
        ),
        migrations.RunPython(copy_to_shard_zero, copy_back),
        migrations.DeleteModel(name="MembershipCount"),
        migrations.DeleteModel(name="StandingCount"),
        migrations.RenameModel(old_name="ShardedMembershipCount", new_name="MembershipCount"),
        migrations.RenameModel(old_name="ShardedStandingCount", new_name="StandingCount"),
        migrations.RemoveConstraint(model_name="acceptancecount", name="one_count_per_version"),
        migrations.RemoveConstraint(model_name="dailycount", name="one_count_per_day"),
        migrations.AddField(
            model_name="acceptancecount",
            name="shard",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="dailycount",
            name="shard",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddConstraint(
            model_name="acceptancecount",
            constraint=models.UniqueConstraint(
                fields=("agreement", "version", "shard"), name="one_count_shard_per_version"
            ),
        ),
        migrations.AddConstraint(
            model_name="dailycount",
            constraint=models.UniqueConstraint(
                fields=("kind", "day", "shard"), name="one_count_shard_per_day"
            ),
        ),
    ]
