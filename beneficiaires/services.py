"""Actions métier sur le registre : personnes, foyers et évaluations.

Les vues, l'import des listes, l'administration et la démonstration passent toutes par ces fonctions :
une règle n'est écrite qu'une fois.
"""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from commun.francais import compte
from commun.historique import attribue
from commun.versions import ecritures_en_masse
from comptes.models import Role, User

from .models import (
    FREINS,
    Beneficiaire,
    CorrespondanceColonnes,
    DoublonProbable,
    Evaluation,
    Foyer,
    ImportBeneficiaires,
    Organisme,
    StatutParcours,
)

# Champs qu'un formulaire peut modifier sur une personne (le statut, l'évaluation courante et la clé de
# recherche sont tenus par les services).
CHAMPS_PERSONNE = (
    "role",
    "civilite",
    "nom",
    "nom_naissance",
    "prenoms",
    "date_naissance",
    "soumis_droits_devoirs",
    "telephone",
    "email",
    "adresse",
    "canal_prefere",
    "consentement_sms",
    "consentement_email",
    "commune",
    "orientation",
    "date_orientation",
    "referent",
)
CHAMPS_FOYER = ("etat_droit", "date_ouverture_droit")
CHAMPS_EVALUATION = (
    "date",
    "metiers_vises",
    "codes_rome",
    "experience_annees",
    "niveau_diplome",
    "permis_b",
    "permis_am",
    "vehicule",
    "heures_disponibles",
    "langues",
    "competences_numeriques",
    *[champ for champ, _ in FREINS],
    "parcours_recommande",
    "synthese",
)
STATUTS_CLOS = (StatutParcours.SORTI, StatutParcours.ARCHIVE)

# Un numéro mal formé et celui d'un foyer que l'utilisateur ne voit pas reçoivent le même refus : la réponse
# n'apprend pas qu'un foyer existe ailleurs sous ce numéro, ni ne le lie ou ne le modifie.
NUMERO_INUTILISABLE = (
    "Ce numéro allocataire ne peut pas être utilisé : vérifiez-le (lettres et chiffres, 20 au plus). "
    "S'il est juste, un administrateur peut inscrire la personne dans son foyer."
)
SEPARATEURS_NUMERO = re.compile(r"[\s.\-]")


def _verifier_perimetre(par, commune, champ="commune"):
    """Un référent n'agit que sur les personnes de ses bassins ; le pilotage ne modifie rien."""
    if par is None or par.est_administrateur:
        return
    if par.est_referent:
        if commune is not None and not par.bassins.filter(pk=commune.bassin_emploi_id).exists():
            raise ValidationError({champ: "Cette commune est hors des bassins d'emploi que vous suivez."})
        return
    raise ValidationError("Votre rôle ne permet pas de modifier le registre des bénéficiaires.")


def _verifier_referent(referent, commune, champ="referent"):
    if referent is None:
        return
    if referent.role != Role.REFERENT or not referent.is_active:
        raise ValidationError({champ: f"{referent} n'est pas un référent actif."})
    if commune is not None and not referent.bassins.filter(pk=commune.bassin_emploi_id).exists():
        raise ValidationError({champ: f"{referent} ne suit pas le bassin d'emploi de {commune.nom}."})


def normaliser_numero(numero_allocataire):
    """Le numéro sans espaces, points ni tirets (comme à l'import des listes) ; ValidationError s'il n'est pas
    fait de 1 à 20 lettres ou chiffres."""
    numero = SEPARATEURS_NUMERO.sub("", numero_allocataire or "")
    if not numero:
        raise ValidationError({"numero_allocataire": "Le numéro allocataire est obligatoire."})
    if len(numero) > 20 or not (numero.isascii() and numero.isalnum()):
        raise ValidationError({"numero_allocataire": NUMERO_INUTILISABLE})
    return numero


def _verifier_foyer_visible(par, foyer, champ="numero_allocataire"):
    """Un foyer que `par` ne voit pas (aucun de ses membres dans son périmètre) n'existe pas pour lui."""
    if par is None:
        return
    if not Foyer.objects.visibles_par(par).filter(pk=foyer.pk).exists():
        raise ValidationError({champ: NUMERO_INUTILISABLE} if champ else NUMERO_INUTILISABLE)


def _verrouiller(pk):
    return Beneficiaire.objects.select_for_update(of=("self",)).select_related("commune", "foyer").get(pk=pk)


