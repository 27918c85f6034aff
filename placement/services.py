"""Actions du placement : chaque règle métier est écrite ici, une fois (vues, admin et démo appellent ces fonctions)."""

import calendar
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from beneficiaires.models import Beneficiaire, StatutParcours
from comptes.models import Role, User
from referentiel.models import Structure

from .models import (
    SORTIES_EN_EMPLOI,
    Lot,
    MaintienEmploi,
    Marche,
    MotifRefus,
    Orientation,
    ResultatPaye,
    Sortie,
    Suivi,
    TypeSortie,
    sortie_est_positive,
)

S = Orientation.Statut


def ajouter_mois(jour, mois):
    """Même jour `mois` mois plus tard (ramené au dernier jour du mois si besoin : 31/08 + 6 mois = 28/02)."""
    total = jour.month - 1 + mois
    annee, mois_ = jour.year + total // 12, total % 12 + 1
    return datetime.date(annee, mois_, min(jour.day, calendar.monthrange(annee, mois_)[1]))


def _aujourdhui():
    return timezone.localdate()


def _pas_dans_le_futur(jour, champ, libelle):
    if jour > _aujourdhui():
        raise ValidationError({champ: f"La date {libelle} ne peut être dans le futur."})


def _verrouiller(orientation):
    """Verrouille la ligne de l'orientation et la relit (l'objet reçu peut être périmé)."""
    return Orientation.objects.select_for_update(of=("self",)).select_related("lot").get(pk=orientation.pk)


def _statut_requis(orientation, statuts, action):
    if orientation.statut not in statuts:
        raise ValidationError(
            f"Impossible de {action} : l'orientation est « {orientation.get_statut_display().lower()} »."
        )


def _payer(*, orientation, nature, date):
    """Crée le résultat payé, une seule fois par orientation et par nature (contrainte d'unicité en base)."""
    if ResultatPaye.objects.filter(orientation=orientation, nature=nature).exists():
        raise ValidationError(f"Le résultat « {ResultatPaye.Nature(nature).label} » a déjà été payé.")
    resultat = ResultatPaye(
        orientation=orientation,
        lot=orientation.lot,
        nature=nature,
        date=date,
        prix_unitaire=orientation.lot.prix(nature),
    )
    resultat.full_clean()
    resultat.save()
    return resultat


# --- Marchés et lots -------------------------------------------------------------------------------------


def lot_verifier_bassins(*, lot, bassins):
    """Un bassin n'est couvert, à une date, que par un seul lot : l'orientation par défaut est sans ambiguïté."""
    autres = (
        Lot.objects.filter(bassins__in=bassins, date_debut__lte=lot.date_fin, date_fin__gte=lot.date_debut)
        .exclude(pk=lot.pk)
        .distinct()
    )
    conflit = autres.first()
    if conflit is not None:
        raise ValidationError(
            {"bassins": f"Un bassin choisi est déjà couvert par le {conflit} sur une période qui chevauche celle-ci."}
        )
    if lot.marche_id and (lot.date_debut < lot.marche.date_debut or lot.date_fin > lot.marche.date_fin):
        raise ValidationError({"date_fin": "La période du lot doit rester dans celle du marché."})
    if lot.prestataire_id and lot.prestataire.type != Structure.Type.PRESTATAIRE:
        raise ValidationError({"prestataire": "Le titulaire d'un lot est une structure de type prestataire."})


@transaction.atomic
def marche_creer(*, reference, intitule, date_debut, date_fin):
    marche = Marche(reference=reference, intitule=intitule, date_debut=date_debut, date_fin=date_fin)
    marche.full_clean()
    marche.save()
    return marche


