from django.contrib import admin

from . import bulk, content, termbase  # noqa: F401  (register their models)
from .sign_in import SignInForm

admin.site.login_form = SignInForm