def _enregistrer(beneficiaire):
    beneficiaire.calculer_recherche()
    beneficiaire.full_clean()
    beneficiaire.save()


@transaction.atomic
def foyer_obtenir_ou_creer(
    *, numero_allocataire, organisme=Organisme.CAF, commune, etat_droit=None, date_ouverture_droit=None
):
    numero = normaliser_numero(numero_allocataire)
    foyer = Foyer.objects.select_for_update(of=("self",)).filter(numero_allocataire=numero, organisme=organisme).first()
    if foyer is not None:
        return foyer, False
    foyer = Foyer(
        numero_allocataire=numero,
        organisme=organisme,
        commune=commune,
        date_ouverture_droit=date_ouverture_droit,
    )
    if etat_droit is not None:
        foyer.etat_droit = etat_droit
    foyer.full_clean()
    foyer.save()
    return foyer, True


@transaction.atomic
@attribue
def beneficiaire_creer(
    *, par, numero_allocataire, organisme=Organisme.CAF, etat_droit=None, date_ouverture_droit=None, **champs
):
    """Crée une personne dans le foyer (numéro allocataire, organisme), créé au besoin dans la commune de la
    personne. Rend la personne créée.

    Un foyer existant n'est repris (et son droit mis à jour) que si `par` le voit ; sinon le refus est celui
    d'un numéro inutilisable, et le foyer n'est ni lu ni modifié."""
    inconnus = set(champs) - set(CHAMPS_PERSONNE)
    if inconnus:
        raise TypeError(f"Champs inconnus : {', '.join(sorted(inconnus))}")
    commune = champs.get("commune")
    _verifier_perimetre(par, commune)
    _verifier_referent(champs.get("referent"), commune)
    numero_allocataire = normaliser_numero(numero_allocataire)
    foyer, cree = foyer_obtenir_ou_creer(
        numero_allocataire=numero_allocataire,
        organisme=organisme,
        commune=commune,
        etat_droit=etat_droit,
        date_ouverture_droit=date_ouverture_droit,
    )
    if not cree:
        _verifier_foyer_visible(par, foyer)
    if not cree and (etat_droit is not None or date_ouverture_droit is not None):
        foyer_modifier(
            foyer=foyer,
            par=par,
            etat_droit=foyer.etat_droit if etat_droit is None else etat_droit,
            date_ouverture_droit=date_ouverture_droit or foyer.date_ouverture_droit,
        )
    beneficiaire = Beneficiaire(foyer=foyer, **champs)
    beneficiaire.statut_parcours = beneficiaire.statut_initial(timezone.localdate())
    _enregistrer(beneficiaire)
    return beneficiaire


@transaction.atomic
@attribue
def foyer_modifier(*, foyer, par, **champs):
    inconnus = set(champs) - set(CHAMPS_FOYER)
    if inconnus:
        raise TypeError(f"Champs inconnus : {', '.join(sorted(inconnus))}")
    _verifier_perimetre(par, None)
    foyer = Foyer.objects.select_for_update(of=("self",)).get(pk=foyer.pk)
    _verifier_foyer_visible(par, foyer, champ=None)
    for champ, valeur in champs.items():
        setattr(foyer, champ, valeur)
    foyer.full_clean()
    foyer.save()
    return foyer


@transaction.atomic
@attribue
def beneficiaire_modifier(*, beneficiaire, par, etat_droit=None, date_ouverture_droit=None, **champs):
    """Modifie l'identité, les coordonnées ou l'orientation d'une personne (et l'état du droit de son foyer)."""
    inconnus = set(champs) - set(CHAMPS_PERSONNE)
    if inconnus:
        raise TypeError(f"Champs inconnus : {', '.join(sorted(inconnus))}")
    beneficiaire = Beneficiaire.objects.select_for_update(of=("self",)).select_related("foyer").get(pk=beneficiaire.pk)
    _verifier_perimetre(par, beneficiaire.commune)
    if beneficiaire.statut_parcours == StatutParcours.ARCHIVE:
        raise ValidationError("Cette personne est archivée : sa fiche ne se modifie plus.")
    if "commune" in champs:
        _verifier_perimetre(par, champs["commune"])
    if "referent" in champs and champs["referent"] != beneficiaire.referent:
        _verifier_referent(champs["referent"], champs.get("commune", beneficiaire.commune))
    for champ, valeur in champs.items():
        setattr(beneficiaire, champ, valeur)
    beneficiaire.recalculer_statut_initial(timezone.localdate())
    _enregistrer(beneficiaire)
    if etat_droit is not None or date_ouverture_droit is not None:
        foyer_modifier(
            foyer=beneficiaire.foyer,
            par=par,
            etat_droit=beneficiaire.foyer.etat_droit if etat_droit is None else etat_droit,
            date_ouverture_droit=date_ouverture_droit
            if date_ouverture_droit is not None
            else beneficiaire.foyer.date_ouverture_droit,
        )
    return beneficiaire


