"""Messages aux personnes : choix du canal selon les préférences et le consentement, texte tiré du modèle du
motif, envoi par e-mail (API d'e-mail de Django), SMS (fournisseur configurable) ou courrier (PDF à imprimer).

Une application qui veut joindre une personne appelle `message_preparer(...)` depuis son service : le message est
enregistré (texte tel qu'il partira, canal, statut « en attente ») et son envoi est une tâche (commun.taches).
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from .francais import e_final
from .models import Canal, Message, ModeleMessage, Objet, rendre_texte
from .sms import EchecSMS, fournisseur_sms

# Mobiles français : 06 ou 07 (métropole), ou déjà au format international +33 6 / +33 7.
MOBILE = re.compile(r"^(?:0|\+33|0033)[67]\d{8}$")


def numero_mobile(telephone):
    """Le numéro au format international (+336...) s'il s'agit d'un mobile français, sinon None."""
    brut = re.sub(r"[\s.\-()]", "", telephone or "")
    if not MOBILE.match(brut):
        return None
    return "+33" + brut[-9:]


@dataclass(frozen=True)
class Coordonnees:
    """Ce que le commun sait d'une personne pour la joindre (fourni par son application)."""

    prenom: str
    nom: str
    email: str = ""
    telephone: str = ""
    adresse: str = ""
    canal_prefere: str = Canal.COURRIER
    consentement_sms: bool = False
    consentement_email: bool = False
    civilite: str = ""  # « MME », « M » ou vide : accord des modèles ({{ e }} : « attendu{{ e }} »)


def choisir_canal(c):
    """(canal, adresse) : le canal préféré s'il est permis, sinon le courrier ; (None, "") si rien n'est possible.

    Pas de SMS sans numéro mobile et consentement ; pas d'e-mail sans adresse et consentement."""
    mobile = numero_mobile(c.telephone)
    if c.canal_prefere == Canal.SMS and mobile and c.consentement_sms:
        return Canal.SMS, mobile
    if c.canal_prefere == Canal.EMAIL and c.email and c.consentement_email:
        return Canal.EMAIL, c.email
    if c.adresse:
        return Canal.COURRIER, c.adresse
    return None, ""


MODELES_PAR_DEFAUT = {
    Objet.CONVOCATION_EVALUATION: (
        "Votre rendez-vous d'évaluation le {{ date }}",
        "Bonjour {{ prenom }} {{ nom }},\n\nDans le cadre de votre accompagnement vers l'emploi, vous êtes "
        "attendu{{ e }} pour un entretien d'évaluation le {{ date }} à {{ heure }}, à l'adresse suivante :\n"
        "{{ lieu }}\n\n"
        "Si vous ne pouvez pas venir, prévenez votre référent au plus tôt.\n\n{{ departement }}",
        "{{ departement }} : RDV d'évaluation le {{ date }} à {{ heure }}, {{ lieu }}. Empêché{{ e }} ? "
        "Prévenez votre référent.",
    ),
    Objet.INVITATION_FORUM: (
        "Invitation : {{ forum }} le {{ date }}",
        "Bonjour {{ prenom }} {{ nom }},\n\nVous êtes invité{{ e }} au forum de l'emploi « {{ forum }} » "
        "le {{ date }}, à {{ lieu }}. Des employeurs y recrutent.\n\nMerci de répondre à votre référent pour "
        "confirmer votre venue."
        "\n\n{{ departement }}",
        "{{ departement }} : invitation au forum {{ forum }} le {{ date }} à {{ lieu }}. Répondez à votre référent.",
    ),
    Objet.RELANCE_FORUM: (
        "Rappel : {{ forum }} le {{ date }}",
        "Bonjour {{ prenom }} {{ nom }},\n\nNous n'avons pas reçu votre réponse à l'invitation au forum de l'emploi "
        "« {{ forum }} » du {{ date }}, à {{ lieu }}. Merci de dire à votre référent si vous venez."
        "\n\n{{ departement }}",
        "{{ departement }} : rappel, forum {{ forum }} le {{ date }} à {{ lieu }}. "
        "Dites à votre référent si vous venez.",
    ),
    Objet.RAPPEL_LOCATION: (
        "Restitution du véhicule le {{ date }}",
        "Bonjour {{ prenom }} {{ nom }},\n\nLe véhicule qui vous est prêté ({{ vehicule }}) est à rendre demain, "
        "{{ date }}, au point de retrait habituel.\n\n{{ departement }}",
        "{{ departement }} : le véhicule {{ vehicule }} est à rendre demain {{ date }}.",
    ),
    Objet.FIN_CONTRAT: (
        "Votre contrat se termine le {{ date }}",
        "Bonjour {{ prenom }} {{ nom }},\n\nVotre contrat aidé chez {{ employeur }} se termine le {{ date }}. "
        "Votre référent vous contactera pour préparer la suite de votre parcours.\n\n{{ departement }}",
        "{{ departement }} : votre contrat chez {{ employeur }} se termine le {{ date }}. "
        "Votre référent vous contactera.",
    ),
}


