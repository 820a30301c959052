from django.contrib import admin

from . import content  # noqa: F401  (registers the content models)
from .sign_in import SignInForm

admin.site.login_form = SignInForm
