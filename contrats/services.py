"""Actions sur les contrats aidés : une fonction par action, chaque règle écrite une seule fois ici.

Vues, administration, démonstration et autres applications (un recrutement en forum prépare un contrat
avec `contrat_creer_brouillon`) passent toutes par ces fonctions.
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from beneficiaires.models import Beneficiaire, EtatDroit, StatutParcours
from commun.francais import compte, est_pluriel
from commun.historique import attribue
from referentiel.models import Structure

from .models import (
    HEURES_MAX,
    HEURES_MIN,
    HEURES_PLANCHER,
    MOTIFS_SORTIE_POSITIVE,
    TAUX_MAX,
    CompteurConvention,
    ContratAide,
    Derogation,
    Enveloppe,
    MotifRupture,
    Statut,
    TypeContrat,
    ajouter_mois,
)

DUREE_MIN_MOIS = 6
DUREE_MAX_MOIS = 24
DUREE_MAX_DEROGATION_MOIS = 60
AGE_DEROGATION = 50
DEBUT_PEC = date(2018, 1, 1)
# Une date hors de ces années est une erreur de saisie (0001, 9999...) : refusée avant tout calcul.
ANNEE_MIN = 1900
ANNEE_MAX = 2100
ETATS_DROIT_RSA = (EtatDroit.OUVERT_VERSABLE, EtatDroit.OUVERT_SUSPENDU, EtatDroit.VERSEMENT_SUSPENDU)

# Champs qu'un brouillon accepte (création, modification, renouvellement).
CHAMPS_BROUILLON = (
    "type",
    "intitule_poste",
    "metier_vise",
    "lieu_travail",
    "date_debut",
    "date_fin",
    "heures_hebdomadaires",
    "motif_heures_reduites",
    "taux_aide_etat",
    "tuteur_nom",
    "tuteur_fonction",
    "referent",
    "actions_accompagnement",
    "actions_formation",
    "rqth",
    "formation_a_achever",
)


def _verifier_champs(champs):
    inconnus = set(champs) - set(CHAMPS_BROUILLON)
    if inconnus:
        raise TypeError(f"Champs inconnus pour un contrat aidé : {', '.join(sorted(inconnus))}.")


# Le CUI-CAE est réservé au secteur non marchand : la seule définition de l'employeur possible, que le service
# vérifie et dont le formulaire tire sa liste.
EMPLOYEUR_NON_MARCHAND = Q(secteur=Structure.Secteur.NON_MARCHAND, type__in=Structure.TYPES_NON_MARCHANDS)


def employeurs_possibles():
    """Les structures avec lesquelles une convention peut être conclue (secteur non marchand)."""
    return Structure.objects.filter(EMPLOYEUR_NON_MARCHAND)


def employeur_verifier(employeur):
    """Le CUI-CAE est réservé au secteur non marchand."""
    if employeur is None:
        raise ValidationError({"employeur": "Choisissez l'employeur."})
    if not employeurs_possibles().filter(pk=employeur.pk).exists():
        raise ValidationError(
            {
                "employeur": f"« {employeur} » relève du secteur marchand : un CUI-CAE ne peut être conclu "
                "qu'avec un employeur du secteur non marchand (commune, EPCI, organisme public, association, "
                "organisme privé chargé d'un service public)."
            }
        )


def _lock(contrat):
    return ContratAide.objects.select_for_update(of=("self",)).get(pk=contrat.pk)


def _jj_mm_aaaa(jour):
    return f"{jour.day:02d}/{jour.month:02d}/{jour.year:04d}"


def erreurs_dates(*, date_debut=None, date_fin=None, **autres):
    """Dates absurdes, rattachées à leur champ : année hors de 1900–2100, fin avant le début, contrat de plus de
    60 mois (la durée maximale, dérogations comprises). Partagée par les services et les formulaires.

    `autres` : d'autres dates à borner (date_signature, date_rupture...). Rend {champ: message} (vide si rien).
    """
    erreurs = {}
    for champ, jour in (("date_debut", date_debut), ("date_fin", date_fin), *autres.items()):
        if jour is not None and not (ANNEE_MIN <= jour.year <= ANNEE_MAX):
            erreurs[champ] = (
                f"Date invalide ({_jj_mm_aaaa(jour)}) : l'année doit être comprise entre {ANNEE_MIN} et {ANNEE_MAX}."
            )
    if erreurs or not (date_debut and date_fin):
        return erreurs
    if date_fin <= date_debut:
        erreurs["date_fin"] = "La date de fin doit être postérieure à la date de début."
    elif date_fin > (limite := ajouter_mois(date_debut, DUREE_MAX_DEROGATION_MOIS) - timedelta(days=1)):
        erreurs["date_fin"] = (
            "Un contrat aidé ne peut pas dépasser 60 mois, même avec une dérogation (50 ans et plus au RSA, "
            f"travailleur handicapé, formation à achever) : la fin ne peut dépasser le {_jj_mm_aaaa(limite)}."
        )
    return erreurs


def _verifier_coherence(contrat):
    """Les invariants du brouillon, rattachés à leur champ (les contraintes de la base les garantissent aussi)."""
    erreurs = erreurs_dates(
        date_debut=contrat.date_debut,
        date_fin=contrat.date_fin,
        date_signature=contrat.date_signature,
        date_rupture=contrat.date_rupture,
    )
    h = contrat.heures_hebdomadaires
    if h is not None and not (HEURES_PLANCHER <= h <= HEURES_MAX):
        erreurs["heures_hebdomadaires"] = f"La durée hebdomadaire va de {HEURES_PLANCHER} à {HEURES_MAX} heures."
    t = contrat.taux_aide_etat
    if t is not None and not (0 <= t <= TAUX_MAX):
        erreurs["taux_aide_etat"] = f"Le taux de l'aide de l'État va de 0 à {TAUX_MAX} % du SMIC horaire brut."
    if erreurs:
        raise ValidationError(erreurs)


def _enregistrer(contrat, par, raison):
    _verifier_coherence(contrat)
    contrat.full_clean()
    contrat._change_reason = raison
    if par is not None and getattr(par, "pk", None):
        contrat._history_user = par
    contrat.save()
    return contrat


# --- Durées ---------------------------------------------------------------------------------------------


def duree_suffisante(debut, fin, mois):
    """Vrai si [debut, fin] (bornes incluses) dure au moins `mois` mois : 01/01 → 30/06 fait 6 mois."""
    return fin + timedelta(days=1) >= ajouter_mois(debut, mois)


def chaine(contrat):
    """Le contrat et ceux qu'il renouvelle, du plus ancien au plus récent (une requête par maillon)."""
    maillons = [contrat]
    courant = contrat
    while courant.contrat_precedent_id:
        courant = ContratAide.objects.get(pk=courant.contrat_precedent_id)
        maillons.append(courant)
    return list(reversed(maillons))


