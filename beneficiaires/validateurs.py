"""Validation et mise en forme des coordonnées (e-mail, téléphone) d'une personne.

- E-mail : adresses internationalisées admises (RFC 6531/6532 : « inès.dupont@exemple.fr »), contrôlées par
  `email-validator` (syntaxe seule, sans requête DNS) ; le validateur de Django refuse une partie locale
  accentuée.
- Téléphone : `phonenumbers` (la bibliothèque de Google), région FR par défaut ; un numéro français est rangé
  au format national « 06 12 34 56 78 », un numéro étranger au format international « +32 470 12 34 56 ».
"""

import phonenumbers
from django.core.exceptions import ValidationError
from email_validator import EmailNotValidError, validate_email


def normaliser_email(valeur):
    """Rend l'adresse normalisée (domaine en minuscules, forme Unicode NFC) ou lève ValidationError."""
    try:
        resultat = validate_email(
            (valeur or "").strip(), allow_smtputf8=True, check_deliverability=False, allow_display_name=False
        )
    except EmailNotValidError as exc:
        raise ValidationError(
            "L'adresse e-mail « %(valeur)s » n'est pas valide.", params={"valeur": valeur}, code="email_invalide"
        ) from exc
    return resultat.normalized


def valider_email(valeur):
    normaliser_email(valeur)


def normaliser_telephone(valeur):
    """Rend le numéro au format de rangement, ou lève ValidationError."""
    try:
        numero = phonenumbers.parse((valeur or "").strip(), "FR")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            "Le numéro de téléphone « %(valeur)s » n'est pas reconnu.", params={"valeur": valeur}, code="tel_invalide"
        ) from exc
    if not phonenumbers.is_valid_number(numero):
        raise ValidationError(
            "Le numéro de téléphone « %(valeur)s » n'est pas reconnu.", params={"valeur": valeur}, code="tel_invalide"
        )
    if numero.country_code == 33:
        return phonenumbers.format_number(numero, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(numero, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
