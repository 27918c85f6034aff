"""Population de démonstration du registre : foyers, personnes, référents par bassin, évaluations.

- « petite » : 150 foyers, 300 personnes (make run) ;
- « loiret » : 14 293 foyers et 28 485 personnes, les chiffres du lancement (septembre 2017), tous au droit
  ouvert (états 2 à 4), répartis entre les communes au prorata de leur population.
Opérations groupées (bulk_create par paquets, deux UPDATE pour le profil courant) ; pas d'historique pour ces
lignes fictives. Idempotent : les foyers de démonstration déjà présents (numéros 9 000 001 et suivants) ne sont
pas recréés.
"""

import datetime
import random
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Min, OuterRef, Subquery
from django.utils import timezone
from django.utils.text import slugify

from commun.francais import compte, est_pluriel
from commun.models import Canal
from comptes.models import Role as RoleUtilisateur
from comptes.models import User
from comptes.services import MOT_DE_PASSE_DEMO
from referentiel.models import BassinEmploi, Commune
from referentiel.registre_demo import generateur

from .models import (
    FREINS,
    Beneficiaire,
    Civilite,
    CompetencesNumeriques,
    Evaluation,
    Foyer,
    NiveauDiplome,
    Organisme,
    Orientation,
    ParcoursRecommande,
    Role,
    StatutParcours,
)

ECHELLES = {"petite": (150, 300, 1), "loiret": (14_293, 28_485, 3)}  # foyers, personnes, référents ajoutés/bassin
PREMIER_NUMERO = 9_000_001
PAQUET = 2000
METIERS = [
    ("Agent d'entretien", "K2204"),
    ("Aide à domicile", "K1304"),
    ("Employé de libre-service", "D1507"),
    ("Préparateur de commandes", "N1103"),
    ("Agent de restauration", "G1603"),
    ("Ouvrier du bâtiment", "F1703"),
    ("Agent d'accueil", "M1601"),
    ("Jardinier espaces verts", "A1203"),
    ("Cariste", "N1101"),
    ("Aide-soignant", "J1501"),
    ("Chauffeur livreur", "N4105"),
    ("Caissier", "D1505"),
]
LANGUES = ["français", "français, anglais", "français, arabe", "français, portugais", "turc", "français, espagnol"]


def _pools(graine):
    from faker import Faker

    fake = Faker("fr_FR")
    fake.seed_instance(graine)
    return {
        "noms": [fake.last_name() for _ in range(500)],
        "femmes": [fake.first_name_female() for _ in range(250)],
        "hommes": [fake.first_name_male() for _ in range(250)],
        "rues": [fake.street_address() for _ in range(400)],
    }


def _referents_par_bassin(rng, par_bassin_ajoutes, sortie):
    """Les référents de démonstration (comptes « referent », « referent.gien »...) et quelques autres par bassin."""
    bassins = list(BassinEmploi.objects.order_by("nom"))
    existants = set(User.objects.filter(username__startswith="referent.").values_list("username", flat=True))
    mot_de_passe = make_password(MOT_DE_PASSE_DEMO)
    nouveaux, bassin_de = [], {}
    for bassin in bassins:
        for i in range(1, par_bassin_ajoutes + 1):
            identifiant = f"referent.{slugify(bassin.nom)}.{i}"
            if identifiant in existants:
                continue
            bassin_de[identifiant] = bassin
            nouveaux.append(
                User(
                    username=identifiant,
                    first_name=rng.choice(["Claire", "Julien", "Nadia", "Olivier", "Sandrine", "Yann"]),
                    last_name=f"Référent {bassin.nom} {i}",
                    email=f"{identifiant}@example.org",
                    role=RoleUtilisateur.REFERENT,
                    password=mot_de_passe,
                    compte_demo=True,
                )
            )
    User.objects.bulk_create(nouveaux)
    User.bassins.through.objects.bulk_create(
        [User.bassins.through(user_id=u.pk, bassinemploi_id=bassin_de[u.username].pk) for u in nouveaux]
    )
    par_bassin = {}
    for user in User.objects.filter(role=RoleUtilisateur.REFERENT, is_active=True).prefetch_related("bassins"):
        for bassin in user.bassins.all():
            # Le compte « referent » reçoit une double part : la démonstration lui montre des personnes.
            par_bassin.setdefault(bassin.pk, []).extend([user] * (2 if user.username == "referent" else 1))
    if nouveaux:
        sortie(f"Référents de démonstration : {compte(len(nouveaux), 'créé')} (mot de passe « {MOT_DE_PASSE_DEMO} »).")
    return par_bassin