def duree_totale_depasse(maillons, mois):
    """Vrai si la durée totale de la convention, renouvellements compris, dépasse `mois` mois.

    Jours couverts par les contrats de la chaîne (jusqu'à la rupture le cas échéant) comparés aux jours
    entre le début du premier contrat et ce début + `mois` mois : une chaîne continue du 01/01/2018 au
    31/12/2019 fait exactement 24 mois.
    """
    jours = sum(((c.fin_aide or c.date_fin) - c.date_debut).days + 1 for c in maillons)
    premier = maillons[0].date_debut
    return jours > (ajouter_mois(premier, mois) - premier).days


def derogation_possible(contrat):
    """La première exception qui autorise jusqu'à 60 mois, ou "" (50 ans et plus au RSA, RQTH, formation)."""
    benef = contrat.beneficiaire
    if benef.age_le(contrat.date_debut) >= AGE_DEROGATION and benef.foyer.etat_droit in ETATS_DROIT_RSA:
        return Derogation.SENIOR_RSA
    if contrat.rqth:
        return Derogation.RQTH
    if contrat.formation_a_achever:
        return Derogation.FORMATION
    return ""


def verifier_duree_totale(contrat):
    """Applique la règle des 24 mois sur la chaîne ; rend la dérogation à enregistrer ("" si aucune)."""
    maillons = chaine(contrat)
    if not duree_totale_depasse(maillons, DUREE_MAX_MOIS):
        return ""
    derogation = derogation_possible(contrat)
    if not derogation:
        raise ValidationError(
            {
                "date_fin": "La convention, renouvellements compris, ne peut dépasser 24 mois "
                "(sauf personne de 50 ans et plus au RSA, travailleur handicapé ou formation à achever)."
            }
        )
    if duree_totale_depasse(maillons, DUREE_MAX_DEROGATION_MOIS):
        raise ValidationError(
            {"date_fin": "Même avec une dérogation, la convention ne peut dépasser 60 mois, renouvellements compris."}
        )
    return derogation


