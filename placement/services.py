"""Actions du placement : chaque règle métier est écrite ici, une fois (vues, admin et démo appellent ces fonctions)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from beneficiaires.models import Beneficiaire, StatutParcours
from commun.dates import ajouter_mois
from commun.francais import compte, est_pluriel, nombre
from commun.historique import attribue
from comptes.models import Role, User
from referentiel.models import Structure

from .justificatifs import EXTENSIONS, verifier_justificatif
from .models import (
    SORTIES_EN_EMPLOI,
    Lot,
    MaintienEmploi,
    Marche,
    MotifRefus,
    Orientation,
    ResultatPaye,
    Sortie,
    StatutResultat,
    Suivi,
    TypeSortie,
    sortie_est_positive,
)

S = Orientation.Statut
R = StatutResultat
# Le suivi dans l'emploi dure 6 mois après l'embauche : l'orientation est close à son terme.
DUREE_SUIVI_EMPLOI_MOIS = 6


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
@attribue
def marche_creer(*, reference, intitule, date_debut, date_fin, par=None):
    marche = Marche(reference=reference, intitule=intitule, date_debut=date_debut, date_fin=date_fin)
    marche.full_clean()
    marche.save()
    return marche


def marche_verifier_lots(*, marche, date_debut, date_fin):
    """La période d'un marché contient celle de chacun de ses lots."""
    if marche.pk is None or date_debut is None or date_fin is None:
        return
    dehors = marche.lots.exclude(date_debut__gte=date_debut, date_fin__lte=date_fin).order_by("numero").first()
    if dehors is not None:
        raise ValidationError(
            {
                "date_fin": f"Le {dehors} court du {dehors.date_debut:%d/%m/%Y} au {dehors.date_fin:%d/%m/%Y} : "
                "la période du marché doit contenir celle de ses lots."
            }
        )


@transaction.atomic
@attribue
def marche_modifier(*, marche, par, **champs):
    """Modifie un marché (administration) ; sa période contient toujours celle de ses lots."""
    inconnus = set(champs) - {"reference", "intitule", "date_debut", "date_fin"}
    if inconnus:
        raise TypeError(f"Champs inconnus pour un marché : {', '.join(sorted(inconnus))}.")
    marche = Marche.objects.select_for_update(of=("self",)).get(pk=marche.pk)
    for nom, valeur in champs.items():
        setattr(marche, nom, valeur)
    marche.full_clean()
    marche_verifier_lots(marche=marche, date_debut=marche.date_debut, date_fin=marche.date_fin)
    marche.save()
    return marche