@transaction.atomic
@attribue
def beneficiaire_assigner_referent(*, beneficiaire, referent, par):
    """Désigne le référent unique (ou le retire avec referent=None) ; il doit suivre le bassin de la personne."""
    beneficiaire = _verrouiller(beneficiaire.pk)
    _verifier_perimetre(par, beneficiaire.commune)
    if beneficiaire.statut_parcours == StatutParcours.ARCHIVE:
        raise ValidationError("Cette personne est archivée : on ne lui désigne plus de référent.")
    _verifier_referent(referent, beneficiaire.commune)
    beneficiaire.referent = referent
    _enregistrer(beneficiaire)
    return beneficiaire


@transaction.atomic
@attribue
def beneficiaire_archiver(*, beneficiaire, par):
    """Archive une personne : elle sort des listes actives, ses données restent (jamais de suppression)."""
    beneficiaire = _verrouiller(beneficiaire.pk)
    _verifier_perimetre(par, beneficiaire.commune)
    if beneficiaire.statut_parcours == StatutParcours.ARCHIVE:
        raise ValidationError("Cette personne est déjà archivée.")
    beneficiaire.statut_parcours = StatutParcours.ARCHIVE
    _enregistrer(beneficiaire)
    return beneficiaire


def _verifier_dans_le_plan(beneficiaire):
    if beneficiaire.statut_parcours == StatutParcours.NON_CONCERNE:
        raise ValidationError(
            "Cette personne est hors plan : seuls le demandeur et le conjoint majeurs, soumis aux droits et "
            "devoirs, sont évalués."
        )


def evaluateurs_possibles(beneficiaire):
    """Les comptes actifs qui peuvent mener l'évaluation de la personne : les administrateurs et les référents
    qui suivent son bassin d'emploi (un référent d'un autre bassin ne couvre pas la personne)."""
    # Sans commune (adresse à vérifier), la personne n'a pas de bassin : seuls les administrateurs.
    bassin = beneficiaire.commune.bassin_emploi_id if beneficiaire.commune_id else None
    du_bassin = User.objects.filter(bassins=bassin).values("pk") if bassin else User.objects.none().values("pk")
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(role=Role.ADMINISTRATEUR) | Q(is_superuser=True) | Q(role=Role.REFERENT, pk__in=du_bassin),
        )
        .order_by("last_name", "first_name", "pk")
    )


def _verifier_evaluateur(evaluateur, beneficiaire):
    if evaluateur is None or not evaluateur.a_role(Role.REFERENT, Role.ADMINISTRATEUR):
        raise ValidationError({"evaluateur": "L'évaluation est menée par un référent ou un administrateur."})
    if not evaluateurs_possibles(beneficiaire).filter(pk=evaluateur.pk).exists():
        raise ValidationError(
            {
                "evaluateur": f"{evaluateur} ne couvre pas le bassin d'emploi de cette personne : choisissez un "
                "référent actif de ce bassin ou un administrateur."
            }
        )


