"""The tally columns keep only the final tally, written when voting closes; an open vote is
counted from its votes (Amendment.tally), on an index of its own. The stored counts of decided
amendments are already final, so they are kept as they are."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0013_amendment_collisions"),
    ]

    operations = [
        migrations.RenameField(
            model_name="amendment", old_name="support_count", new_name="final_support"
        ),
        migrations.RenameField(
            model_name="amendment", old_name="oppose_count", new_name="final_oppose"
        ),
        migrations.RenameField(
            model_name="amendment", old_name="abstain_count", new_name="final_abstain"
        ),
        migrations.AddIndex(
            model_name="vote",
            index=models.Index(fields=["amendment", "round", "choice"], name="vote_tally"),
        ),
    ]
