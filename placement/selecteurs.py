"""Lectures composées du placement : le fil d'une orientation (page de l'orientation et fil de la personne)."""

from django.db.models import Prefetch

from beneficiaires.timeline import Evenement
from comptes.models import Role

from .models import MaintienEmploi, Orientation, Suivi
from .tables import euros

ROLES_MONTANTS = (Role.ADMINISTRATEUR, Role.PILOTAGE, Role.PRESTATAIRE)


def orientations_detaillees(qs):
    """Le queryset d'orientations avec tout ce que le fil affiche, en un nombre constant de requêtes."""
    return qs.select_related(
        "beneficiaire__commune__bassin_emploi",
        "lot__prestataire",
        "lot__marche",
        "prescripteur",
        "sortie__employeur",
    ).prefetch_related(
        Prefetch("suivis", queryset=Suivi.objects.select_related("auteur").order_by("date", "pk")),
        Prefetch("sortie__maintiens", queryset=MaintienEmploi.objects.order_by("echeance")),
        "resultats",
    )


def _sortie(orientation):
    try:
        return orientation.sortie
    except Orientation.sortie.RelatedObjectDoesNotExist:
        return None


def fil_orientation(orientation, user, *, avec_url=False):
    """Les étapes, suivis, sortie et suivis dans l'emploi d'une orientation, sous forme d'événements."""
    url = orientation.get_absolute_url() if avec_url else None
    prestataire = orientation.lot.prestataire.nom
    evts = [
        Evenement(
            date=orientation.date_proposition,
            titre=f"Orientation proposée vers {prestataire}",
            detail=f"Par {orientation.prescripteur}"
            + (f" — {orientation.observations}" if orientation.observations else ""),
            url=url,
            categorie="placement",
        )
    ]
    if orientation.date_reponse:
        if orientation.statut == Orientation.Statut.REFUSEE:
            titre, detail = "Orientation refusée par le prestataire", f"Motif : {orientation.get_motif_refus_display()}"
        else:
            titre, detail = (
                "Orientation acceptée par le prestataire",
                f"Réponse en {orientation.delai_reponse_jours} jour(s)",
            )
        evts.append(
            Evenement(date=orientation.date_reponse, titre=titre, detail=detail, url=url, categorie="placement")
        )
    if orientation.date_entree:
        evts.append(
            Evenement(date=orientation.date_entree, titre="Entrée en accompagnement", url=url, categorie="placement")
        )
    for s in orientation.suivis.all():
        detail = s.note + (f" — Prochaine étape : {s.prochaine_etape}" if s.prochaine_etape else "")
        evts.append(
            Evenement(
                date=s.date,
                titre=f"Suivi : {s.get_nature_display().lower()}",
                detail=detail,
                url=url,
                categorie="placement",
            )
        )
    sortie = _sortie(orientation)
    if sortie is not None:
        detail = "Sortie positive" if sortie.positive else "Sortie non positive"
        if sortie.nom_employeur:
            detail += f" — employeur : {sortie.nom_employeur}"
        evts.append(
            Evenement(
                date=sortie.date,
                titre=f"Sortie : {sortie.get_type_display()}",
                detail=detail,
                url=url,
                categorie="placement",
            )
        )
        for m in sortie.maintiens.all():
            evts.append(
                Evenement(
                    date=m.date_constat,
                    titre=f"Suivi dans l'emploi à {m.get_echeance_display()}",
                    detail="Toujours en emploi" if m.en_emploi else "Plus en emploi",
                    url=url,
                    categorie="placement",
                )
            )
    if user.a_role(*ROLES_MONTANTS):
        for r in orientation.resultats.all():
            evts.append(
                Evenement(
                    date=r.date,
                    titre=f"Résultat payé : {r.get_nature_display().lower()}",
                    detail=euros(r.prix_unitaire),
                    url=url,
                    categorie="placement",
                )
            )
    return evts
