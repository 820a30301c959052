from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.validators import MaxLengthValidator


class SignInForm(AdminAuthenticationForm):
    """
    The admin's sign-in, with the user name's length checked before anyone is
    looked up. Django gives the field its max_length after building it, which
    sets the input's maxlength but adds no validator: a longer name reached
    authentication and, on PostgreSQL, broke the sign-in throttle's storage
    (django-axes keeps 255 characters) with a 500, uncounted.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))
