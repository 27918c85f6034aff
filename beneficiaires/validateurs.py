"""Validation et mise en forme des coordonnées (e-mail, téléphone) d'une personne.

- E-mail : adresses internationalisées admises (RFC 6531/6532 : « inès.dupont@exemple.fr »), contrôlées par
  `email-validator` (syntaxe seule, sans requête DNS) ; le validateur de Django refuse une partie locale
  accentuée.
- Téléphone : `phonenumbers` (la bibliothèque de Google), région FR par défaut ; un numéro français est rangé
  au format national « 06 12 34 56 78 », un numéro étranger au format international « +32 470 12 34 56 ».
"""

import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from email_validator import EmailNotValidError, validate_email

# Chemins rapides (une liste de 100 000 lignes) pour les formes les plus courantes, dont la validité est sûre :
# adresse simple (partie locale en lettres Unicode, domaine ASCII), numéro français à 10 chiffres.
# Le reste passe par les bibliothèques.
RE_EMAIL_SIMPLE = re.compile(
    r"^[\w%+\-]+(?:\.[\w%+\-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
RE_TEL_FRANCAIS = re.compile(r"^(?:\+33|0033|0)\(?0?\)?([1-79]\d{8})$")
RE_SEPARATEURS_TEL = re.compile(r"[\s.\-/]")


def normaliser_email(valeur):
    """Rend l'adresse normalisée (domaine en minuscules, forme Unicode NFC) ou lève ValidationError."""
    valeur = (valeur or "").strip()
    if len(valeur) <= 254 and RE_EMAIL_SIMPLE.match(valeur):
        local, _, domaine = valeur.rpartition("@")
        local = unicodedata.normalize("NFC", local)
        if len(local.encode()) <= 64:
            return f"{local}@{domaine.lower()}"
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
    m = RE_TEL_FRANCAIS.match(RE_SEPARATEURS_TEL.sub("", valeur or ""))
    if m:
        chiffres = "0" + m[1]
        return " ".join(chiffres[i : i + 2] for i in range(0, 10, 2))
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
    if numero.country_code == 33:  # un seul format pour tous les numéros français : « 0X XX XX XX XX »
        chiffres = "0" + phonenumbers.national_significant_number(numero)
        return " ".join(chiffres[i : i + 2] for i in range(0, 10, 2))
    return phonenumbers.format_number(numero, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
