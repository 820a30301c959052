"""
Categories and attributes get a publication flag, as comparisons have: a new
one starts unpublished (a draft readers do not see). Every existing one is
published already, so the columns are added with True and then default to False.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("comparisons", "0008_drafts"),
    ]

    operations = [
        migrations.AddField(
            model_name="attribute",
            name="is_published",
            field=models.BooleanField(default=True, verbose_name="published"),
        ),
        migrations.AlterField(
            model_name="attribute",
            name="is_published",
            field=models.BooleanField(default=False, verbose_name="published"),
        ),
        migrations.AddField(
            model_name="category",
            name="is_published",
            field=models.BooleanField(default=True, verbose_name="published"),
        ),
        migrations.AlterField(
            model_name="category",
            name="is_published",
            field=models.BooleanField(default=False, verbose_name="published"),
        ),
    ]
