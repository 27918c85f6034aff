"""Lectures composées du placement : le fil d'une orientation (page de l'orientation et fil de la personne) et la
synthèse de l'état des résultats."""

from django.db.models import Prefetch
from django.utils.timezone import localdate

from beneficiaires.timeline import Evenement
from commun import francais
from comptes.models import Role

from .models import ATTENTE_MAX_JOURS, Lot, MaintienEmploi, Orientation, ResultatPaye, StatutResultat, Suivi

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
        Prefetch("resultats", queryset=ResultatPaye.objects.order_by("date", "pk")),
    )


def synthese_libellee(resultats):
    """Les lignes de `ResultatPayeQuerySet.synthese()`, chacune avec le libellé de son lot et de sa nature (une
    requête de plus pour les libellés des lots, quel que soit leur nombre)."""
    lignes = list(resultats.synthese())
    lots = {lot.pk: lot.libelle for lot in Lot.objects.filter(pk__in={ligne["lot"] for ligne in lignes}).pour_libelle()}
    natures = dict(ResultatPaye.Nature.choices)
    for ligne in lignes:
        ligne["lot_libelle"] = lots.get(ligne["lot"], "")
        ligne["nature_libelle"] = natures.get(ligne["nature"], ligne["nature"])
    return lignes


def _sortie(orientation):
    try:
        return orientation.sortie
    except Orientation.sortie.RelatedObjectDoesNotExist:
        return None


def _evenement(date, titre, url, detail=""):
    return Evenement(date=date, titre=titre, detail=detail, url=url, categorie="placement")


def _etapes(orientation, url):
    """Proposition, réponse du prestataire, entrée en accompagnement."""
    detail = f"Par {orientation.prescripteur}" + (f" — {orientation.observations}" if orientation.observations else "")
    evts = [
        _evenement(
            orientation.date_proposition, f"Orientation proposée vers {orientation.lot.prestataire.nom}", url, detail
        )
    ]
    if orientation.date_reponse:
        if orientation.statut == Orientation.Statut.REFUSEE:
            titre, detail = "Orientation refusée par le prestataire", f"Motif : {orientation.get_motif_refus_display()}"
        else:
            titre, detail = (
                "Orientation acceptée par le prestataire",
                f"Réponse en {francais.jours(orientation.delai_reponse_jours)}",
            )
        evts.append(_evenement(orientation.date_reponse, titre, url, detail))
    if orientation.date_entree:
        evts.append(_evenement(orientation.date_entree, "Entrée en accompagnement", url))
    return evts


def _suivis(orientation, url):
    return [
        _evenement(
            s.date,
            f"Suivi : {s.get_nature_display().lower()}",
            url,
            s.note + (f" — Prochaine étape : {s.prochaine_etape}" if s.prochaine_etape else ""),
        )
        for s in orientation.suivis.all()
    ]


def _sortie_et_maintiens(orientation, url):
    sortie = _sortie(orientation)
    if sortie is None:
        return []
    detail = "Sortie positive" if sortie.positive else "Sortie non positive"
    if sortie.nom_employeur:
        detail += f" — employeur : {sortie.nom_employeur}"
    evts = [_evenement(sortie.date, f"Sortie : {sortie.get_type_display()}", url, detail)]
    for m in sortie.maintiens.all():
        etat = "Toujours en emploi" if m.en_emploi else "Plus en emploi"
        evts.append(_evenement(m.date_constat, f"Suivi dans l'emploi à {m.get_echeance_display()}", url, etat))
    return evts


def _resultats(orientation, url, *, montants):
    """Chaque étape d'un résultat : déclaré (avec justificatif), validé ou rejeté par le Département, payé.
    Les montants ne sont montrés qu'aux rôles qui voient l'état des résultats."""
    evts = []
    for r in orientation.resultats.all():
        nature = r.get_nature_display().lower()
        montant = francais.euros(r.prix_unitaire) if montants else ""
        detail = "Justificatif joint" + (f" — {montant}" if montant else "")
        evts.append(_evenement(localdate(r.date_creation), f"Résultat déclaré : {nature}", url, detail))
        if r.date_decision and r.statut == StatutResultat.REJETE:
            evts.append(
                _evenement(r.date_decision.date(), f"Résultat rejeté : {nature}", url, f"Motif : {r.motif_rejet}")
            )
        elif r.date_decision:
            evts.append(_evenement(r.date_decision.date(), f"Résultat validé (service fait) : {nature}", url, montant))
        if r.date_paiement:
            reference = r.reference_paiement
            detail = " — ".join(x for x in (montant, reference) if x)
            evts.append(_evenement(r.date_paiement, f"Résultat payé : {nature}", url, detail))
    return evts


def fil_orientation(orientation, user, *, avec_url=False):
    """Les étapes, suivis, sortie, suivis dans l'emploi et résultats d'une orientation, sous forme d'événements."""
    url = orientation.get_absolute_url() if avec_url else None
    return [
        *_etapes(orientation, url),
        *_suivis(orientation, url),
        *_sortie_et_maintiens(orientation, url),
        *_resultats(orientation, url, montants=user.a_role(*ROLES_MONTANTS)),
    ]


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

    from commun.dates import ajouter_mois

    from .models import SORTIES_EN_EMPLOI, Sortie

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

    return (
        Lot.objects.visibles_par(user)
        .filter(date_debut__lte=jour, date_fin__gte=jour, capacite__gt=0)
        .avec_occupation()
        .alias(occupees_x10=F("places_occupees") * 10)
        .filter(occupees_x10__gte=F("capacite") * SEUIL_DIXIEMES)
        .select_related("marche", "prestataire")
    )


def resultats_a_valider(user, jour):
    """Résultats déclarés (avec leur justificatif) par les prestataires, que le Département n'a encore ni validés ni
    rejetés ; les plus anciennes déclarations d'abord (`date_creation`)."""
    return (
        ResultatPaye.objects.visibles_par(user)
        .filter(statut=StatutResultat.DECLARE)
        .select_related("orientation__beneficiaire", "lot__prestataire")
    )