@transaction.atomic
@attribue
def evaluation_planifier(*, beneficiaire, date, evaluateur, par, heure=None, lieu=""):
    """Planifie une évaluation ; une personne « à évaluer » passe « en cours d'évaluation ». Avec l'heure et le
    lieu du rendez-vous, la personne reçoit sa convocation (e-mail, SMS ou courrier selon ses préférences)."""
    beneficiaire = _verrouiller(beneficiaire.pk)
    _verifier_perimetre(par, beneficiaire.commune)
    _verifier_evaluateur(evaluateur, beneficiaire)
    if beneficiaire.statut_parcours in STATUTS_CLOS:
        raise ValidationError(
            "Impossible de planifier une évaluation : la personne est "
            f"« {beneficiaire.get_statut_parcours_display()} »."
        )
    _verifier_dans_le_plan(beneficiaire)
    if beneficiaire.evaluations.filter(statut=Evaluation.Statut.PREVUE).exists():
        raise ValidationError("Une évaluation est déjà prévue pour cette personne : réalisez-la ou annulez-la d'abord.")
    if bool(heure) != bool(lieu):
        raise ValidationError(
            {"heure" if not heure else "lieu": "Pour convoquer la personne, indiquez l'heure et le lieu ensemble."}
        )
    if heure and date < timezone.localdate():
        # Une convocation part vers la personne : un rendez-vous déjà passé n'a pas de sens (une évaluation passée
        # se planifie sans heure ni lieu, pour mémoire, ou s'enregistre comme réalisée).
        raise ValidationError({"date": "Une convocation ne peut fixer un rendez-vous dans le passé."})
    evaluation = Evaluation(
        beneficiaire=beneficiaire,
        date=date,
        heure=heure,
        lieu=lieu,
        evaluateur=evaluateur,
        statut=Evaluation.Statut.PREVUE,
    )
    evaluation.full_clean()
    evaluation.save()
    if beneficiaire.statut_parcours == StatutParcours.A_EVALUER:
        beneficiaire.statut_parcours = StatutParcours.EN_EVALUATION
        _enregistrer(beneficiaire)
    if heure and lieu:
        evaluation_convoquer(evaluation=evaluation, par=par)
    return evaluation


@attribue
def evaluation_convoquer(*, evaluation, par):
    """Envoie la convocation à l'entretien d'évaluation (une fois par rendez-vous : date, heure et lieu)."""
    from commun.messagerie import message_preparer
    from commun.models import Objet

    beneficiaire = evaluation.beneficiaire
    return message_preparer(
        objet=Objet.CONVOCATION_EVALUATION,
        destinataire=beneficiaire,
        coordonnees=beneficiaire.coordonnees(),
        contexte={
            "date": f"{evaluation.date:%d/%m/%Y}",
            "heure": f"{evaluation.heure:%H:%M}".replace(":", " h "),
            "lieu": evaluation.lieu,
        },
        cle=f"convocation_evaluation:{evaluation.pk}:{evaluation.date:%Y%m%d}{evaluation.heure:%H%M}",
        par=par,
    )


def _rafraichir_profil(beneficiaire):
    """L'évaluation courante est la dernière réalisée (date, puis ordre de saisie) ; sa date est tenue avec elle."""
    realisees = beneficiaire.evaluations.filter(statut=Evaluation.Statut.REALISEE)
    beneficiaire.evaluation_courante = realisees.order_by("-date", "-pk").first()
    courante = beneficiaire.evaluation_courante
    beneficiaire.date_evaluation_courante = courante.date if courante is not None else None
    beneficiaire.date_premiere_evaluation = realisees.aggregate(d=Min("date"))["d"]


@transaction.atomic
@attribue
def evaluation_realiser(*, par, evaluation=None, beneficiaire=None, evaluateur=None, **champs):
    """Enregistre une évaluation réalisée : la prévue `evaluation`, ou une nouvelle pour `beneficiaire`.

    L'évaluation devient le profil courant si c'est la plus récente ; une personne « à évaluer » ou « en cours
    d'évaluation » passe « en parcours »."""
    inconnus = set(champs) - set(CHAMPS_EVALUATION)
    if inconnus:
        raise TypeError(f"Champs inconnus : {', '.join(sorted(inconnus))}")
    if evaluation is not None:
        evaluation = Evaluation.objects.select_for_update(of=("self",)).get(pk=evaluation.pk)
        if evaluation.statut != Evaluation.Statut.PREVUE:
            raise ValidationError(f"Cette évaluation est déjà « {evaluation.get_statut_display()} ».")
        beneficiaire = evaluation.beneficiaire
        if evaluateur is not None:
            evaluation.evaluateur = evaluateur
    elif beneficiaire is not None:
        evaluation = Evaluation(beneficiaire=beneficiaire, evaluateur=evaluateur)
    else:
        raise TypeError("evaluation ou beneficiaire est requis")
    beneficiaire = _verrouiller(beneficiaire.pk)
    _verifier_perimetre(par, beneficiaire.commune)
    _verifier_evaluateur(evaluation.evaluateur if evaluation.evaluateur_id else None, beneficiaire)
    if beneficiaire.statut_parcours == StatutParcours.ARCHIVE:
        raise ValidationError("Cette personne est archivée : on n'enregistre plus d'évaluation.")
    _verifier_dans_le_plan(beneficiaire)
    for champ, valeur in champs.items():
        setattr(evaluation, champ, valeur)
    if evaluation.date is None:
        raise ValidationError({"date": "La date de l'évaluation est obligatoire."})
    if evaluation.date > timezone.localdate():
        raise ValidationError({"date": "Une évaluation réalisée ne peut pas être datée dans le futur."})
    evaluation.statut = Evaluation.Statut.REALISEE
    evaluation.full_clean()
    evaluation.save()
    _rafraichir_profil(beneficiaire)
    if beneficiaire.statut_parcours in (StatutParcours.A_EVALUER, StatutParcours.EN_EVALUATION):
        beneficiaire.statut_parcours = StatutParcours.EN_PARCOURS
    _enregistrer(beneficiaire)
    return evaluation