def _date_entre(rng, debut, fin):
    return debut + timedelta(days=rng.randint(0, max(0, (fin - debut).days)))


@generateur(ordre=30)
def beneficiaires(*, echelle, graine, sortie):
    n_foyers, n_personnes, ajoutes = ECHELLES[echelle]
    numeros = [str(PREMIER_NUMERO + i) for i in range(n_foyers)]
    existants = set()
    for i in range(0, n_foyers, PAQUET):
        existants.update(
            Foyer.objects.filter(organisme=Organisme.CAF, numero_allocataire__in=numeros[i : i + PAQUET]).values_list(
                "numero_allocataire", flat=True
            )
        )
    if len(existants) == n_foyers:
        sortie(f"Bénéficiaires : les {n_foyers} foyers de démonstration sont déjà présents.")
        return
    communes = list(Commune.objects.filter(population__gt=0).order_by("code_insee"))
    if not communes:
        sortie("Bénéficiaires : aucune commune chargée, rien à générer.")
        return
    rng = random.Random(graine)
    pools = _pools(graine)
    referents = _referents_par_bassin(rng, ajoutes, sortie)
    aujourd_hui = timezone.localdate()
    with transaction.atomic():
        _generer(rng, pools, communes, referents, numeros, existants, n_foyers, n_personnes, aujourd_hui, sortie)