def _verifier_duree_brouillon(contrat):
    """Un brouillon aux dates plausibles ne dépasse pas 24 mois, renouvellements compris, sauf dérogation
    (60 mois) : refusé dès la saisie plutôt qu'à la signature."""
    _verifier_coherence(contrat)
    if contrat.date_debut and contrat.date_fin:
        verifier_duree_totale(contrat)


# --- Brouillons -----------------------------------------------------------------------------------------


def _type_par_defaut(champs):
    jour = champs.get("date_debut") or timezone.localdate()
    return TypeContrat.PEC if jour >= DEBUT_PEC else TypeContrat.CUI_CAE


@transaction.atomic
@attribue
def contrat_creer_brouillon(*, beneficiaire, employeur, par, **champs):
    """Prépare une convention (brouillon). Champs acceptés : voir CHAMPS_BROUILLON.

    Seul `intitule_poste` est nécessaire au brouillon (les autres sont exigés à la signature) ; le type
    (CUI-CAE avant 2018, PEC ensuite), le lieu de travail (commune de l'employeur) et le référent (`par`
    s'il est référent) sont déduits s'ils manquent. Un employeur du secteur marchand est refusé.
    """
    _verifier_champs(champs)
    if beneficiaire.statut_parcours == StatutParcours.ARCHIVE:
        raise ValidationError("Cette personne est archivée : on ne peut plus lui prescrire de contrat.")
    employeur_verifier(employeur)
    champs.setdefault("type", _type_par_defaut(champs))
    if champs.get("lieu_travail") is None:
        champs["lieu_travail"] = employeur.commune
    if champs.get("referent") is None and par is not None and getattr(par, "est_referent", False):
        champs["referent"] = par
    contrat = ContratAide(
        beneficiaire=beneficiaire,
        employeur=employeur,
        statut=Statut.BROUILLON,
        cree_par=par if par is not None and par.pk else None,
        **champs,
    )
    _verifier_duree_brouillon(contrat)
    return _enregistrer(contrat, par, "Brouillon créé")


@transaction.atomic
@attribue
def contrat_modifier_brouillon(*, contrat, par, employeur=None, **champs):
    _verifier_champs(champs)
    contrat = _lock(contrat)
    if contrat.statut != Statut.BROUILLON:
        raise ValidationError("Seul un brouillon peut être modifié : cette convention est déjà signée.")
    if employeur is not None:
        employeur_verifier(employeur)
        contrat.employeur = employeur
    for nom, valeur in champs.items():
        setattr(contrat, nom, valeur)
    _verifier_duree_brouillon(contrat)
    return _enregistrer(contrat, par, "Brouillon modifié")


# --- Signature ------------------------------------------------------------------------------------------


def verifier_regles(contrat):
    """Les règles du CUI-CAE, hors enveloppe et chevauchement (vérifiés sous verrou par contrat_signer)."""
    erreurs = {}
    for champ, libelle in (
        ("date_debut", "la date de début"),
        ("date_fin", "la date de fin"),
        ("heures_hebdomadaires", "la durée hebdomadaire"),
        ("taux_aide_etat", "le taux de l'aide de l'État"),
        ("lieu_travail", "le lieu de travail"),
    ):
        if getattr(contrat, champ) is None:
            erreurs[champ] = f"Indiquez {libelle} avant de signer."
    if not contrat.tuteur_nom:
        erreurs["tuteur_nom"] = "L'employeur désigne un tuteur : indiquez son nom."
    if contrat.referent_id is None:
        erreurs["referent"] = "Le Département désigne un référent : choisissez-le."
    if not contrat.actions_accompagnement.strip():
        erreurs["actions_accompagnement"] = "La convention liste les actions d'accompagnement prévues : indiquez-les."
    if not contrat.actions_formation.strip():
        erreurs["actions_formation"] = "La convention liste les actions de formation prévues : indiquez-les."
    if erreurs:
        raise ValidationError(erreurs)
    employeur_verifier(contrat.employeur)
    if contrat.date_fin <= contrat.date_debut:
        raise ValidationError({"date_fin": "La date de fin doit être postérieure à la date de début."})
    if not duree_suffisante(contrat.date_debut, contrat.date_fin, DUREE_MIN_MOIS):
        raise ValidationError(
            {
                "date_fin": "Un contrat aidé dure au moins 6 mois : la fin ne peut précéder le "
                f"{contrat.fin_minimale():%d/%m/%Y}."
            }
        )
    if contrat.heures_hebdomadaires > HEURES_MAX:
        raise ValidationError({"heures_hebdomadaires": f"La durée hebdomadaire ne peut dépasser {HEURES_MAX} heures."})
    if contrat.heures_hebdomadaires < HEURES_MIN and not contrat.motif_heures_reduites.strip():
        raise ValidationError(
            {
                "motif_heures_reduites": f"Moins de {HEURES_MIN} heures par semaine : la convention doit indiquer "
                "les difficultés particulières de la personne qui le justifient."
            }
        )
    if contrat.taux_aide_etat > TAUX_MAX:
        raise ValidationError({"taux_aide_etat": f"Le taux de l'aide de l'État ne peut dépasser {TAUX_MAX} % du SMIC."})