def modele(objet):
    """Le modèle du motif ; créé avec le texte par défaut s'il n'existe pas encore."""
    sujet, corps, corps_sms = MODELES_PAR_DEFAUT[objet]
    instance, _ = ModeleMessage.objects.get_or_create(
        objet=objet, defaults={"sujet": sujet, "corps": corps, "corps_sms": corps_sms}
    )
    return instance


def message_preparer(*, objet, destinataire, coordonnees, contexte, cle, par=None):
    """Enregistre le message (texte rendu, canal choisi) et demande son envoi. Une même clé n'envoie qu'une fois :
    rappelée, la fonction rend le message existant sans rien envoyer."""
    from .taches import differer, envoyer_message

    existant = Message.objects.filter(cle=cle).first()
    if existant:
        return existant
    gabarit = modele(objet)
    valeurs = {
        "prenom": coordonnees.prenom,
        "nom": coordonnees.nom.upper(),
        "e": e_final(coordonnees.civilite),
        "departement": settings.DEPARTEMENT_NOM,
        **contexte,
    }
    canal, adresse = choisir_canal(coordonnees)
    message = Message(
        cle=cle,
        objet=objet,
        canal=canal or Canal.COURRIER,
        type_destinataire=ContentType.objects.get_for_model(destinataire, for_concrete_model=True),
        id_destinataire=destinataire.pk,
        adresse=adresse,
        sujet=rendre_texte(gabarit.sujet, valeurs)[:200],
        corps=rendre_texte(gabarit.corps_sms if canal == Canal.SMS else gabarit.corps, valeurs),
        demande_par=par,
    )
    if canal is None:
        message.statut = Message.Statut.IMPOSSIBLE
        message.detail = "Ni adresse postale, ni e-mail ou mobile avec consentement : prévenir la personne autrement."
    # Sans le contrôle d'unicité de la clé : un message de même clé validé entre-temps par une autre tâche serait
    # une ValidationError (un refus, jamais réessayé : commun.taches.Relances) ; il est l'IntegrityError ci-dessous.
    message.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        return Message.objects.get(cle=cle)
    if canal is not None:
        differer(envoyer_message, message_id=message.pk)
    return message


def _envoyer(message):
    if message.canal == Canal.EMAIL:
        EmailMessage(
            subject=message.sujet,
            body=message.corps,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.adresse],
        ).send(fail_silently=False)
        return Message.Statut.ENVOYE, ""
    if message.canal == Canal.SMS:
        reference = fournisseur_sms().envoyer(numero=message.adresse, texte=message.corps)
        return Message.Statut.ENVOYE, f"Référence du fournisseur : {reference}" if reference else ""
    return Message.Statut.A_IMPRIMER, "Courrier prêt : à imprimer depuis le fil de la personne."


def message_envoyer(*, message_id, essais_max=None):
    """Envoie le message s'il est en attente (verrou, relecture, envoi, statut). Une erreur d'envoi est notée, puis
    relevée hors de la transaction pour que le moteur réessaie ; au dernier essai, le message passe en échec."""
    from .taches import RELANCES

    essais_max = essais_max or 1 + RELANCES.max_attempts
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.statut != Message.Statut.EN_ATTENTE:
            return message
        message.tentatives += 1
        try:
            statut, detail = _envoyer(message)
        except (OSError, EchecSMS) as exc:
            erreur = exc
            message.statut = Message.Statut.ECHEC if message.tentatives >= essais_max else Message.Statut.EN_ATTENTE
            message.detail = f"Essai {message.tentatives} : {exc}"[:300]
            message.save(update_fields=["statut", "detail", "tentatives"])
        else:
            erreur = None
            message.statut, message.detail, message.date_envoi = statut, detail[:300], timezone.now()
            message.full_clean()
            message.save(update_fields=["statut", "detail", "tentatives", "date_envoi"])
    if erreur is not None and message.statut == Message.Statut.EN_ATTENTE:
        raise EchecEnvoi(message.detail) from erreur
    return message


class EchecEnvoi(Exception):
    """Envoi à réessayer (le moteur de tâches le relance)."""
