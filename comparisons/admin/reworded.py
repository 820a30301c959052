"""
The admin's own strings (Django's and django-reversion's) that this project's
catalogues word anew in Ukrainian and German, where the stock translation
reads wrong there: a model's name in the wrong case or gender, a typo, a
message that says something else. Listed so that makemessages keeps them in
the project's catalogues, which Django reads before its own.
"""

# ruff: noqa: E501 (each is Django's msgid word for word, however long)

from django.utils.translation import gettext_noop, ngettext_lazy

REWORDED = [
    ngettext_lazy(
        "%(count)s %(name)s was changed successfully.", "%(count)s %(name)s were changed successfully."
    ),
    gettext_noop("%(full_result_count)s total"),
    gettext_noop("%(name)s with ID “%(key)s” doesn’t exist. Perhaps it was deleted?"),
    ngettext_lazy("%(total_count)s selected", "All %(total_count)s selected"),
    gettext_noop("0 of %(cnt)s selected"),
    gettext_noop("Add %(name)s"),
    gettext_noop("Add %s"),
    gettext_noop("Add another %(model)s"),
    gettext_noop("Added {name} “{object}”."),
    gettext_noop("Added “%(object)s”."),
    gettext_noop("All"),
    gettext_noop("All dates"),
    gettext_noop(
        'Are you sure you want to delete the %(object_name)s "%(escaped_object)s"? All of the following related items will be deleted:'
    ),
    gettext_noop(
        "Are you sure you want to delete the selected %(objects_name)s? All of the following objects and their related items will be deleted:"
    ),
    gettext_noop("Cannot delete %(name)s"),
    gettext_noop("Change %s"),
    gettext_noop("Change history: %s"),
    gettext_noop("Change selected %(model)s"),
    gettext_noop("Changed {fields} for {name} “{object}”."),
    gettext_noop("Changed {fields}."),
    gettext_noop("Choose a date from the list below to recover a deleted version of an object."),
    gettext_noop("Clear selection"),
    gettext_noop("Delete selected %(model)s"),
    gettext_noop("Delete selected %(verbose_name_plural)s"),
    gettext_noop("Deleted {name} “{object}”."),
    gettext_noop(
        "Deleting %(class_name)s %(instance)s would require deleting the following protected related objects: %(related_objects)s"
    ),
    gettext_noop(
        "Deleting the %(object_name)s '%(escaped_object)s' would require deleting the following protected related objects:"
    ),
    gettext_noop(
        "Deleting the %(object_name)s '%(escaped_object)s' would result in deleting related objects, but your account doesn't have permission to delete the following types of objects:"
    ),
    gettext_noop(
        "Deleting the selected %(objects_name)s would require deleting the following protected related objects:"
    ),
    gettext_noop(
        "Deleting the selected %(objects_name)s would result in deleting related objects, but your account doesn't have permission to delete the following types of objects:"
    ),
    gettext_noop("Django administration"),
    gettext_noop("Django site admin"),
    gettext_noop("Filter"),
    gettext_noop("Filter navigation items"),
    gettext_noop("Go"),
    gettext_noop("History"),
    gettext_noop("Hold down “Control”, or “Command” on a Mac, to select more than one."),
    gettext_noop("Items must be selected in order to perform actions on them. No items have been changed."),
    gettext_noop("Models in the %(name)s application"),
    gettext_noop("No action selected."),
    gettext_noop("No fields changed."),
    gettext_noop(
        "Please enter the correct %(username)s and password for a staff account. Note that both fields may be case-sensitive."
    ),
    gettext_noop("Press the save button below to recover this version of the object."),
    gettext_noop("Press the save button below to revert to this version of the object."),
    gettext_noop("Revert %(verbose_name)s"),
    gettext_noop("Run the selected action"),
    gettext_noop("Save"),
    gettext_noop("Save and add another"),
    gettext_noop("Save and continue editing"),
    gettext_noop("Save and view"),
    gettext_noop("Save as new"),
    gettext_noop("Select %s"),
    gettext_noop("Select %s to change"),
    gettext_noop("Select %s to view"),
    gettext_noop("Select all %(total_count)s %(module_name)s"),
    gettext_noop("Select all objects on this page for an action"),
    gettext_noop("Show all"),
    gettext_noop("Site administration"),
    gettext_noop("Sorting priority: %(priority_number)s"),
    gettext_noop("Start typing to filter…"),
    gettext_noop("Successfully deleted %(count)d %(items)s."),
    gettext_noop("Summary"),
    gettext_noop("Thanks for spending some quality time with the web site today."),
    gettext_noop("The %(name)s “%(obj)s” was deleted successfully."),
    gettext_noop("The {name} “{obj}” was added successfully."),
    gettext_noop("The {name} “{obj}” was added successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may edit it again below."),
    gettext_noop("Toggle navigation"),
    gettext_noop("Unknown content"),
    gettext_noop("View %s"),
    gettext_noop("View on site"),
    gettext_noop("View selected %(model)s"),
    gettext_noop("View site"),
    gettext_noop("Yes, I’m sure"),
    gettext_noop(
        "You are authenticated as %(username)s, but are not authorized to access this page. Would you like to login to a different account?"
    ),
    gettext_noop("You may edit it again below."),
]
