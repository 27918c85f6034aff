"""Vérification des justificatifs déposés par les prestataires : PDF, PNG ou JPEG, reconnus par leur contenu (pas
par leur nom ni par le type annoncé par le navigateur), dans la limite de JUSTIFICATIF_TAILLE_MAX_MO."""

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

TYPES_IMAGES = {"PNG": "image/png", "JPEG": "image/jpeg"}
EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}
MESSAGE_FORMAT = "Le justificatif doit être un PDF, une image PNG ou une image JPEG."


def taille_max_octets():
    return settings.JUSTIFICATIF_TAILLE_MAX_MO * 1024 * 1024


def _est_pdf(fichier):
    fichier.seek(0)
    debut = fichier.read(1024)
    if b"%PDF-" not in debut:
        return False
    # Un PDF complet se termine par %%EOF (à quelques octets près : fin de ligne, remplissage).
    fichier.seek(max(0, fichier.size - 2048))
    return b"%%EOF" in fichier.read()


def _type_image(fichier):
    fichier.seek(0)
    try:
        with Image.open(fichier) as image:
            format_ = image.format
            image.verify()  # structure complète lue : une image tronquée ou forgée est refusée
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    return TYPES_IMAGES.get(format_)


def verifier_justificatif(fichier):
    """Rend le type MIME reconnu du fichier, ou lève une ValidationError en français."""
    if fichier is None:
        raise ValidationError({"justificatif": "Joignez le justificatif du résultat."})
    if not fichier.size:
        raise ValidationError({"justificatif": "Le fichier déposé est vide."})
    if fichier.size > taille_max_octets():
        raise ValidationError(
            {"justificatif": f"Le justificatif dépasse la taille maximale de {settings.JUSTIFICATIF_TAILLE_MAX_MO} Mo."}
        )
    try:
        if _est_pdf(fichier):
            return "application/pdf"
        type_image = _type_image(fichier)
    finally:
        fichier.seek(0)
    if type_image is None:
        raise ValidationError({"justificatif": MESSAGE_FORMAT})
    return type_image