@transaction.atomic
@attribue
def evaluation_annuler(*, evaluation, par):
    """Annule une évaluation prévue ; sans autre évaluation, la personne redevient « à évaluer » (ou « hors plan »
    si elle a cessé entre-temps d'y entrer)."""
    evaluation = Evaluation.objects.select_for_update(of=("self",)).get(pk=evaluation.pk)
    if evaluation.statut != Evaluation.Statut.PREVUE:
        raise ValidationError(
            f"Seule une évaluation prévue peut être annulée (celle-ci est « {evaluation.get_statut_display()} »)."
        )
    beneficiaire = (
        Beneficiaire.objects.select_for_update(of=("self",))
        .select_related("commune")
        .get(pk=evaluation.beneficiaire_id)
    )
    _verifier_perimetre(par, beneficiaire.commune)
    evaluation.statut = Evaluation.Statut.ANNULEE
    evaluation.full_clean()
    evaluation.save()
    if (
        beneficiaire.statut_parcours == StatutParcours.EN_EVALUATION
        and not beneficiaire.evaluations.filter(
            statut__in=[Evaluation.Statut.PREVUE, Evaluation.Statut.REALISEE]
        ).exists()
    ):
        beneficiaire.statut_parcours = beneficiaire.statut_initial(timezone.localdate())
        _enregistrer(beneficiaire)
    return evaluation


# --- Import des listes -------------------------------------------------------------------------------------


@transaction.atomic
@attribue
def correspondance_enregistrer(*, source, correspondances, par):
    """Enregistre (ou complète) la correspondance des colonnes d'une source pour les imports suivants."""
    source = (source or "").strip()
    if not source:
        raise ValidationError({"source": "Nommez la source de la liste (par exemple « CAF » ou le nom du logiciel)."})
    objet, _ = CorrespondanceColonnes.objects.select_for_update(of=("self",)).get_or_create(source=source)
    objet.correspondances = {**objet.correspondances, **correspondances}
    objet.modifie_par = par
    objet.full_clean()
    objet.save()
    # Les aperçus en attente de cette source ont été lus avec l'ancienne correspondance : à refaire.
    ImportBeneficiaires.objects.filter(source=source, statut=ImportBeneficiaires.Statut.DEPOSE).update(
        lignes=b"", apercu={}
    )
    return objet


@transaction.atomic
@attribue
def import_deposer(*, par, fichier_nom, contenu, source):
    """Garde le fichier déposé pour l'aperçu puis la confirmation. Refuse un fichier trop gros ou d'un autre
    type qu'un CSV ou un XLSX, reconnu à son contenu (pas à son extension)."""
    from .importation import verifier_fichier

    verifier_fichier(contenu)
    source = (source or "").strip()
    if not source:
        raise ValidationError({"source": "Nommez la source de la liste (par exemple « CAF » ou le nom du logiciel)."})
    depot = ImportBeneficiaires(
        utilisateur=par, source=source, nom_fichier=(fichier_nom or "liste")[:255], taille=len(contenu), contenu=contenu
    )
    depot.full_clean(exclude=["contenu"])
    depot.save()
    return depot


def _preparation(depot):
    """La préparation rangée (le fichier n'est lu et contrôlé qu'une fois), faite ici au premier besoin."""
    from .importation import Preparation, preparer

    if depot.lignes:
        return Preparation.depuis_octets(depot.lignes), False
    return preparer(bytes(depot.contenu), source=depot.source, toutes_les_colonnes=True), True