def _generer(rng, pools, communes, referents, numeros, existants, n_foyers, n_personnes, aujourd_hui, sortie):
    etats = [2] * 80 + [3] * 10 + [4] * 10  # tous au droit ouvert : le stock du lancement
    communes_foyers = rng.choices(communes, weights=[c.population for c in communes], k=n_foyers)
    # Composition : un demandeur par foyer, un conjoint pour 40 % des foyers, puis enfants et autres
    # jusqu'au nombre exact de personnes.
    tailles = [[Role.DEM] for _ in range(n_foyers)]
    restant = n_personnes - n_foyers
    for i in rng.sample(range(n_foyers), min(restant, int(n_foyers * 0.4))):
        tailles[i].append(Role.CJT)
    restant = n_personnes - sum(len(t) for t in tailles)
    for i in rng.choices(range(n_foyers), k=restant):
        tailles[i].append(Role.ENF if rng.random() < 0.93 else Role.AUT)

    debut_orientation = aujourd_hui - timedelta(days=540)
    foyers, personnes = [], []
    for i, numero in enumerate(numeros):
        commune = communes_foyers[i]
        etat = rng.choice(etats)
        foyer = Foyer(
            numero_allocataire=numero,
            organisme=Organisme.CAF,
            etat_droit=etat,
            date_ouverture_droit=_date_entre(rng, date(2009, 6, 1), aujourd_hui - timedelta(days=30)),
            commune=commune,
        )
        nom_foyer = rng.choice(pools["noms"])
        membres = []
        for role in tailles[i]:
            femme = rng.random() < (0.6 if role == Role.DEM else 0.4 if role == Role.CJT else 0.5)
            if role in (Role.DEM, Role.CJT):
                naissance = _date_entre(rng, date(1955, 1, 1), date(2000, 12, 31))
            elif role == Role.ENF:
                naissance = _date_entre(rng, aujourd_hui - timedelta(days=365 * 18), aujourd_hui - timedelta(days=30))
            else:
                naissance = _date_entre(rng, date(1940, 1, 1), date(2000, 12, 31))
            adulte = role in (Role.DEM, Role.CJT)
            sdd = adulte and etat == 2 and rng.random() < 0.92
            b = Beneficiaire(
                role=role,
                civilite=Civilite.MADAME if femme else Civilite.MONSIEUR,
                nom=nom_foyer.upper(),
                nom_naissance=rng.choice(pools["noms"]).upper() if femme and adulte and rng.random() < 0.3 else "",
                prenoms=rng.choice(pools["femmes" if femme else "hommes"]),
                date_naissance=naissance,
                soumis_droits_devoirs=sdd,
                telephone=f"0{rng.choice('67')} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
                f"{rng.randint(10, 99)}"
                if adulte
                else "",
                email=f"{slugify(nom_foyer)}.{i}@example.org" if adulte and rng.random() < 0.4 else "",
                adresse=rng.choice(pools["rues"]),
                commune=commune,
            )
            # À évaluer : le demandeur et le conjoint majeurs soumis aux droits et devoirs ; les autres, hors plan.
            b.statut_parcours = b.statut_initial(aujourd_hui)
            # Préférences de contact (sans tirage aléatoire de plus : le reste de la démonstration ne bouge pas) :
            # un adulte sur trois accepte les SMS, un sur trois avec une adresse e-mail accepte les e-mails.
            if adulte and len(personnes) % 3 == 0:
                b.canal_prefere, b.consentement_sms = Canal.SMS, True
            elif b.email and len(personnes) % 3 == 1:
                b.canal_prefere, b.consentement_email = Canal.EMAIL, True
            if sdd:
                candidats = referents.get(commune.bassin_emploi_id) or [None]
                b.referent = rng.choice(candidats)
                if rng.random() < 0.85:
                    b.orientation = rng.choices(
                        [Orientation.PROFESSIONNELLE, Orientation.SOCIO_PRO, Orientation.SOCIALE], weights=[5, 3, 2]
                    )[0]
                    b.date_orientation = _date_entre(rng, debut_orientation, aujourd_hui)
            membres.append(b)
        if numero in existants:
            continue
        foyers.append(foyer)
        for b in membres:
            b.foyer = foyer
            personnes.append(b)
    Foyer.objects.bulk_create(foyers, batch_size=PAQUET)
    for b in personnes:
        b.foyer = b.foyer  # rattache l'identifiant du foyer créé
        b.calculer_recherche()
    Beneficiaire.objects.bulk_create(personnes, batch_size=PAQUET)

    evaluations, prevues = [], []
    for b in personnes:
        if not b.date_orientation or b.referent is None:
            continue
        tirage = rng.random()
        if tirage < 0.6:
            jour = min(b.date_orientation + timedelta(days=rng.randint(3, 75)), aujourd_hui)
            evaluations.append(_evaluation(rng, b, jour))
        elif tirage < 0.72:
            jour = aujourd_hui + timedelta(days=rng.randint(1, 30))
            prevues.append(
                Evaluation(beneficiaire=b, date=jour, evaluateur=b.referent, statut=Evaluation.Statut.PREVUE)
            )
    Evaluation.objects.bulk_create(evaluations + prevues, batch_size=PAQUET)

    # Profil courant et statut du parcours : quelques UPDATE groupés, pas une requête par personne.
    if not personnes:
        return
    cible = Beneficiaire.objects.filter(pk__gte=personnes[0].pk, pk__lte=personnes[-1].pk)
    realisees = Evaluation.objects.filter(beneficiaire=OuterRef("pk"), statut=Evaluation.Statut.REALISEE)
    cible.filter(evaluations__statut=Evaluation.Statut.REALISEE).update(
        evaluation_courante=Subquery(realisees.order_by("-date", "-pk").values("pk")[:1]),
        date_evaluation_courante=Subquery(realisees.order_by("-date", "-pk").values("date")[:1]),
        date_premiere_evaluation=Subquery(
            realisees.order_by().values("beneficiaire").annotate(d=Min("date")).values("d")[:1]
        ),
        statut_parcours=StatutParcours.EN_PARCOURS,
    )
    ids_prevues = [e.beneficiaire_id for e in prevues]
    for i in range(0, len(ids_prevues), PAQUET):
        Beneficiaire.objects.filter(
            pk__in=ids_prevues[i : i + PAQUET], statut_parcours=StatutParcours.A_EVALUER
        ).update(statut_parcours=StatutParcours.EN_EVALUATION)
    sortie(
        f"Bénéficiaires : {compte(len(foyers), 'foyer')} et {compte(len(personnes), 'personne')} "
        f"{'créés' if est_pluriel(len(foyers) + len(personnes)) else 'créé'}, "
        f"{compte(len(evaluations), 'évaluation réalisée')} et {compte(len(prevues), 'prévue')}."
    )