@transaction.atomic
def lot_creer(
    *,
    marche,
    numero,
    prestataire,
    bassins,
    capacite,
    prix_entree,
    prix_sortie_positive,
    prix_maintien_6_mois,
    date_debut=None,
    date_fin=None,
    intitule="",
):
    lot = Lot(
        marche=marche,
        numero=numero,
        intitule=intitule,
        prestataire=prestataire,
        date_debut=date_debut or marche.date_debut,
        date_fin=date_fin or marche.date_fin,
        capacite=capacite,
        prix_entree=prix_entree,
        prix_sortie_positive=prix_sortie_positive,
        prix_maintien_6_mois=prix_maintien_6_mois,
    )
    lot.full_clean()
    lot_verifier_bassins(lot=lot, bassins=bassins)
    lot.save()
    lot.bassins.set(bassins)
    return lot


# --- Orientation ----------------------------------------------------------------------------------------


def lots_possibles(*, beneficiaire, date):
    """Les lots en vigueur à cette date qui couvrent le bassin de la personne."""
    if beneficiaire.commune_id is None:  # adresse à vérifier : aucun bassin, aucun lot
        return Lot.objects.none()
    return Lot.objects.couvrant(beneficiaire.commune.bassin_emploi_id, date).select_related("prestataire")


@transaction.atomic
def orientation_proposer(*, beneficiaire, par, lot=None, date=None, observations=""):
    """Oriente la personne vers le lot de son bassin (ou le lot choisi, s'il couvre son bassin à cette date)."""
    date = date or _aujourdhui()
    _pas_dans_le_futur(date, "date_proposition", "de proposition")
    # Verrou sur la personne : deux propositions simultanées pour elle se suivent, la seconde voit la première.
    beneficiaire = (
        Beneficiaire.objects.select_for_update(of=("self",)).select_related("commune").get(pk=beneficiaire.pk)
    )
    if beneficiaire.statut_parcours == StatutParcours.ARCHIVE:
        raise ValidationError("Cette personne est archivée : elle ne peut être orientée.")
    if Orientation.objects.filter(beneficiaire=beneficiaire).ouvertes().exists():
        raise ValidationError("Cette personne a déjà une orientation en cours vers un prestataire.")
    possibles = list(lots_possibles(beneficiaire=beneficiaire, date=date))
    if lot is None:
        if not possibles:
            raise ValidationError(
                {"lot": f"Aucun lot de placement en vigueur le {date:%d/%m/%Y} ne couvre le bassin de la personne."}
            )
        if len(possibles) > 1:
            raise ValidationError({"lot": "Plusieurs lots couvrent le bassin de la personne : choisissez le lot."})
        lot = possibles[0]
    elif lot.pk not in {p.pk for p in possibles}:
        raise ValidationError(
            {"lot": f"Ce lot ne couvre pas le bassin de la personne le {date:%d/%m/%Y} : choisissez un lot en vigueur."}
        )
    orientation = Orientation(
        beneficiaire=beneficiaire,
        lot=lot,
        prescripteur=par,
        statut=S.PROPOSEE,
        date_proposition=date,
        observations=observations,
    )
    orientation.full_clean()
    orientation.save()
    return orientation


@transaction.atomic
def orientation_accepter(*, orientation, par, date=None):
    """Le prestataire accepte : une place du lot est prise. Verrou sur le lot, recomptage, revérification."""
    date = date or _aujourdhui()
    _pas_dans_le_futur(date, "date_reponse", "d'acceptation")
    orientation = _verrouiller(orientation)
    _statut_requis(orientation, (S.PROPOSEE,), "accepter")
    lot = Lot.objects.select_for_update(of=("self",)).get(pk=orientation.lot_id)
    occupees = lot.orientations.filter(statut__in=Orientation.STATUTS_OCCUPANT).count()
    if occupees >= lot.capacite:
        raise ValidationError(
            f"La capacité du lot est atteinte ({occupees} place(s) occupée(s) sur {lot.capacite}) : "
            "refusez l'orientation avec le motif « Capacité du lot atteinte »."
        )
    if date < orientation.date_proposition:
        raise ValidationError({"date_reponse": "L'acceptation ne peut précéder la proposition."})
    orientation.statut = S.ACCEPTEE
    orientation.date_reponse = date
    orientation.full_clean()
    orientation.save()
    return orientation