@transaction.atomic
@attribue
def import_apercevoir(*, depot, par):
    """Aperçu (essai à blanc) d'un fichier déposé : calculé une fois puis rangé ; un rechargement de la page le
    relit sans relire le fichier. Rend le bilan (dict). Lève ImportImpossible (ColonnesARelier)."""
    from .importation import appliquer

    depot = ImportBeneficiaires.objects.select_for_update(of=("self",)).get(pk=depot.pk)
    if depot.statut != ImportBeneficiaires.Statut.DEPOSE:
        raise ValidationError("Ce fichier a déjà été importé ou abandonné.")
    if depot.apercu and depot.lignes:
        return depot.apercu
    preparation, nouvelle = _preparation(depot)
    depot.apercu = appliquer(preparation, source=depot.source, par=par, essai=True).en_dict()
    if nouvelle:
        depot.lignes = preparation.en_octets()
    depot.save(update_fields=["apercu", "lignes"])
    return depot.apercu


@transaction.atomic
@attribue
def import_lancer(*, depot, par):
    """Confirme l'import d'un fichier déposé : il s'exécute en tâche (un grand fichier prend des minutes), dont
    l'avancement (lignes traitées sur le total) est montré à `par` sur la page de l'import. La tâche n'existe que
    si cette transaction est validée ; une seule par fichier (verrou de mise en file)."""
    from commun.services import progression_demarrer
    from commun.taches import differer

    from .taches import importer_liste

    depot = ImportBeneficiaires.objects.select_for_update(of=("self",)).get(pk=depot.pk)
    _import_modifiable(depot)
    avancement = progression_demarrer(
        utilisateur=par, libelle=f"Import de « {depot.nom_fichier} »"[:200], total=depot.apercu.get("lignes", 0)
    )
    depot.statut = ImportBeneficiaires.Statut.EN_COURS
    depot.progression = avancement
    depot.save(update_fields=["statut", "progression"])
    differer(importer_liste, verrou=f"import-liste-{depot.pk}", depot_id=depot.pk, par_id=par.pk)
    return depot


def _import_modifiable(depot, *, en_cours_admis=False):
    statuts = {ImportBeneficiaires.Statut.DEPOSE} | ({ImportBeneficiaires.Statut.EN_COURS} if en_cours_admis else set())
    if depot.statut in statuts:
        return
    if depot.statut == ImportBeneficiaires.Statut.EN_COURS:
        raise ValidationError("L'import de ce fichier est en cours : sa page montre son avancement.")
    raise ValidationError("Ce fichier a déjà été importé ou abandonné.")


@transaction.atomic
@attribue
def import_confirmer(*, depot, par, avancement=None):
    """Importe le fichier déposé (une seule transaction), à partir de la préparation de l'aperçu ; garde le
    bilan ; le contenu et la préparation sont effacés. Appelé par la tâche d'import (import_lancer), qui passe
    `avancement(fait, total)`, ou directement (commandes, tests)."""
    from .importation import appliquer

    depot = ImportBeneficiaires.objects.select_for_update(of=("self",)).get(pk=depot.pk)
    _import_modifiable(depot, en_cours_admis=True)
    preparation, _nouvelle = _preparation(depot)
    bilan = appliquer(preparation, source=depot.source, par=par, essai=False, avancement=avancement)
    depot.statut = ImportBeneficiaires.Statut.IMPORTE
    depot.date_import = timezone.now()
    depot.bilan = bilan.en_dict()
    depot.contenu = depot.lignes = b""
    depot.apercu = {}
    depot.save()
    return depot, bilan


def _import_en_echec(depot):
    """Un import lancé dont la tâche a échoué (l'avancement le dit) : il peut être abandonné, même si un nouvel
    essai est prévu (qui, trouvant le fichier abandonné, ne fera rien)."""
    from commun.models import Progression

    return (
        depot.statut == ImportBeneficiaires.Statut.EN_COURS
        and depot.progression_id is not None
        and Progression.objects.filter(pk=depot.progression_id, etat=Progression.Etat.ECHEC).exists()
    )


@transaction.atomic
@attribue
def import_echouer(*, depot, resultat):
    """La tâche d'import a échoué pour de bon (erreur qui se répéterait, ou dernier essai) : le fichier repasse
    « déposé », d'où il se relance (après correction des colonnes) ou s'abandonne ; l'avancement passe
    « échouée » avec `resultat`, montré sur la page de l'import. Sans effet si l'import n'est plus en cours
    (abandonné entre-temps)."""
    from commun.services import progression_terminer

    depot = ImportBeneficiaires.objects.select_for_update(of=("self",)).get(pk=depot.pk)
    if depot.statut != ImportBeneficiaires.Statut.EN_COURS:
        return depot
    depot.statut = ImportBeneficiaires.Statut.DEPOSE
    depot.save(update_fields=["statut"])
    if depot.progression_id:
        progression_terminer(progression_id=depot.progression_id, echec=True, resultat=resultat)
    return depot