def _verifier_chevauchement(contrat):
    autres = (
        ContratAide.objects.signes()
        .filter(beneficiaire_id=contrat.beneficiaire_id, date_debut__lte=contrat.date_fin)
        .avec_fin_effective()
        .filter(fin_effective__gte=contrat.date_debut)
        .exclude(pk=contrat.pk)
    )
    autre = autres.order_by("date_debut").first()
    if autre is not None:
        raise ValidationError(
            {
                "date_debut": f"{contrat.beneficiaire} a déjà un contrat signé ou en cours sur ces dates "
                f"({autre.numero_convention}, du {autre.date_debut:%d/%m/%Y} au {autre.fin_aide:%d/%m/%Y})."
            }
        )


def _verifier_enveloppe(annee):
    """Verrouille l'enveloppe de l'année, recompte les conventions signées, refuse au-delà."""
    enveloppe = Enveloppe.objects.select_for_update(of=("self",)).filter(annee=annee).first()
    if enveloppe is None:
        raise ValidationError(
            {"date_signature": f"Aucune enveloppe (CAOM) n'est ouverte pour {annee} : impossible de signer."}
        )
    signes = ContratAide.objects.signes().filter(date_signature__year=annee).count()
    if signes >= enveloppe.nombre_contrats:
        raise ValidationError(
            {
                "date_signature": f"L'enveloppe {annee} est épuisée : {compte(signes, 'contrat signé')} sur "
                f"{compte(enveloppe.nombre_contrats, 'prévu')} par la CAOM."
            }
        )
    return enveloppe


def numero_convention_attribuer(annee):
    """Numéro lisible CAE-45-2017-00052, tiré d'un compteur annuel verrouillé (jamais « max + 1 »)."""
    CompteurConvention.objects.get_or_create(annee=annee)
    compteur = CompteurConvention.objects.select_for_update().get(annee=annee)
    compteur.dernier_numero += 1
    compteur.save(update_fields=["dernier_numero"])
    return f"CAE-{settings.DEPARTEMENT_CODE}-{annee}-{compteur.dernier_numero:05d}"


@transaction.atomic
@attribue
def contrat_signer(*, contrat, par, date_signature):
    """Signe la convention : vérifie toutes les règles, l'absence de chevauchement et l'enveloppe, numérote."""
    contrat = _lock(contrat)
    if contrat.statut != Statut.BROUILLON:
        raise ValidationError("Cette convention est déjà signée.")
    if date_signature is None:
        raise ValidationError({"date_signature": "Indiquez la date de signature."})
    verifier_regles(contrat)
    if date_signature > contrat.date_debut:
        raise ValidationError(
            {"date_signature": "La convention est signée avant le début du contrat (au plus tard le jour même)."}
        )
    attendu = TypeContrat.PEC if date_signature >= DEBUT_PEC else TypeContrat.CUI_CAE
    if contrat.type != attendu:
        raise ValidationError(
            {
                "type": "Depuis le 1er janvier 2018, les nouvelles conventions sont des PEC (parcours emploi "
                "compétences) ; avant, des CUI-CAE. Corrigez le type du brouillon."
                if attendu == TypeContrat.PEC
                else "Le PEC n'existe qu'à partir du 1er janvier 2018 : une convention signée avant est un CUI-CAE."
            }
        )
    contrat.derogation_duree = verifier_duree_totale(contrat)
    # Verrou sur la personne : deux signatures simultanées pour elle ne passent pas toutes les deux.
    Beneficiaire.objects.select_for_update(of=("self",)).filter(pk=contrat.beneficiaire_id).first()
    _verifier_chevauchement(contrat)
    _verifier_enveloppe(date_signature.year)
    contrat.numero_convention = numero_convention_attribuer(date_signature.year)
    contrat.date_signature = date_signature
    contrat.statut = Statut.SIGNE
    return _enregistrer(contrat, par, "Convention signée")


