"""Données de démonstration de l'axe 2 : enveloppes, le lancement (52 conventions signées en décembre 2017,
dont 9 avec des communes) puis le flux de 2018 et de l'année en cours.

Tout passe par les services (mêmes règles que l'application) dans une seule transaction. Idempotent : si des
contrats existent déjà, rien n'est créé. Sans assez de bénéficiaires (générateur d'ordre 30), on s'arrête
avec un message.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from beneficiaires.models import Beneficiaire
from commun.francais import compte
from comptes.models import Role, User
from referentiel.models import Structure
from referentiel.registre_demo import generateur

from . import services
from .models import ContratAide, Enveloppe, MotifRupture, Statut, TypeContrat, ajouter_mois

LANCEMENT = 52
LANCEMENT_COMMUNES = 9
# (contrats prévus, budget) par année et par échelle ; l'année en cours est ajoutée à la volée.
ENVELOPPES = {
    "petite": {2017: (60, "300000"), 2018: (110, "560000")},
    "loiret": {2017: (60, "300000"), 2018: (320, "1600000")},
}
FLUX_2018 = {"petite": 45, "loiret": 230}
FLUX_ANNEE_COURANTE = {"petite": 15, "loiret": 60}

POSTES = [
    ("Agent d'entretien des espaces verts", "Jardinier"),
    ("Agent d'entretien des locaux", "Agent de propreté"),
    ("Agent de restauration scolaire", "Agent de restauration"),
    ("Agent d'accueil", "Agent d'accueil"),
    ("Aide à domicile", "Auxiliaire de vie"),
    ("Agent technique polyvalent", "Agent de maintenance des bâtiments"),
    ("Animateur périscolaire", "Animateur"),
    ("Employé de ressourcerie", "Valoriste"),
]
MOTIFS = [  # (motif, poids)
    (MotifRupture.CDI, 3),
    (MotifRupture.CDD_6_MOIS, 3),
    (MotifRupture.FORMATION_QUALIFIANTE, 2),
    (MotifRupture.ACCORD_COMMUN, 3),
    (MotifRupture.PERIODE_ESSAI, 2),
    (MotifRupture.FAUTE_GRAVE, 1),
    (MotifRupture.INAPTITUDE, 1),
    (MotifRupture.FORCE_MAJEURE, 1),
    (MotifRupture.AUTRE, 1),
]
ACCOMPAGNEMENT = "Entretiens mensuels avec le référent ; aide à la recherche d'emploi en fin de contrat."
TYPES_AUTRES = (Structure.Type.ASSOCIATION, Structure.Type.EPCI, Structure.Type.PUBLIC, Structure.Type.SERVICE_PUBLIC)


class Generateur:
    def __init__(self, rng, aujourdhui):
        self.rng = rng
        self.aujourdhui = aujourdhui
        employeurs = list(
            Structure.objects.filter(secteur=Structure.Secteur.NON_MARCHAND, active=True)
            .filter(type__in=(Structure.Type.COMMUNE, *TYPES_AUTRES))
            .select_related("commune")
            .order_by("pk")
        )
        self.communes = [e for e in employeurs if e.type == Structure.Type.COMMUNE]
        self.autres = [e for e in employeurs if e.type != Structure.Type.COMMUNE]
        self.referents = {}
        for user in User.objects.filter(role=Role.REFERENT, is_active=True).prefetch_related("bassins").order_by("pk"):
            for bassin in user.bassins.all():
                self.referents.setdefault(bassin.pk, user)
        self.admin = User.objects.filter(role=Role.ADMINISTRATEUR).order_by("pk").first()

    def employeur(self, beneficiaire, commune):
        candidats = self.communes if commune else self.autres
        proches = [
            e for e in candidats if e.commune and e.commune.bassin_emploi_id == beneficiaire.commune.bassin_emploi_id
        ]
        return self.rng.choice(proches or candidats)

    def heures(self):
        tirage = self.rng.random()
        if tirage < 0.06:
            return Decimal("15"), "Reprise d'activité progressive : difficultés particulières (santé, garde d'enfants)."
        if tirage < 0.55:
            return Decimal("20"), ""
        if tirage < 0.85:
            return Decimal(self.rng.choice(["24", "26", "28"])), ""
        return Decimal("35"), ""

    def contrat(self, beneficiaire, *, signature, debut, mois, commune=False, type_=TypeContrat.PEC):
        referent = self.referents.get(beneficiaire.commune.bassin_emploi_id) or self.admin
        employeur = self.employeur(beneficiaire, commune)
        poste, metier = self.rng.choice(POSTES)
        heures, motif = self.heures()
        brouillon = services.contrat_creer_brouillon(
            beneficiaire=beneficiaire,
            employeur=employeur,
            par=referent,
            type=type_,
            intitule_poste=poste,
            metier_vise=metier,
            date_debut=debut,
            date_fin=ajouter_mois(debut, mois) - timedelta(days=1),
            heures_hebdomadaires=heures,
            motif_heures_reduites=motif,
            taux_aide_etat=Decimal(self.rng.choice(["60", "60", "70", "80"])),
            tuteur_nom=f"Tuteur {employeur.nom[:40]}",
            tuteur_fonction=self.rng.choice(["Responsable des services techniques", "Directeur", "Chef d'équipe"]),
            referent=referent,
            actions_accompagnement=ACCOMPAGNEMENT,
            actions_formation=self.rng.choice(
                [
                    "Habilitation électrique",
                    "Sauveteur secouriste du travail",
                    "Adaptation au poste par le tuteur",
                    "Remise à niveau en savoirs de base",
                ]
            ),
        )
        return services.contrat_signer(contrat=brouillon, par=referent, date_signature=signature)

    def vivre(self, contrat, *, renouveler=False):
        """Démarre, puis rompt ou termine selon la date du jour ; rend le contrat à jour."""
        par = contrat.referent
        if contrat.date_debut > self.aujourdhui:
            return contrat
        contrat = services.contrat_demarrer(contrat=contrat, par=par, jour=contrat.date_debut)
        if self.rng.random() < 0.18:
            jours = (contrat.date_fin - contrat.date_debut).days
            rupture = contrat.date_debut + timedelta(days=self.rng.randint(20, max(21, jours - 1)))
            if rupture <= self.aujourdhui and rupture < contrat.date_fin:
                motifs, poids = zip(*MOTIFS, strict=True)
                motif = self.rng.choices(motifs, weights=poids)[0]
                return services.contrat_rompre(contrat=contrat, par=par, date_rupture=rupture, motif=motif)
        if contrat.date_fin <= self.aujourdhui and not renouveler:
            contrat = services.contrat_terminer(contrat=contrat, par=par, jour=contrat.date_fin)
        return contrat


def _enveloppes(echelle, annee_courante):
    valeurs = dict(ENVELOPPES[echelle])
    valeurs.setdefault(annee_courante, (FLUX_ANNEE_COURANTE[echelle] + 20, "250000"))
    crees = 0
    for annee, (nombre, budget) in valeurs.items():
        _, cree = Enveloppe.objects.get_or_create(
            annee=annee, defaults={"nombre_contrats": nombre, "budget": Decimal(budget)}
        )
        crees += cree
    return crees


@generateur(ordre=40)
def contrats(*, echelle, graine, sortie):
    aujourdhui = date.today()
    crees = _enveloppes(echelle, aujourdhui.year)
    sortie(f"Enveloppes (CAOM) : {compte(crees, 'créée')}.")
    if ContratAide.objects.exists():
        sortie(f"Contrats aidés : {compte(ContratAide.objects.count(), 'déjà présent')}, rien à créer.")
        return
    rng = random.Random(graine + 40)
    pks = list(Beneficiaire.objects.actifs().filter(foyer__etat_droit=2).order_by("pk").values_list("pk", flat=True))
    if len(pks) < LANCEMENT:
        sortie(
            f"Contrats aidés : {compte(len(pks), 'bénéficiaire')} au RSA seulement ; il en faut au moins {LANCEMENT} "
            "pour reproduire le lancement. Générez d'abord les bénéficiaires (ordre 30), puis relancez."
        )
        return
    g = Generateur(rng, aujourdhui)
    if not g.communes or not g.autres:
        sortie("Contrats aidés : structures employeuses absentes (générateur du référentiel) ; rien à créer.")
        return
    if not g.referents and g.admin is None:
        sortie("Contrats aidés : aucun référent ni administrateur pour signer ; générez d'abord les comptes.")
        return
    flux_2018 = FLUX_2018[echelle]
    flux_courant = FLUX_ANNEE_COURANTE[echelle]
    besoin = LANCEMENT + flux_2018 + flux_courant
    choisis = rng.sample(pks, min(besoin, len(pks)))
    personnes = Beneficiaire.objects.select_related("commune", "foyer").in_bulk(choisis)
    file = [personnes[pk] for pk in choisis]
    bilan = {"lancement": 0, "2018": 0, "renouvellements": 0, str(aujourdhui.year): 0}

    with transaction.atomic():
        # Le lancement : 52 conventions signées en décembre 2017, dont 9 avec des communes.
        lancement = []
        for i in range(LANCEMENT):
            signature = date(2017, 12, 1) + timedelta(days=rng.randint(0, 20))
            debut = signature + timedelta(days=rng.randint(1, 25))
            c = g.contrat(
                file.pop(),
                signature=signature,
                debut=debut,
                mois=rng.choice([6, 9, 12, 12]),
                commune=i < LANCEMENT_COMMUNES,
                type_=TypeContrat.CUI_CAE,
            )
            lancement.append(c)
            bilan["lancement"] += 1
        # Le flux de 2018 (PEC), et quelques renouvellements des contrats du lancement.
        flux = []
        for _ in range(min(flux_2018, max(0, len(file) - flux_courant))):
            signature = date(2018, 1, 8) + timedelta(days=rng.randint(0, 330))
            debut = signature + timedelta(days=rng.randint(3, 30))
            commune = rng.random() < 0.2
            flux.append(
                g.contrat(file.pop(), signature=signature, debut=debut, mois=rng.choice([6, 9, 12]), commune=commune)
            )
            bilan["2018"] += 1
        for c in lancement:
            renouveler = c.date_fin < date(2018, 12, 1) and rng.random() < 0.3
            c = g.vivre(c, renouveler=renouveler)
            if renouveler and c.statut == Statut.EN_COURS:
                suite = services.contrat_renouveler(
                    contrat=c, par=c.referent, date_fin=ajouter_mois(c.date_fin, rng.choice([6, 12]))
                )
                suite = services.contrat_signer(
                    contrat=suite, par=c.referent, date_signature=c.date_fin - timedelta(days=rng.randint(5, 20))
                )
                if c.date_fin <= aujourdhui:
                    services.contrat_terminer(contrat=c, par=c.referent, jour=c.date_fin)
                g.vivre(suite)
                bilan["renouvellements"] += 1
        for c in flux:
            g.vivre(c)
        # L'année en cours : quelques contrats signés, dont certains courent aujourd'hui.
        debut_annee = date(aujourdhui.year, 1, 5)
        for _ in range(min(flux_courant, len(file))):
            signature = debut_annee + timedelta(days=rng.randint(0, max(0, (aujourdhui - debut_annee).days)))
            debut = signature + timedelta(days=rng.randint(1, 20))
            commune = rng.random() < 0.2
            g.vivre(
                g.contrat(file.pop(), signature=signature, debut=debut, mois=rng.choice([6, 9, 12]), commune=commune)
            )
            bilan[str(aujourdhui.year)] += 1
    sortie(
        "Contrats aidés : "
        + ", ".join(f"{v} ({k})" for k, v in bilan.items())
        + f" ; dont {LANCEMENT_COMMUNES} avec des communes au lancement."
    )


@generateur(ordre=41)
def fins_de_contrat(*, echelle, graine, sortie):
    """La tâche du matin, jouée une fois : les personnes dont le contrat finit dans les 30 jours sont prévenues."""
    from .taches import prevenir_fins

    prevenir_fins()
    sortie("Contrats : fins prochaines signalées aux personnes (tâche contrats.prevenir_fins).")