@transaction.atomic
def orientation_refuser(*, orientation, par, motif, date=None):
    date = date or _aujourdhui()
    if not motif:
        raise ValidationError({"motif_refus": "Un refus doit être motivé : choisissez un motif."})
    if motif not in MotifRefus.values:
        raise ValidationError({"motif_refus": "Motif de refus inconnu."})
    _pas_dans_le_futur(date, "date_reponse", "de refus")
    orientation = _verrouiller(orientation)
    _statut_requis(orientation, (S.PROPOSEE,), "refuser")
    if date < orientation.date_proposition:
        raise ValidationError({"date_reponse": "Le refus ne peut précéder la proposition."})
    orientation.statut = S.REFUSEE
    orientation.motif_refus = motif
    orientation.date_reponse = date
    orientation.full_clean()
    orientation.save()
    return orientation


@transaction.atomic
def orientation_demarrer_accompagnement(*, orientation, par, date=None):
    """Premier rendez-vous tenu : la personne entre en accompagnement (résultat payé « entrée »)."""
    date = date or _aujourdhui()
    _pas_dans_le_futur(date, "date_entree", "d'entrée")
    orientation = _verrouiller(orientation)
    _statut_requis(orientation, (S.ACCEPTEE,), "démarrer l'accompagnement")
    if date < orientation.date_reponse:
        raise ValidationError({"date_entree": "L'entrée en accompagnement ne peut précéder l'acceptation."})
    orientation.statut = S.EN_ACCOMPAGNEMENT
    orientation.date_entree = date
    orientation.full_clean()
    orientation.save()
    _payer(orientation=orientation, nature=ResultatPaye.Nature.ENTREE, date=date)
    return orientation


@transaction.atomic
def suivi_enregistrer(*, orientation, par, date, nature, note, prochaine_etape=""):
    _pas_dans_le_futur(date, "date", "du suivi")
    orientation = _verrouiller(orientation)
    _statut_requis(orientation, (S.ACCEPTEE, S.EN_ACCOMPAGNEMENT, S.SORTIE), "enregistrer un suivi")
    if date < orientation.date_proposition:
        raise ValidationError({"date": "Un suivi ne peut précéder l'orientation."})
    suivi = Suivi(
        orientation=orientation, date=date, nature=nature, note=note, prochaine_etape=prochaine_etape, auteur=par
    )
    suivi.full_clean()
    suivi.save()
    return suivi


@transaction.atomic
def sortie_enregistrer(*, orientation, par, type, date, employeur=None, employeur_nom="", duree_contrat_mois=None):
    """Enregistre l'issue de l'accompagnement, clôt l'orientation et paie la sortie positive s'il y a lieu.

    Une sortie positive n'est payée que si la personne était entrée en accompagnement.
    """
    _pas_dans_le_futur(date, "date", "de sortie")
    orientation = _verrouiller(orientation)
    _statut_requis(orientation, (S.ACCEPTEE, S.EN_ACCOMPAGNEMENT), "enregistrer une sortie")
    if date < (orientation.date_entree or orientation.date_reponse):
        raise ValidationError({"date": "La sortie ne peut précéder l'entrée en accompagnement ou l'acceptation."})
    if type == TypeSortie.INTERIM and duree_contrat_mois is None:
        raise ValidationError({"duree_contrat_mois": "Pour l'intérim, indiquez la durée prévue des missions en mois."})
    if employeur is not None and employeur.type == Structure.Type.PRESTATAIRE:
        raise ValidationError({"employeur": "Le prestataire de placement ne peut être l'employeur de la sortie."})
    sortie = Sortie(
        orientation=orientation,
        type=type,
        date=date,
        employeur=employeur,
        employeur_nom=employeur_nom if employeur is None else "",
        duree_contrat_mois=duree_contrat_mois,
        positive=sortie_est_positive(type, duree_contrat_mois),
        auteur=par,
    )
    sortie.full_clean()
    sortie.save()
    orientation.statut = S.SORTIE
    orientation.date_sortie = date
    orientation.full_clean()
    orientation.save()
    if sortie.positive and orientation.date_entree is not None:
        _payer(orientation=orientation, nature=ResultatPaye.Nature.SORTIE_POSITIVE, date=date)
    return sortie