def _evaluation(rng, b, jour):
    metiers = rng.sample(METIERS, k=rng.choice([1, 1, 2]))
    e = Evaluation(
        beneficiaire=b,
        date=jour,
        evaluateur=b.referent,
        statut=Evaluation.Statut.REALISEE,
        metiers_vises="\n".join(m for m, _ in metiers),
        codes_rome=" ".join(c for _, c in metiers),
        experience_annees=rng.choice([0, 0, 1, 2, 3, 5, 8, 12]),
        niveau_diplome=rng.choice(NiveauDiplome.values[:4] + [""]),
        permis_b=rng.random() < 0.45,
        permis_am=rng.random() < 0.1,
        heures_disponibles=rng.choice([20, 24, 26, 30, 35, 35, 35]),
        langues=rng.choice(LANGUES),
        competences_numeriques=rng.choice(CompetencesNumeriques.values),
        parcours_recommande=rng.choice(ParcoursRecommande.values),
        synthese="Entretien réalisé ; projet professionnel à consolider.",
    )
    e.vehicule = e.permis_b and rng.random() < 0.5
    frequences = {
        "frein_mobilite": 0.45, "frein_logement": 0.2, "frein_sante": 0.2, "frein_garde_enfants": 0.25,
        "frein_langue": 0.12, "frein_numerique": 0.35, "frein_endettement": 0.18, "frein_administratif": 0.15,
    }  # fmt: skip
    for champ, _ in FREINS:
        if rng.random() < frequences[champ]:
            setattr(e, champ, rng.choice([1, 1, 2]))
    return e


# Convocations de démonstration : quelques évaluations planifiées avec heure et lieu (messages envoyés).
CONVOCATIONS_DEMO = 12
LIEUX_DEMO = ["Maison du Département, 15 rue Eugène Vignat, Orléans", "Antenne sociale, 2 place Girodet, Montargis"]


@generateur(ordre=80)
def convocations(*, echelle, graine, sortie):
    from . import services

    jour = timezone.localdate()
    deja = Evaluation.objects.filter(statut=Evaluation.Statut.PREVUE, date__gte=jour).exclude(lieu="").count()
    if deja >= CONVOCATIONS_DEMO:
        sortie(f"Convocations : {deja} évaluations déjà planifiées avec convocation.")
        return
    personnes = (
        Beneficiaire.objects.filter(statut_parcours=StatutParcours.A_EVALUER, referent__isnull=False)
        .exclude(evaluations__statut=Evaluation.Statut.PREVUE)
        .select_related("referent", "commune")
        .order_by("pk")[: CONVOCATIONS_DEMO - deja]
    )
    for n, b in enumerate(personnes):
        services.evaluation_planifier(
            beneficiaire=b,
            date=jour + timedelta(days=1 + n % 5),
            heure=datetime.time(9 + n % 8, 30),
            lieu=LIEUX_DEMO[n % 2],
            evaluateur=b.referent,
            par=b.referent,
        )
    sortie(f"Convocations : {compte(len(personnes), 'évaluation planifiée')}, convocation envoyée à chaque personne.")
