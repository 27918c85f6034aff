"""Envoi de SMS : une petite interface, un fournisseur de développement qui écrit dans un fichier et un
adaptateur HTTP pour l'API SMS transactionnels de Brevo (POST /v3/transactionalSMS/sms, en-tête api-key).

Réglages (variables d'environnement, docs/exploitation.md) :
- SMS_FOURNISSEUR : « fichier » (défaut : chaque SMS ajouté à SMS_FICHIER) ou « brevo » ;
- BREVO_API_CLE, BREVO_SMS_EXPEDITEUR (11 caractères alphanumériques au plus), BREVO_API_URL (défaut
  https://api.brevo.com/v3).
"""

import json
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone


class EchecSMS(Exception):
    """Le fournisseur n'a pas accepté le SMS (erreur réseau, refus, réponse illisible)."""


class FournisseurSMS:
    def envoyer(self, *, numero, texte):
        """Envoie `texte` au `numero` (format international +33...) ; rend la référence du fournisseur."""
        raise NotImplementedError


class FichierSMS(FournisseurSMS):
    """Développement : chaque SMS est ajouté, sur une ligne JSON, au fichier SMS_FICHIER."""

    def __init__(self, chemin):
        self.chemin = Path(chemin)

    def envoyer(self, *, numero, texte):
        self.chemin.parent.mkdir(parents=True, exist_ok=True)
        ligne = {"date": timezone.now().isoformat(), "numero": numero, "texte": texte}
        with self.chemin.open("a", encoding="utf-8") as fichier:
            fichier.write(json.dumps(ligne, ensure_ascii=False) + "\n")
        return f"fichier:{self.chemin.name}"


class BrevoSMS(FournisseurSMS):
    """API « SMS transactionnels » de Brevo : réponse 201 avec la référence (`reference`, `messageId`)."""

    def __init__(self, *, cle, expediteur, url, delai=10):
        if not cle or not expediteur:
            raise ImproperlyConfigured("SMS_FOURNISSEUR=brevo demande BREVO_API_CLE et BREVO_SMS_EXPEDITEUR.")
        self.cle, self.expediteur, self.url, self.delai = cle, expediteur, url.rstrip("/"), delai

    def envoyer(self, *, numero, texte):
        corps = {
            "type": "transactional",
            "sender": self.expediteur,
            "recipient": numero.lstrip("+"),
            "content": texte,
            "unicodeEnabled": True,
        }
        requete = urllib.request.Request(
            f"{self.url}/transactionalSMS/sms",
            data=json.dumps(corps).encode("utf-8"),
            headers={"api-key": self.cle, "content-type": "application/json", "accept": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(requete, timeout=self.delai) as reponse:  # noqa: S310 - URL des réglages
                donnees = json.loads(reponse.read() or b"{}")
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:200].decode("utf-8", "replace")
            raise EchecSMS(f"Brevo a refusé le SMS (HTTP {exc.code}) : {detail}") from exc
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            raise EchecSMS(f"Brevo injoignable ou réponse illisible : {exc}") from exc
        return str(donnees.get("reference") or donnees.get("messageId") or "")


def fournisseur_sms():
    nom = settings.SMS_FOURNISSEUR
    if nom == "fichier":
        return FichierSMS(settings.SMS_FICHIER)
    if nom == "brevo":
        return BrevoSMS(
            cle=settings.BREVO_API_CLE, expediteur=settings.BREVO_SMS_EXPEDITEUR, url=settings.BREVO_API_URL
        )
    raise ImproperlyConfigured(f"SMS_FOURNISSEUR inconnu : {nom!r} (attendu : fichier ou brevo).")
