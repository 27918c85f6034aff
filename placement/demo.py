"""Démonstration de l'axe 3 : un marché 2017-2019, les 2 prestataires sur 4 lots (600 places), et un flux
réaliste d'orientations, de suivis, de sorties et de suivis dans l'emploi. Tout passe par les services."""

import datetime
import random
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from beneficiaires.models import Beneficiaire
from comptes.models import Role, User
from referentiel.models import BassinEmploi, Structure
from referentiel.registre_demo import generateur

from . import services
from .models import SORTIES_EN_EMPLOI, Lot, MaintienEmploi, Marche, MotifRefus, Orientation, TypeSortie

REFERENCE_MARCHE = "2017-PLACEMENT-RSA"
DEBUT_MARCHE = datetime.date(2017, 12, 1)
FIN_MARCHE = datetime.date(2019, 11, 30)
PRIX = {
    "prix_entree": Decimal("450.00"),
    "prix_sortie_positive": Decimal("1200.00"),
    "prix_maintien_6_mois": Decimal("800.00"),
}
# (numéro, prestataire, bassin, places) : 600 places en tout sur les 4 bassins.
LOTS = [
    (1, "Insertion Emploi Centre", "Orléans", 300),
    (2, "Insertion Emploi Centre", "Pithiviers", 80),
    (3, "Trajectoires Placement 45", "Montargis", 140),
    (4, "Trajectoires Placement 45", "Gien", 80),
]
# Référent prescripteur par bassin (comptes de démonstration).
PRESCRIPTEURS = {
    "Orléans": "referent",
    "Montargis": "referent",
    "Gien": "referent.gien",
    "Pithiviers": "referent.pithiviers",
}
VOLUME = {"petite": 160, "loiret": 820}
TYPES_SORTIE = [
    (TypeSortie.CDI, 14),
    (TypeSortie.CDD_6_MOIS_PLUS, 14),
    (TypeSortie.CDD_MOINS_6_MOIS, 14),
    (TypeSortie.INTERIM, 14),
    (TypeSortie.CREATION, 4),
    (TypeSortie.FORMATION, 10),
    (TypeSortie.ABANDON, 18),
    (TypeSortie.DEMENAGEMENT, 5),
    (TypeSortie.AUTRE, 7),
]
NOTES = [
    ("entretien", "Premier entretien : projet professionnel et disponibilités.", "Préparer le CV"),
    ("telephone", "Point téléphonique sur les candidatures envoyées.", "Relancer deux employeurs"),
    ("atelier", "Atelier techniques de recherche d'emploi.", ""),
    ("mise_en_relation", "Mise en relation avec un employeur du secteur visé.", "Entretien d'embauche"),
    ("visio", "Simulation d'entretien d'embauche.", ""),
    ("entretien", "Bilan à mi-parcours : pistes d'emploi et de formation.", "Visite d'entreprise"),
]


def de(nom):
    """« de Gien », « d'Orléans » : élision devant une voyelle."""
    return f"d'{nom}" if nom[:1].lower() in "aeiouyéèêàâîôû" else f"de {nom}"


def _marche_et_lots(sortie):
    marche = Marche.objects.filter(reference=REFERENCE_MARCHE).first()
    if marche is None:
        marche = services.marche_creer(
            reference=REFERENCE_MARCHE,
            intitule="Accompagnement vers l'emploi des bénéficiaires du RSA",
            date_debut=DEBUT_MARCHE,
            date_fin=FIN_MARCHE,
        )
    prestataires = {s.nom: s for s in Structure.objects.filter(type=Structure.Type.PRESTATAIRE)}
    bassins = {b.nom: b for b in BassinEmploi.objects.all()}
    existants = set(Lot.objects.filter(marche=marche).values_list("numero", flat=True))
    crees = 0
    for numero, nom_prestataire, nom_bassin, places in LOTS:
        if numero in existants or nom_prestataire not in prestataires or nom_bassin not in bassins:
            continue
        services.lot_creer(
            marche=marche,
            numero=numero,
            intitule=f"Bassin {de(nom_bassin)}",
            prestataire=prestataires[nom_prestataire],
            bassins=[bassins[nom_bassin]],
            capacite=places,
            **PRIX,
        )
        crees += 1
    sortie(f"Placement : marché {marche.reference}, {crees} lot(s) créé(s).")
    return marche


def _jour(rng, debut, fin):
    return debut + datetime.timedelta(days=rng.randint(0, max(0, (fin - debut).days)))