@transaction.atomic
@attribue
def import_abandonner(*, depot, par):
    """Abandonne un fichier déposé, ou un import lancé dont la tâche est en échec : le contenu (données
    personnelles) et la préparation sont effacés."""
    from commun.services import progression_terminer

    depot = ImportBeneficiaires.objects.select_for_update(of=("self",)).get(pk=depot.pk)
    en_echec = _import_en_echec(depot)
    if not en_echec:
        _import_modifiable(depot)
    depot.statut = ImportBeneficiaires.Statut.ABANDONNE
    depot.contenu = depot.lignes = b""
    depot.apercu = {}
    depot.save()
    if en_echec:
        progression_terminer(
            progression_id=depot.progression_id,
            echec=True,
            resultat="L'import a échoué puis a été abandonné : rien n'a été écrit et le fichier est effacé.",
        )
    return depot


# --- Adresses à vérifier et doublons probables ---------------------------------------------------------------


def _verifier_gestionnaire(par):
    if par is None or not (par.est_administrateur or par.est_pilotage):
        raise ValidationError("Seuls l'administration et le pilotage traitent les imports et leurs suites.")


@transaction.atomic
@attribue
def beneficiaire_rattacher_commune(*, beneficiaire, commune, par):
    """Rattache à une commune du référentiel une personne importée avec une adresse non reconnue : elle entre
    alors dans le bassin de la commune (et dans le périmètre de ses référents). Son foyer sans commune aussi."""
    _verifier_gestionnaire(par)
    beneficiaire = _verrouiller(beneficiaire.pk)
    if commune is None:
        raise ValidationError({"commune": "Choisissez la commune de la personne."})
    if beneficiaire.statut_parcours == StatutParcours.ARCHIVE:
        raise ValidationError("Cette personne est archivée : sa fiche ne se modifie plus.")
    beneficiaire.commune = commune
    beneficiaire.adresse_brute = ""
    beneficiaire._change_reason = "Rattachement à une commune (adresse à vérifier)"
    _enregistrer(beneficiaire)
    foyer = Foyer.objects.select_for_update(of=("self",)).get(pk=beneficiaire.foyer_id)
    if foyer.commune_id is None:
        foyer.commune = commune
        foyer.full_clean()
        foyer.save()
    return beneficiaire


def _doublon_a_examiner(doublon, par):
    _verifier_gestionnaire(par)
    doublon = DoublonProbable.objects.select_for_update(of=("self",)).get(pk=doublon.pk)
    if doublon.statut != DoublonProbable.Statut.A_EXAMINER:
        raise ValidationError("Ce doublon probable a déjà été traité.")
    return doublon


def _doublon_clore(doublon, statut, par):
    doublon.statut = statut
    doublon.traite_par = par
    doublon.date_traitement = timezone.now()
    doublon.full_clean()
    doublon.save()
    return doublon


CHAMPS_FUSION = (
    "civilite",
    "nom_naissance",
    "soumis_droits_devoirs",
    "telephone",
    "email",
    "adresse",
    "commune",
    "orientation",
    "date_orientation",
    "identifiant_externe",
    "nir",
)


@transaction.atomic
@attribue
def doublon_fusionner(*, doublon, par):
    """Même personne : la fiche connue survit et reprend les valeurs non vides de la liste (historique de la
    fiche, motif « fusion ») ; la ligne de la liste est close comme fusionnée, liée à cette fiche."""
    from .importation.preparation import lignes_depuis_json

    doublon = _doublon_a_examiner(doublon, par)
    (ligne,) = lignes_depuis_json([doublon.donnees])
    survivant = _verrouiller(doublon.existant_id)
    if survivant.statut_parcours == StatutParcours.ARCHIVE:
        raise ValidationError("La fiche connue est archivée : elle ne peut reprendre les données de la liste.")
    for champ in CHAMPS_FUSION:
        valeur = ligne.valeurs_personne.get(champ)
        if valeur not in (None, ""):
            setattr(survivant, champ, valeur)
    if "commune" in ligne.valeurs_personne:
        survivant.adresse_brute = ""
    survivant._change_reason = f"Fusion avec la ligne {doublon.ligne} de la liste « {doublon.source} »"[:100]
    _enregistrer(survivant)
    return _doublon_clore(doublon, DoublonProbable.Statut.FUSIONNE, par)


