from django import forms
from django.contrib.auth.forms import AuthenticationForm


class ConnexionForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Identifiant ou mot de passe incorrect. Attention : après 5 échecs, le compte est "
        "bloqué 15 minutes.",
        "inactive": "Ce compte est désactivé. Adressez-vous à un administrateur.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Identifiant"
        self.fields["password"].label = "Mot de passe"
        self.fields["username"].widget = forms.TextInput(attrs={"autocomplete": "username", "autofocus": True})