def _flux(*, marche, rng, volume, employeurs, prescripteurs, par_defaut):
    """Une orientation par personne tirée au sort, puis les étapes selon des probabilités plausibles."""
    personnes = list(
        Beneficiaire.objects.actifs()
        .filter(soumis_droits_devoirs=True, commune__bassin_emploi__lots__marche=marche)
        .exclude(orientations__isnull=False)
        .select_related("commune__bassin_emploi")
        .order_by("pk")
        .distinct()
    )
    rng.shuffle(personnes)
    personnes = personnes[:volume]
    prestataires = {
        s.pk: User.objects.filter(role=Role.PRESTATAIRE, structure=s).order_by("pk").first() or par_defaut
        for s in Structure.objects.filter(type=Structure.Type.PRESTATAIRE)
    }
    limite = min(FIN_MARCHE, datetime.date.today())
    compte = {"orientations": 0, "refus": 0, "entrees": 0, "sorties": 0}
    for b in personnes:
        date = _jour(rng, DEBUT_MARCHE + datetime.timedelta(days=14), FIN_MARCHE - datetime.timedelta(days=20))
        prescripteur = prescripteurs.get(b.commune.bassin_emploi.nom, par_defaut)
        try:
            o = services.orientation_proposer(beneficiaire=b, par=prescripteur, date=date)
        except ValidationError:
            continue
        compte["orientations"] += 1
        acteur = prestataires.get(o.lot.prestataire_id) or par_defaut
        if rng.random() < 0.06:
            continue  # reste sans réponse
        reponse = date + datetime.timedelta(days=rng.choice([1, 2, 3, 5, 7, 8, 10, 12, 14, 18, 21]))
        if reponse > limite:
            continue
        if rng.random() < 0.12:
            motif = rng.choice([m for m in MotifRefus.values if m != MotifRefus.CAPACITE])
            services.orientation_refuser(orientation=o, par=acteur, motif=motif, date=reponse)
            compte["refus"] += 1
            continue
        try:
            services.orientation_accepter(orientation=o, par=acteur, date=reponse)
        except ValidationError:
            services.orientation_refuser(orientation=o, par=acteur, motif=MotifRefus.CAPACITE, date=reponse)
            compte["refus"] += 1
            continue
        entree = reponse + datetime.timedelta(days=rng.randint(2, 20))
        if entree > limite or rng.random() < 0.05:
            continue
        services.orientation_demarrer_accompagnement(orientation=o, par=acteur, date=entree)
        compte["entrees"] += 1
        fin_accompagnement = entree + datetime.timedelta(days=rng.randint(45, 330))
        jour = entree
        for _ in range(rng.randint(2, 6)):
            jour = jour + datetime.timedelta(days=rng.randint(10, 45))
            if jour > min(fin_accompagnement, limite):
                break
            nature, note, suite = rng.choice(NOTES)
            services.suivi_enregistrer(
                orientation=o, par=acteur, date=jour, nature=nature, note=note, prochaine_etape=suite
            )
        if fin_accompagnement > limite or rng.random() < 0.25:
            continue  # toujours en accompagnement
        type_sortie = rng.choices([t for t, _ in TYPES_SORTIE], weights=[p for _, p in TYPES_SORTIE])[0]
        duree = None
        if type_sortie == TypeSortie.INTERIM:
            duree = rng.randint(1, 9)
        elif type_sortie == TypeSortie.CDD_6_MOIS_PLUS:
            duree = rng.choice([6, 9, 12])
        elif type_sortie == TypeSortie.CDD_MOINS_6_MOIS:
            duree = rng.randint(1, 5)
        employeur = rng.choice(employeurs) if type_sortie in SORTIES_EN_EMPLOI and employeurs else None
        if type_sortie == TypeSortie.CREATION:
            employeur = None
        try:
            s = services.sortie_enregistrer(
                orientation=o,
                par=acteur,
                type=type_sortie,
                date=fin_accompagnement,
                employeur=employeur,
                employeur_nom="" if employeur or type_sortie == TypeSortie.CREATION else "Entreprise locale",
                duree_contrat_mois=duree,
            )
        except ValidationError:
            continue
        compte["sorties"] += 1
        if not s.en_emploi:
            continue
        en_emploi = True
        for echeance in MaintienEmploi.Echeance.values:
            constat = services.ajouter_mois(s.date, echeance) + datetime.timedelta(days=rng.randint(0, 10))
            if constat > limite:
                break
            en_emploi = en_emploi and rng.random() < (0.9 if s.positive else 0.6)
            services.maintien_en_emploi_enregistrer(
                sortie=s, par=acteur, echeance=echeance, en_emploi=en_emploi, date_constat=constat
            )
    return compte


@generateur(ordre=50)
def placement(*, echelle, graine, sortie):
    crees = services.comptes_prestataires_demo_rattacher()
    sortie(f"Placement : comptes prestataires rattachés ({crees} créé(s)).")
    marche = _marche_et_lots(sortie)
    if Orientation.objects.filter(lot__marche=marche).exists():
        sortie(f"Placement : {Orientation.objects.filter(lot__marche=marche).count()} orientation(s) déjà présentes.")
        return
    if not Beneficiaire.objects.exists():
        sortie("Placement : aucun bénéficiaire en base, aucune orientation créée.")
        return
    rng = random.Random(graine)
    par_defaut = User.objects.filter(role=Role.ADMINISTRATEUR).order_by("pk").first()
    if par_defaut is None:
        sortie("Placement : aucun compte administrateur, aucune orientation créée.")
        return
    prescripteurs = {
        bassin: User.objects.filter(username=identifiant).first() or par_defaut
        for bassin, identifiant in PRESCRIPTEURS.items()
    }
    employeurs = list(
        Structure.objects.exclude(type__in=[Structure.Type.PRESTATAIRE, Structure.Type.PARTENAIRE]).order_by("pk")
    )
    with transaction.atomic():
        compte = _flux(
            marche=marche,
            rng=rng,
            volume=VOLUME.get(echelle, VOLUME["petite"]),
            employeurs=employeurs,
            prescripteurs=prescripteurs,
            par_defaut=par_defaut,
        )
    sortie(
        f"Placement : {compte['orientations']} orientation(s), {compte['refus']} refus, "
        f"{compte['entrees']} entrée(s) en accompagnement, {compte['sorties']} sortie(s)."
    )
