"""Registre du fil chronologique (timeline) d'une personne.

Chaque application verse ses événements depuis son propre module `timeline.py`, découvert au démarrage :

    from beneficiaires.timeline import Evenement, source

    @source
    def contrats(beneficiaire, user):
        # une requête (ou un petit nombre constant), jamais une par événement
        return [Evenement(date=c.date_signature, titre="Contrat CUI-CAE signé", detail=str(c.employeur),
                          url=c.get_absolute_url(), categorie="contrats") for c in ...]

Une source reçoit la personne et l'utilisateur qui consulte (pour ne montrer que ce qu'il peut voir).
"""

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Evenement:
    date: date | datetime
    titre: str
    detail: str = ""
    url: str | None = None
    categorie: str = ""  # evaluation, contrats, placement, mobilite, forums, registre

    @property
    def cle_tri(self):
        d = self.date
        return d if isinstance(d, datetime) else datetime(d.year, d.month, d.day)


_sources = {}


def source(fonction):
    _sources[f"{fonction.__module__}.{fonction.__qualname__}"] = fonction
    return fonction


def sources():
    return list(_sources.values())


def evenements(beneficiaire, user):
    """Tous les événements de la personne, du plus récent au plus ancien."""
    tous = []
    for s in sources():
        tous.extend(s(beneficiaire, user))

    def cle(e):
        d = e.cle_tri
        return d.replace(tzinfo=None) if d.tzinfo else d

    return sorted(tous, key=cle, reverse=True)


# --- Événements et actions propres au registre (axe 1) ---------------------------------------------------


def _enregistrer_registre():
    from django.urls import reverse

    from comptes.models import Role

    from .fiche import action

    redacteurs = (Role.ADMINISTRATEUR, Role.REFERENT)
    action("Modifier la fiche", lambda b: reverse("beneficiaires:modifier", args=[b.pk]), roles=redacteurs, ordre=10)
    action("Désigner le référent", lambda b: reverse("beneficiaires:referent", args=[b.pk]), roles=redacteurs, ordre=11)
    action(
        "Planifier une évaluation",
        lambda b: reverse("beneficiaires:evaluation_planifier", args=[b.pk]),
        roles=redacteurs,
        ordre=12,
    )
    action(
        "Saisir une évaluation réalisée",
        lambda b: reverse("beneficiaires:evaluation_saisir", args=[b.pk]),
        roles=redacteurs,
        ordre=13,
    )
    action("Archiver", lambda b: reverse("beneficiaires:archiver", args=[b.pk]), roles=redacteurs, ordre=90)
    action(
        "Toutes ses données (RGPD)",
        lambda b: reverse("beneficiaires:rgpd_donnees", args=[b.pk]),
        roles=(Role.ADMINISTRATEUR,),
        ordre=95,
    )


_enregistrer_registre()


@source
def registre(beneficiaire, user):
    """Entrée dans le registre et orientation : lues sur la personne, sans requête."""
    resultat = [
        Evenement(
            date=beneficiaire.date_creation,
            titre="Entrée dans le registre",
            detail=f"Foyer {beneficiaire.foyer.organisme} {beneficiaire.foyer.numero_allocataire}",
            categorie="registre",
        )
    ]
    if beneficiaire.date_orientation and beneficiaire.orientation:
        resultat.append(
            Evenement(
                date=beneficiaire.date_orientation,
                titre="Orientation",
                detail=beneficiaire.get_orientation_display(),
                categorie="registre",
            )
        )
    return resultat


@source
def evaluations(beneficiaire, user):
    """Les évaluations (prévues, réalisées, annulées) : une requête. Le prestataire n'y a pas accès."""
    if user.est_prestataire:
        return []
    from .models import Evaluation

    titres = {
        Evaluation.Statut.PREVUE: "Évaluation prévue",
        Evaluation.Statut.REALISEE: "Évaluation réalisée",
        Evaluation.Statut.ANNULEE: "Évaluation annulée",
    }
    resultat = []
    for e in Evaluation.objects.filter(beneficiaire_id=beneficiaire.pk).select_related("evaluateur").order_by("-date"):
        detail = f"par {e.evaluateur}"
        if e.statut == Evaluation.Statut.REALISEE and e.parcours_recommande:
            detail += f" — parcours recommandé : {e.get_parcours_recommande_display()}"
        resultat.append(
            Evenement(
                date=e.date, titre=titres[e.statut], detail=detail, url=e.get_absolute_url(), categorie="evaluation"
            )
        )
    return resultat


@source
def parcours(beneficiaire, user):
    """Changements de statut du parcours et de référent, lus dans l'historique de la fiche (une requête)."""
    if user.est_prestataire:
        return []
    from .models import Beneficiaire, StatutParcours

    libelles = dict(StatutParcours.choices)
    resultat, precedent = [], None
    versions = (
        Beneficiaire.history.filter(id=beneficiaire.pk)
        .select_related("referent", "history_user")
        .order_by("history_date", "history_id")
    )
    for version in versions:
        par = f"par {version.history_user}" if version.history_user_id else ""
        if precedent is not None and version.statut_parcours != precedent.statut_parcours:
            resultat.append(
                Evenement(
                    date=version.history_date,
                    titre=f"Statut du parcours : {libelles.get(version.statut_parcours, version.statut_parcours)}",
                    detail=par,
                    categorie="registre",
                )
            )
        if version.referent_id and (precedent is None or version.referent_id != precedent.referent_id):
            resultat.append(
                Evenement(
                    date=version.history_date,
                    titre=f"Référent désigné : {version.referent}",
                    detail=par,
                    categorie="registre",
                )
            )
        precedent = version
    return resultat


@source
def messages(beneficiaire, user):
    """Les messages envoyés à la personne (convocations, invitations, rappels) : canal et statut de remise, une
    requête. Un courrier se rouvre en PDF pour l'imprimer."""
    if user.est_prestataire:
        return []
    from commun.models import Canal, Message

    resultat = []
    for m in Message.objects.pour(beneficiaire).order_by("-date_creation", "-pk"):
        detail = f"{m.get_canal_display()} — {m.get_statut_display()}"
        if m.detail and m.statut in (Message.Statut.ECHEC, Message.Statut.IMPOSSIBLE):
            detail += f" : {m.detail}"
        resultat.append(
            Evenement(
                date=m.date_envoi or m.date_creation,
                titre=f"Message : {m.get_objet_display()}",
                detail=detail,
                url=m.get_absolute_url() if m.canal == Canal.COURRIER else None,
                categorie="messages",
            )
        )
    return resultat
