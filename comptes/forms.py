from django import forms
from django.contrib.auth.forms import AuthenticationForm, UsernameField

from .models import User

# Bornes des champs de connexion : l'identifiant ne dépasse jamais la colonne du modèle (150) ni celle de
# django-axes (255), qui l'enregistre à chaque échec ; un mot de passe démesuré ne part pas au hachage.
IDENTIFIANT_MAX = User._meta.get_field("username").max_length
MOT_DE_PASSE_MAX = 1024


class ConnexionForm(AuthenticationForm):
    # AuthenticationForm pose max_length sur le champ après sa création : l'attribut HTML change, mais aucun
    # validateur n'est ajouté. Champs déclarés ici avec leurs bornes, vérifiées avant toute authentification.
    username = UsernameField(
        label="Identifiant",
        max_length=IDENTIFIANT_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        max_length=MOT_DE_PASSE_MAX,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": "Identifiant ou mot de passe incorrect. Attention : après 5 échecs, le compte est "
        "bloqué 15 minutes.",
        "inactive": "Ce compte est désactivé. Adressez-vous à un administrateur.",
    }


class CodeForm(forms.Form):
    """Code à usage unique : 6 chiffres de l'application d'authentification, ou un code de secours."""

    code = forms.CharField(
        label="Code",
        max_length=16,
        help_text="Les 6 chiffres affichés par votre application d'authentification, ou un code de secours.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text", "spellcheck": "false"}
        ),
        error_messages={
            "required": "Saisissez le code.",
            "max_length": "Un code compte au plus %(limit_value)d caractères.",
        },
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split()).replace("-", "").lower()
        if not code.isalnum():
            raise forms.ValidationError("Le code ne contient que des chiffres et des lettres.")
        return code


class CodeEnrolementForm(CodeForm):
    """Le premier code, à l'enrôlement : celui de l'application seulement (les codes de secours n'existent pas
    encore ; ils sont montrés une fois l'application confirmée)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = "Les 6 chiffres affichés maintenant par votre application d'authentification."
        self.fields["code"].widget.attrs["inputmode"] = "numeric"