@transaction.atomic
@attribue
def lot_creer(
    *,
    marche,
    par=None,
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
    return _lot_enregistrer(lot, bassins)


CHAMPS_LOT = (
    "marche",
    "numero",
    "intitule",
    "prestataire",
    "date_debut",
    "date_fin",
    "capacite",
    "prix_entree",
    "prix_sortie_positive",
    "prix_maintien_6_mois",
)


def lot_verifier_capacite(*, lot, capacite):
    """La capacité d'un lot ne descend pas sous le nombre d'orientations qui y occupent une place."""
    if lot.pk is None or capacite is None:
        return
    occupees = Orientation.objects.filter(lot_id=lot.pk, statut__in=Orientation.STATUTS_OCCUPANT).count()
    if capacite < occupees:
        raise ValidationError(
            {
                "capacite": f"{compte(occupees, 'place')} "
                f"{'sont déjà occupées' if est_pluriel(occupees) else 'est déjà occupée'} dans ce lot : "
                "la capacité ne peut descendre en dessous."
            }
        )


def _lot_enregistrer(lot, bassins):
    """Enregistre le lot et ses bassins ; sur PostgreSQL, la contrainte d'exclusion a le dernier mot."""
    try:
        with transaction.atomic():
            lot.save()
            lot.bassins.set(bassins)
    except IntegrityError as exc:
        if "lot_bassin_sans_chevauchement" in str(exc):
            raise ValidationError(
                {"bassins": "Un bassin choisi vient d'être couvert par un autre lot sur une période qui chevauche."}
            ) from exc
        raise
    return lot


@transaction.atomic
@attribue
def lot_modifier(*, lot, par, bassins=None, **champs):
    """Modifie un lot (administration) : mêmes règles qu'à la création, et une capacité jamais inférieure aux
    places occupées. Verrou sur le lot, recomptage sous verrou (comme l'acceptation d'une orientation)."""
    inconnus = set(champs) - set(CHAMPS_LOT)
    if inconnus:
        raise TypeError(f"Champs inconnus pour un lot : {', '.join(sorted(inconnus))}.")
    lot = Lot.objects.select_for_update(of=("self",)).get(pk=lot.pk)
    for nom, valeur in champs.items():
        setattr(lot, nom, valeur)
    lot_verifier_capacite(lot=lot, capacite=lot.capacite)
    lot.full_clean()
    bassins = list(lot.bassins.all()) if bassins is None else list(bassins)
    lot_verifier_bassins(lot=lot, bassins=bassins)
    return _lot_enregistrer(lot, bassins)


# --- Orientation ----------------------------------------------------------------------------------------


def lots_possibles(*, beneficiaire, date):
    """Les lots en vigueur à cette date qui couvrent le bassin de la personne."""
    if beneficiaire.commune_id is None:  # adresse à vérifier : aucun bassin, aucun lot
        return Lot.objects.none()
    return Lot.objects.couvrant(beneficiaire.commune.bassin_emploi_id, date).select_related("prestataire")


@transaction.atomic
@attribue
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
@attribue
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
            f"La capacité du lot est atteinte ({compte(occupees, 'place occupée')} sur {nombre(lot.capacite)}) : "
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
@attribue
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
    orientation.date_cloture = date
    orientation.full_clean()
    orientation.save()
    return orientation


@transaction.atomic
@attribue
def orientation_demarrer_accompagnement(*, orientation, par, date=None):
    """Premier rendez-vous tenu : la personne entre en accompagnement (le prestataire peut déclarer le résultat
    « entrée », avec son justificatif)."""
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
    return orientation


@transaction.atomic
@attribue
def suivi_enregistrer(*, orientation, par, date, nature, note, prochaine_etape=""):
    _pas_dans_le_futur(date, "date", "du suivi")
    orientation = _verrouiller(orientation)
    _statut_requis(orientation, (S.ACCEPTEE, S.EN_ACCOMPAGNEMENT, S.SORTIE), "enregistrer un suivi")
    if par.est_prestataire and not orientation.acces_prestataire_ouvert(_aujourdhui()):
        # Le prestataire ne voit plus la personne : il n'écrit plus rien sur elle (note, prochaine étape).
        raise ValidationError(
            f"Votre accès à cette personne a pris fin le {orientation.fin_acces_prestataire():%d/%m/%Y} : "
            "le suivi ne peut plus être complété."
        )
    if date < orientation.date_proposition:
        raise ValidationError({"date": "Un suivi ne peut précéder l'orientation."})
    suivi = Suivi(
        orientation=orientation, date=date, nature=nature, note=note, prochaine_etape=prochaine_etape, auteur=par
    )
    suivi.full_clean()
    suivi.save()
    return suivi


@transaction.atomic
@attribue
def sortie_enregistrer(*, orientation, par, type, date, employeur=None, employeur_nom="", duree_contrat_mois=None):
    """Enregistre l'issue de l'accompagnement et clôt l'orientation : le jour même pour une sortie sans emploi,
    à la fin du suivi dans l'emploi (6 mois) pour une sortie en emploi. Une sortie positive ne peut être
    déclarée comme résultat que si la personne était entrée en accompagnement."""
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
    orientation.date_cloture = ajouter_mois(date, DUREE_SUIVI_EMPLOI_MOIS) if sortie.en_emploi else date
    orientation.full_clean()
    orientation.save()
    return sortie


@transaction.atomic
@attribue
def maintien_en_emploi_enregistrer(*, sortie, par, echeance, en_emploi, date_constat=None):
    """Suivi dans l'emploi à 1, 3 ou 6 mois. Le constat à 6 mois, ou un constat « plus en emploi », met fin au
    suivi (l'orientation est close à sa date) ; « toujours en emploi à 6 mois » peut être déclaré comme résultat."""
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
    if echeance == MaintienEmploi.Echeance.SIX_MOIS or not en_emploi:
        orientation.date_cloture = date_constat
        orientation.full_clean()
        orientation.save()
    return maintien


# --- Résultats : déclarés par le prestataire, vérifiés par le Département, puis payés ----------------------


def date_du_resultat(orientation, nature):
    """La date du fait qui ouvre droit au résultat, ou None s'il n'est pas acquis (entrée, sortie positive après
    une entrée, toujours en emploi au constat à 6 mois après une entrée).
    Lit la sortie et ses suivis dans l'emploi par les relations : préchargés, ils ne coûtent aucune requête."""
    if orientation.date_entree is None:
        return None
    if nature == ResultatPaye.Nature.ENTREE:
        return orientation.date_entree
    try:
        sortie = orientation.sortie
    except Sortie.DoesNotExist:
        return None
    if nature == ResultatPaye.Nature.SORTIE_POSITIVE:
        return sortie.date if sortie.positive else None
    if nature == ResultatPaye.Nature.MAINTIEN_6_MOIS:
        for constat in sortie.maintiens.all():
            if constat.echeance == MaintienEmploi.Echeance.SIX_MOIS and constat.en_emploi:
                return constat.date_constat
    return None


def resultats_declarables(orientation):
    """Natures de résultat acquises et pas encore déclarées (un résultat rejeté peut être déclaré à nouveau)."""
    deja = {r.nature for r in orientation.resultats.all() if r.statut != R.REJETE}
    return [
        (nature, libelle)
        for nature, libelle in ResultatPaye.Nature.choices
        if nature not in deja and date_du_resultat(orientation, nature) is not None
    ]


@transaction.atomic
@attribue
def resultat_declarer(*, orientation, nature, justificatif, par):
    """Le prestataire déclare un résultat acquis, avec son justificatif (PDF, PNG ou JPEG vérifié par son contenu).
    Le prix unitaire du lot est figé à la déclaration ; le résultat n'est dû qu'une fois validé."""
    orientation = _verrouiller(orientation)
    if not (par.est_administrateur or (par.est_prestataire and par.structure_id == orientation.lot.prestataire_id)):
        raise ValidationError("Seul le prestataire titulaire du lot déclare les résultats de cette orientation.")
    if nature not in ResultatPaye.Nature.values:
        raise ValidationError({"nature": "Nature de résultat inconnue."})
    libelle = ResultatPaye.Nature(nature).label
    if ResultatPaye.objects.filter(orientation=orientation, nature=nature).exclude(statut=R.REJETE).exists():
        raise ValidationError({"nature": f"Le résultat « {libelle} » est déjà déclaré pour cette orientation."})
    date = date_du_resultat(orientation, nature)
    if date is None:
        raise ValidationError({"nature": f"Le résultat « {libelle} » n'est pas acquis pour cette orientation."})
    type_contenu = verifier_justificatif(justificatif)
    resultat = ResultatPaye(
        orientation=orientation,
        lot=orientation.lot,
        nature=nature,
        date=date,
        prix_unitaire=orientation.lot.prix(nature),
        statut=R.DECLARE,
        nom_fichier=(getattr(justificatif, "name", "") or "justificatif")[-200:],
        justificatif_type=type_contenu,
        declare_par=par,
    )
    resultat.justificatif.save(f"justificatif.{EXTENSIONS[type_contenu]}", justificatif, save=False)
    try:
        resultat.full_clean()
        resultat.save()
    except Exception:
        resultat.justificatif.delete(save=False)  # rien de demi-écrit : pas de fichier orphelin
        raise
    return resultat


def _verrouiller_resultat(resultat):
    return ResultatPaye.objects.select_for_update(of=("self",)).get(pk=resultat.pk)


def _verifier_verificateur(resultat, par):
    if not par.a_role(Role.ADMINISTRATEUR, Role.PILOTAGE):
        raise ValidationError("Seul le Département (pilotage ou administration) vérifie les résultats déclarés.")
    if resultat.declare_par_id is not None and resultat.declare_par_id == par.pk:
        raise ValidationError("Un résultat ne peut être vérifié par la personne qui l'a déclaré.")


@transaction.atomic
@attribue
def resultat_valider(*, resultat, par):
    """Service fait : le Département a vérifié le justificatif ; le résultat est dû au prestataire."""
    resultat = _verrouiller_resultat(resultat)
    _verifier_verificateur(resultat, par)
    if resultat.statut != R.DECLARE:
        raise ValidationError(f"Ce résultat est déjà « {resultat.get_statut_display().lower()} ».")
    resultat.statut = R.VALIDE
    resultat.decide_par = par
    resultat.date_decision = timezone.now()
    resultat.full_clean()
    resultat.save()
    return resultat


@transaction.atomic
@attribue
def resultat_rejeter(*, resultat, par, motif):
    """Le justificatif ne prouve pas le résultat : rejet motivé ; le prestataire peut le déclarer à nouveau."""
    motif = (motif or "").strip()
    if not motif:
        raise ValidationError({"motif_rejet": "Un rejet doit être motivé : indiquez ce qui manque au justificatif."})
    resultat = _verrouiller_resultat(resultat)
    _verifier_verificateur(resultat, par)
    if resultat.statut != R.DECLARE:
        raise ValidationError(f"Ce résultat est déjà « {resultat.get_statut_display().lower()} ».")
    resultat.statut = R.REJETE
    resultat.motif_rejet = motif
    resultat.decide_par = par
    resultat.date_decision = timezone.now()
    resultat.full_clean()
    resultat.save()
    return resultat


@transaction.atomic
@attribue
def resultat_marquer_paye(*, resultat, par, date_paiement, reference=""):
    """Le paiement d'un résultat validé (service fait) est enregistré, avec la référence du mandat."""
    if not par.a_role(Role.ADMINISTRATEUR, Role.PILOTAGE):
        raise ValidationError("Seul le Département (pilotage ou administration) enregistre les paiements.")
    _pas_dans_le_futur(date_paiement, "date_paiement", "de paiement")
    resultat = _verrouiller_resultat(resultat)
    if resultat.statut != R.VALIDE:
        statut = resultat.get_statut_display().lower()
        raise ValidationError(f"Seul un résultat validé (service fait) se paie ; celui-ci est « {statut} ».")
    if date_paiement < resultat.date:
        raise ValidationError({"date_paiement": "Le paiement ne peut précéder le résultat."})
    resultat.statut = R.PAYE
    resultat.date_paiement = date_paiement
    resultat.reference_paiement = (reference or "").strip()
    resultat.full_clean()
    resultat.save()
    return resultat


# --- Comptes de démonstration ---------------------------------------------------------------------------

PRESTATAIRES_DEMO = [
    # identifiant, prénom, nom, structure
    ("prestataire", "Pierre", "Prestataire", "Insertion Emploi Centre"),
    ("prestataire2", "Prune", "Prestataire", "Trajectoires Placement"),
]


@transaction.atomic
def comptes_prestataires_demo_rattacher():
    """Rattache le compte de démonstration « prestataire » à Insertion Emploi Centre et crée « prestataire2 »
    pour Trajectoires Placement. Refusé hors développement. Rend le nombre de comptes créés."""
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