# --- Vie du contrat -------------------------------------------------------------------------------------


@transaction.atomic
@attribue
def contrat_demarrer(*, contrat, par, jour=None):
    contrat = _lock(contrat)
    jour = jour or timezone.localdate()
    if contrat.statut != Statut.SIGNE:
        raise ValidationError("Seule une convention signée peut démarrer.")
    if jour < contrat.date_debut:
        raise ValidationError(f"Le contrat commence le {contrat.date_debut:%d/%m/%Y} : il ne peut démarrer avant.")
    contrat.statut = Statut.EN_COURS
    return _enregistrer(contrat, par, "Contrat démarré")


@transaction.atomic
@attribue
def contrat_terminer(*, contrat, par, jour=None):
    contrat = _lock(contrat)
    jour = jour or timezone.localdate()
    if contrat.statut not in (Statut.SIGNE, Statut.EN_COURS):
        raise ValidationError("Seul un contrat signé ou en cours peut être terminé.")
    if jour < contrat.date_fin:
        raise ValidationError(
            f"Le contrat court jusqu'au {contrat.date_fin:%d/%m/%Y} : pour un départ anticipé, enregistrez une rupture."
        )
    contrat.statut = Statut.TERMINE
    return _enregistrer(contrat, par, "Contrat terminé")


@transaction.atomic
@attribue
def contrat_rompre(*, contrat, par, date_rupture, motif):
    """Fin anticipée : motif obligatoire (liste fixe) ; CDI, CDD de 6 mois et plus, formation qualifiante
    sont des sorties positives ; l'aide s'arrête à la date de rupture."""
    contrat = _lock(contrat)
    if contrat.statut not in (Statut.SIGNE, Statut.EN_COURS):
        raise ValidationError("Seul un contrat signé ou en cours peut être rompu.")
    erreurs = {}
    if not motif:
        erreurs["motif_rupture"] = "Indiquez le motif de la rupture."
    elif motif not in MotifRupture.values:
        erreurs["motif_rupture"] = "Ce motif ne figure pas dans la liste."
    if date_rupture is None:
        erreurs["date_rupture"] = "Indiquez la date de rupture."
    elif not (contrat.date_debut <= date_rupture < contrat.date_fin):
        erreurs["date_rupture"] = (
            f"La rupture intervient entre le {contrat.date_debut:%d/%m/%Y} et la veille de la fin prévue "
            f"({contrat.date_fin:%d/%m/%Y})."
        )
    if erreurs:
        raise ValidationError(erreurs)
    contrat.statut = Statut.ROMPU
    contrat.date_rupture = date_rupture
    contrat.motif_rupture = motif
    contrat.sortie_positive = motif in MOTIFS_SORTIE_POSITIVE
    return _enregistrer(contrat, par, f"Contrat rompu : {MotifRupture(motif).label}")