@transaction.atomic
@attribue
def doublon_distinguer(*, doublon, par):
    """Personnes différentes : la personne de la liste est créée (dans son foyer, créé au besoin)."""
    from .importation.preparation import lignes_depuis_json

    doublon = _doublon_a_examiner(doublon, par)
    (ligne,) = lignes_depuis_json([doublon.donnees])
    foyer, _cree = foyer_obtenir_ou_creer(
        numero_allocataire=ligne.numero_allocataire,
        organisme=ligne.organisme,
        commune=ligne.valeurs_foyer.get("commune"),
        etat_droit=ligne.valeurs_foyer.get("etat_droit"),
        date_ouverture_droit=ligne.valeurs_foyer.get("date_ouverture_droit"),
    )
    personne = Beneficiaire(foyer=foyer, role=ligne.role, statut_parcours=StatutParcours.A_EVALUER)
    for champ, valeur in ligne.valeurs_personne.items():
        setattr(personne, champ, valeur)
    personne._change_reason = f"Ligne {doublon.ligne} de la liste « {doublon.source} » : personne distincte"[:100]
    _enregistrer(personne)
    doublon.cree = personne
    return _doublon_clore(doublon, DoublonProbable.Statut.DISTINCT, par)


# Réaffectation en masse : au plus ce nombre de personnes par action (une page de portefeuille).
REAFFECTATION_MAX = 500


@transaction.atomic
@attribue
def beneficiaires_reaffecter(*, beneficiaires, referent, par):
    """Confie plusieurs personnes à un autre référent en une action. Chaque personne est verrouillée, relue et
    vérifiée (périmètre de l'auteur, bassin suivi par le nouveau référent, fiche non archivée) ; une seule erreur
    annule tout. Chaque changement entre dans l'historique de la fiche (auteur, raison) : il apparaît dans le fil de
    la personne (« Référent désigné »)."""
    from simple_history.utils import bulk_update_with_history

    ids = sorted({b.pk if hasattr(b, "pk") else int(b) for b in beneficiaires})
    if not ids:
        raise ValidationError({"beneficiaires": "Choisissez au moins une personne."})
    if len(ids) > REAFFECTATION_MAX:
        raise ValidationError({"beneficiaires": f"Au plus {compte(REAFFECTATION_MAX, 'personne')} à la fois."})
    if referent is None:
        raise ValidationError({"referent": "Choisissez le référent à qui confier ces personnes."})
    personnes = list(
        Beneficiaire.objects.select_for_update(of=("self",)).select_related("commune").filter(pk__in=ids).order_by("pk")
    )
    if len(personnes) != len(ids):
        raise ValidationError({"beneficiaires": "Une des personnes choisies n'existe plus."})
    if not (par.est_administrateur or par.est_referent):
        raise ValidationError("Votre rôle ne permet pas de réaffecter des personnes.")
    bassins_auteur = None if par.est_administrateur else set(par.bassins.values_list("pk", flat=True))
    if referent.role != Role.REFERENT or not referent.is_active:
        raise ValidationError({"referent": f"{referent} n'est pas un référent actif."})
    bassins_referent = set(referent.bassins.values_list("pk", flat=True))
    a_changer = []
    for b in personnes:
        if b.commune_id is None:
            raise ValidationError(
                {"beneficiaires": f"{b} n'a pas de commune (adresse à vérifier) : rattachez-la d'abord à sa commune."}
            )
        if bassins_auteur is not None and b.commune.bassin_emploi_id not in bassins_auteur:
            raise ValidationError({"beneficiaires": f"{b} est hors des bassins d'emploi que vous suivez."})
        if b.statut_parcours == StatutParcours.ARCHIVE:
            raise ValidationError({"beneficiaires": f"{b} est archivée : on ne lui désigne plus de référent."})
        if b.commune.bassin_emploi_id not in bassins_referent:
            raise ValidationError({"referent": f"{referent} ne suit pas le bassin d'emploi de {b} ({b.commune.nom})."})
        if b.referent_id != referent.pk:
            b.referent = referent
            a_changer.append(b)
    if a_changer:
        bulk_update_with_history(
            a_changer,
            Beneficiaire,
            ["referent"],
            default_user=par,
            default_change_reason=f"Réaffectation de {compte(len(a_changer), 'personne')} à {referent}",
        )
        ecritures_en_masse("beneficiaires")
    return len(a_changer)