@transaction.atomic
def maintien_en_emploi_enregistrer(*, sortie, par, echeance, en_emploi, date_constat=None):
    """Suivi dans l'emploi à 1, 3 ou 6 mois ; « toujours en emploi à 6 mois » est un résultat payé."""
    date_constat = date_constat or _aujourdhui()
    _pas_dans_le_futur(date_constat, "date_constat", "du constat")
    orientation = _verrouiller(sortie.orientation)
    sortie = Sortie.objects.get(pk=sortie.pk)
    if sortie.type not in SORTIES_EN_EMPLOI:
        raise ValidationError("Le suivi dans l'emploi ne concerne que les sorties en emploi (contrat ou création).")
    if echeance not in MaintienEmploi.Echeance.values:
        raise ValidationError({"echeance": "Les échéances du suivi dans l'emploi sont 1, 3 et 6 mois."})
    echeance_date = ajouter_mois(sortie.date, echeance)
    if date_constat < echeance_date:
        raise ValidationError(
            {"date_constat": f"Le constat à {echeance} mois se fait à partir du {echeance_date:%d/%m/%Y}."}
        )
    if MaintienEmploi.objects.filter(sortie=sortie, echeance=echeance).exists():
        raise ValidationError({"echeance": f"Le suivi dans l'emploi à {echeance} mois est déjà enregistré."})
    maintien = MaintienEmploi(
        sortie=sortie, echeance=echeance, date_constat=date_constat, en_emploi=en_emploi, auteur=par
    )
    maintien.full_clean()
    maintien.save()
    if echeance == MaintienEmploi.Echeance.SIX_MOIS and en_emploi and orientation.date_entree is not None:
        _payer(orientation=orientation, nature=ResultatPaye.Nature.MAINTIEN_6_MOIS, date=date_constat)
    return maintien


# --- Comptes de démonstration ---------------------------------------------------------------------------

PRESTATAIRES_DEMO = [
    # identifiant, prénom, nom, structure
    ("prestataire", "Pierre", "Prestataire", "Insertion Emploi Centre"),
    ("prestataire2", "Prune", "Prestataire", "Trajectoires Placement 45"),
]


@transaction.atomic
def comptes_prestataires_demo_rattacher():
    """Rattache le compte de démonstration « prestataire » à Insertion Emploi Centre et crée « prestataire2 »
    pour Trajectoires Placement 45. Refusé hors développement. Rend le nombre de comptes créés."""
    from comptes.services import MOT_DE_PASSE_DEMO

    if not settings.DEMO_AUTORISEE:
        raise ValidationError("Les comptes de démonstration sont refusés hors développement (DEBUG désactivé).")
    structures = {
        s.nom: s
        for s in Structure.objects.filter(
            Q(type=Structure.Type.PRESTATAIRE), nom__in=[ligne[3] for ligne in PRESTATAIRES_DEMO]
        )
    }
    crees = 0
    for identifiant, prenom, nom, nom_structure in PRESTATAIRES_DEMO:
        structure = structures.get(nom_structure)
        if structure is None:
            continue
        user = User.objects.filter(username=identifiant).first()
        if user is None:
            user = User(username=identifiant, first_name=prenom, last_name=nom, email=f"{identifiant}@example.org")
            user.set_password(MOT_DE_PASSE_DEMO)
            crees += 1
        user.compte_demo = True
        user.role = Role.PRESTATAIRE
        user.structure = structure
        user.is_staff = user.is_superuser = False
        user.full_clean()
        user.save()
    return crees
