"""
The editor and translator roles as groups.

Editors may do anything with the content. A translator of a language may view
all content and change only the text of that language (enforced on every write
by comparisons/changes.py); they cannot add or delete records.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTENT_MODELS = [
    "source",
    "category",
    "categoryitem",
    "attribute",
    "attributevalue",
    "comparison",
    "comparisonrow",
]
LANGUAGES = ["en", "uk", "de"]


def create_roles(apps, schema_editor):
    # Permissions are normally made after all migrations; the groups need them now.
    app_config = apps.get_app_config("comparisons")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    content = Permission.objects.filter(content_type__app_label="comparisons")

    editor, _ = Group.objects.get_or_create(name="editor")
    editor.permissions.set(
        content.filter(content_type__model__in=CONTENT_MODELS, codename__regex=r"^(add|change|delete|view)_")
        | content.filter(codename__in=[f"translate_{code}" for code in LANGUAGES])
    )
    for code in LANGUAGES:
        translator, _ = Group.objects.get_or_create(name=f"translator ({code})")
        translator.permissions.set(
            content.filter(content_type__model__in=CONTENT_MODELS, codename__startswith="view_")
            | content.filter(codename=f"translate_{code}")
        )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=["editor", *(f"translator ({code})" for code in LANGUAGES)]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("comparisons", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
