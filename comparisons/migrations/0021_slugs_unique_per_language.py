"""
The slugs' rules, once each language has its slug (0020): unique in their
language, never blank; a former slug once per language.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('comparisons', '0020_slugs_in_every_language'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='category',
            constraint=models.UniqueConstraint(fields=('slug_en',), name='category_slug_en_unique'),
        ),
        migrations.AddConstraint(
            model_name='category',
            constraint=models.CheckConstraint(condition=models.Q(('slug_en__isnull', False), models.Q(('slug_en', ''), _negated=True)), name='category_slug_en_not_blank'),
        ),
        migrations.AddConstraint(
            model_name='category',
            constraint=models.UniqueConstraint(fields=('slug_uk',), name='category_slug_uk_unique'),
        ),
        migrations.AddConstraint(
            model_name='category',
            constraint=models.CheckConstraint(condition=models.Q(('slug_uk__isnull', False), models.Q(('slug_uk', ''), _negated=True)), name='category_slug_uk_not_blank'),
        ),
        migrations.AddConstraint(
            model_name='category',
            constraint=models.UniqueConstraint(fields=('slug_de',), name='category_slug_de_unique'),
        ),
        migrations.AddConstraint(
            model_name='category',
            constraint=models.CheckConstraint(condition=models.Q(('slug_de__isnull', False), models.Q(('slug_de', ''), _negated=True)), name='category_slug_de_not_blank'),
        ),
        migrations.AddConstraint(
            model_name='formerslug',
            constraint=models.UniqueConstraint(fields=('language', 'slug'), name='formerslug_once_per_language'),
        ),
    ]
