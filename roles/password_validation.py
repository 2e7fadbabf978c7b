"""Password validators whose messages are Orderline's own translatable strings.

Django 5.2 words the minimum-length error with ``%d`` ("…at least %d characters."),
a message its Simplified Chinese catalog does not translate yet, so signup and new
logins showed it in English. This validator says the same in a message of the
project's catalog; the other validators' messages are translated by Django.
"""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext
from roles.exceptions import RoleErrorCode


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return ngettext(
            "This password is too short. It must contain at least %(min_length)d character.",
            "This password is too short. It must contain at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(self.get_error_message(), code=RoleErrorCode.PASSWORD_TOO_SHORT,
                                  params={"min_length": self.min_length})
