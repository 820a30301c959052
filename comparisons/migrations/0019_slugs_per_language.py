"""
The columns of a category's slug in each language, and a former slug's
language (existing ones are English's until 0020 gives them every language).
"""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('comparisons', '0018_attribute_description_is_text_or_nothing'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='category',
            options={'ordering': ['order', 'slug_en'], 'verbose_name': 'category', 'verbose_name_plural': 'categories'},
        ),
        migrations.RemoveConstraint(
            model_name='category',
            name='category_slug_not_blank',
        ),
        migrations.AddField(
            model_name='category',
            name='slug_de',
            field=models.SlugField(max_length=80, null=True, validators=[django.core.validators.RegexValidator('(^|-)vs(-|$)', inverse_match=True, message='A slug cannot have “vs” as a word: comparison addresses join slugs with “-vs-”.')], verbose_name='slug'),
        ),
        migrations.AddField(
            model_name='category',
            name='slug_en',
            field=models.SlugField(max_length=80, null=True, validators=[django.core.validators.RegexValidator('(^|-)vs(-|$)', inverse_match=True, message='A slug cannot have “vs” as a word: comparison addresses join slugs with “-vs-”.')], verbose_name='slug'),
        ),
        migrations.AddField(
            model_name='category',
            name='slug_uk',
            field=models.SlugField(max_length=80, null=True, validators=[django.core.validators.RegexValidator('(^|-)vs(-|$)', inverse_match=True, message='A slug cannot have “vs” as a word: comparison addresses join slugs with “-vs-”.')], verbose_name='slug'),
        ),
        migrations.AddField(
            model_name='formerslug',
            name='language',
            field=models.CharField(choices=[('en', 'English'), ('uk', 'Ukrainian'), ('de', 'German')], default='en', max_length=8, verbose_name='language'),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name='category',
            name='slug',
            field=models.SlugField(max_length=80, validators=[django.core.validators.RegexValidator('(^|-)vs(-|$)', inverse_match=True, message='A slug cannot have “vs” as a word: comparison addresses join slugs with “-vs-”.')], verbose_name='slug'),
        ),
        migrations.AlterField(
            model_name='formerslug',
            name='slug',
            field=models.SlugField(max_length=80, verbose_name='slug'),
        ),
    ]
