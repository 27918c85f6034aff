"""Lectures composées du placement : le fil d'une orientation (page de l'orientation et fil de la personne)."""

from django.db.models import Prefetch

from beneficiaires.timeline import Evenement
from comptes.models import Role

from .models import ATTENTE_MAX_JOURS, MaintienEmploi, Orientation, Suivi
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


# --- Files d'activité (« Mon activité ») ------------------------------------------------------------------

DELAI_REPONSE_JOURS = ATTENTE_MAX_JOURS
SEUIL_DIXIEMES = 9  # 90 %


def orientations_sans_reponse(user, jour):
    """Orientations proposées depuis 15 jours ou plus, toujours sans réponse du prestataire."""
    return (
        Orientation.objects.visibles_par(user)
        .en_attente_longue(jour)
        .select_related("beneficiaire", "lot__prestataire")
    )


def orientations_a_repondre(user, jour):
    return (
        Orientation.objects.visibles_par(user)
        .filter(statut=Orientation.Statut.PROPOSEE)
        .select_related("beneficiaire", "lot__prestataire")
    )


def entrees_a_declarer(user, jour):
    """Orientations acceptées dont l'entrée en accompagnement n'est pas encore déclarée."""
    return (
        Orientation.objects.visibles_par(user)
        .filter(statut=Orientation.Statut.ACCEPTEE)
        .select_related("beneficiaire", "lot__prestataire")
    )


def suivis_emploi_dus(user, jour):
    """Sorties en emploi dont un suivi à 1, 3 ou 6 mois est échu et pas encore saisi. Annote `echeance_due` (la
    plus ancienne échéance manquante)."""
    from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When

    from .models import SORTIES_EN_EMPLOI, Sortie
    from .services import ajouter_mois

    def manque(n):
        return ~Exists(MaintienEmploi.objects.filter(sortie=OuterRef("pk"), echeance=n))

    conditions = {n: Q(date__lte=ajouter_mois(jour, -n)) & manque(n) for n in (1, 3, 6)}
    return (
        Sortie.objects.visibles_par(user)
        .filter(type__in=SORTIES_EN_EMPLOI)
        .filter(conditions[1] | conditions[3] | conditions[6])
        .annotate(
            echeance_due=Case(*(When(conditions[n], then=Value(n)) for n in (1, 3, 6)), output_field=IntegerField())
        )
        .select_related("orientation__beneficiaire")
    )


def lots_presque_pleins(user, jour):
    """Lots en cours dont 90 % des places au moins sont occupées."""
    from django.db.models import F

    from .models import Lot

    return (
        Lot.objects.visibles_par(user)
        .filter(date_debut__lte=jour, date_fin__gte=jour, capacite__gt=0)
        .avec_occupation()
        .alias(occupees_x10=F("places_occupees") * 10)
        .filter(occupees_x10__gte=F("capacite") * SEUIL_DIXIEMES)
        .select_related("marche", "prestataire")
    )
