import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Category
from .translation_status import with_one_line_ending


class MultilineTextField(forms.CharField):
    """
    A text field that reads a browser's CRLF line breaks as the LF the texts are
    stored with: a multi-line text sent back untouched has not changed.
    """

    def to_python(self, value):
        value = super().to_python(value)
        return with_one_line_ending(value) if isinstance(value, str) else value


class SearchForm(forms.Form):
    q = forms.CharField(label=pgettext_lazy("the search page", "Search"), max_length=100, strip=True)

    def clean_q(self):
        # Composed (NFC), as the seeded texts are: some keyboards and pasted text send "й" as "и" and a breve.
        return unicodedata.normalize("NFC", self.cleaned_data["q"])


class CompareForm(forms.Form):
    """Two categories to compare, and up to two more."""

    first = forms.ModelChoiceField(Category.objects.published(), label=_("First"), to_field_name="slug")
    second = forms.ModelChoiceField(Category.objects.published(), label=_("Second"), to_field_name="slug")
    third = forms.ModelChoiceField(
        Category.objects.published(), label=_("Third (optional)"), to_field_name="slug", required=False
    )
    fourth = forms.ModelChoiceField(
        Category.objects.published(), label=_("Fourth (optional)"), to_field_name="slug", required=False
    )

    def clean(self):
        data = super().clean()
        chosen = [data[name] for name in self.fields if data.get(name)]
        if len(set(chosen)) < len(chosen):
            raise forms.ValidationError(_("Choose each category only once."), code="same")
        return data

    def categories(self):
        """The categories chosen, in the form's order."""
        return [self.cleaned_data[name] for name in self.fields if self.cleaned_data.get(name)]