@transaction.atomic
@attribue
def contrat_renouveler(*, contrat, par, date_fin, date_debut=None, **champs):
    """Prépare le renouvellement : un nouveau brouillon lié au contrat précédent, qui reprend ses données.

    La règle des 24 mois (60 avec dérogation) s'applique à toute la chaîne, ici et de nouveau à la signature.
    """
    _verifier_champs(champs)
    precedent = _lock(contrat)
    if precedent.statut not in (Statut.SIGNE, Statut.EN_COURS, Statut.TERMINE):
        raise ValidationError("Seul un contrat signé, en cours ou terminé (non rompu) peut être renouvelé.")
    if ContratAide.objects.filter(contrat_precedent=precedent).exists():
        raise ValidationError("Ce contrat a déjà été renouvelé.")
    date_debut = date_debut or precedent.date_fin + timedelta(days=1)
    if date_debut <= precedent.date_fin:
        raise ValidationError({"date_debut": "Le renouvellement commence après la fin du contrat précédent."})
    repris = {
        nom: getattr(precedent, nom)
        for nom in CHAMPS_BROUILLON
        if nom not in ("date_debut", "date_fin", "type") and nom not in champs
    }
    repris.update(champs)
    repris.setdefault("type", TypeContrat.PEC if date_debut >= DEBUT_PEC else precedent.type)
    nouveau = ContratAide(
        beneficiaire=precedent.beneficiaire,
        employeur=precedent.employeur,
        statut=Statut.BROUILLON,
        contrat_precedent=precedent,
        date_debut=date_debut,
        date_fin=date_fin,
        cree_par=par if par is not None and par.pk else None,
        **repris,
    )
    if date_fin is None or date_fin <= date_debut:
        raise ValidationError({"date_fin": "La date de fin doit être postérieure à la date de début."})
    verifier_duree_totale(nouveau)
    return _enregistrer(nouveau, par, f"Renouvellement de {precedent.numero_convention}")


# --- Référentiel financier ------------------------------------------------------------------------------


def enveloppe_verifier_plancher(*, annee, nombre_contrats):
    """L'enveloppe d'une année ne descend jamais sous le nombre de conventions déjà signées cette année-là."""
    signes = ContratAide.objects.signes().filter(date_signature__year=annee).count()
    if nombre_contrats < signes:
        raise ValidationError(
            {
                "nombre_contrats": f"{compte(signes, 'contrat')} "
                f"{'sont déjà signés' if est_pluriel(signes) else 'est déjà signé'} en {annee} : "
                "l'enveloppe ne peut être inférieure."
            }
        )


@transaction.atomic
@attribue
def enveloppe_definir(*, annee, nombre_contrats, budget, par=None):
    """Crée ou met à jour l'enveloppe (CAOM) d'une année ; refuse un nombre inférieur aux contrats déjà signés."""
    enveloppe = Enveloppe.objects.select_for_update().filter(annee=annee).first() or Enveloppe(annee=annee)
    enveloppe_verifier_plancher(annee=annee, nombre_contrats=nombre_contrats)
    enveloppe.nombre_contrats = nombre_contrats
    enveloppe.budget = budget
    enveloppe.full_clean()
    if par is not None and getattr(par, "pk", None):
        enveloppe._history_user = par
    enveloppe.save()
    return enveloppe


def parametre_financier_erreurs(*, date_effet):
    """Les erreurs d'une valeur de référence avant enregistrement (formulaire de l'administration, service)."""
    if date_effet is not None and not (ANNEE_MIN <= date_effet.year <= ANNEE_MAX):
        return {"date_effet": f"L'année doit être comprise entre {ANNEE_MIN} et {ANNEE_MAX}."}
    return {}


@transaction.atomic
@attribue
def parametre_financier_enregistrer(*, parametre, par=None):
    """Crée ou corrige une valeur de référence datée (SMIC, RSA) ; la source (décret, avis officiel) est dite."""
    erreurs = parametre_financier_erreurs(date_effet=parametre.date_effet)
    if erreurs:
        raise ValidationError(erreurs)
    parametre.full_clean()
    parametre._change_reason = "Valeur de référence enregistrée"
    if par is not None and getattr(par, "pk", None):
        parametre._history_user = par
    parametre.save()
    return parametre


@attribue
def contrat_prevenir_fin(*, contrat, par=None):
    """Prévient la personne de la fin prochaine de son contrat (une fois par contrat et date de fin)."""
    from commun.messagerie import message_preparer
    from commun.models import Objet

    beneficiaire = contrat.beneficiaire
    return message_preparer(
        objet=Objet.FIN_CONTRAT,
        destinataire=beneficiaire,
        coordonnees=beneficiaire.coordonnees(),
        contexte={"date": f"{contrat.date_fin:%d/%m/%Y}", "employeur": str(contrat.employeur)},
        cle=f"fin_contrat:{contrat.pk}:{contrat.date_fin:%Y%m%d}",
        par=par,
    )
