"""Démonstration de l'axe 3 : le marché de lancement 2017-2019 (2 prestataires, 4 lots, 600 places) et le
marché en cours 2025-2027 (mêmes prestataires, mêmes bassins), chacun avec un flux réaliste d'orientations,
de suivis, de sorties et de suivis dans l'emploi.

Marchés et lots passent par les services (quelques appels). Le flux, lui, est simulé en mémoire en appliquant
les règles des services (une orientation ouverte par personne, capacité du lot, dates ordonnées et jamais dans
le futur, sortie positive selon le type, résultat déclaré une fois et seulement après une entrée, vérifié par le
Département quelques jours plus tard puis payé, quelques-uns rejetés), puis écrit par
paquets (bulk_create_with_history) : appeler les services ligne à ligne coûtait plusieurs minutes à l'échelle
du Loiret. Un échantillon de chaque sorte d'objet passe par full_clean() complet (contraintes comprises) et la
base applique de toute façon ses contraintes à chaque ligne insérée.
"""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from beneficiaires.models import Beneficiaire
from commun.francais import compte, nombre
from comptes.models import Role, User
from referentiel.demo import bassins_demo
from referentiel.models import Structure
from referentiel.registre_demo import generateur

from . import services
from .models import (
    ATTENTE_MAX_JOURS,
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
    stockage_justificatifs,
)

S = Orientation.Statut

# Marché de lancement : ses 600 places sont l'objectif du plan (tableau de bord).
REFERENCE_MARCHE = "2017-PLACEMENT-RSA"
DEBUT_MARCHE = datetime.date(2017, 12, 1)
FIN_MARCHE = datetime.date(2019, 11, 30)
# Marché en cours : on peut orienter aujourd'hui.
REFERENCE_MARCHE_COURANT = "2025-PLACEMENT-RSA"
DEBUT_MARCHE_COURANT = datetime.date(2025, 12, 1)
FIN_MARCHE_COURANT = datetime.date(2027, 11, 30)
PRIX = {
    "prix_entree": Decimal("450.00"),
    "prix_sortie_positive": Decimal("1200.00"),
    "prix_maintien_6_mois": Decimal("800.00"),
}
PRIX_COURANT = {
    "prix_entree": Decimal("480.00"),
    "prix_sortie_positive": Decimal("1250.00"),
    "prix_maintien_6_mois": Decimal("850.00"),
}
# (numéro, prestataire, bassin, places) : 600 places en tout sur les 4 bassins.
LOTS = [
    (1, "Insertion Emploi Centre", "Orléans", 300),
    (2, "Insertion Emploi Centre", "Pithiviers", 80),
    (3, "Trajectoires Placement", "Montargis", 140),
    (4, "Trajectoires Placement", "Gien", 80),
]
LOTS_COURANTS = [
    (1, "Insertion Emploi Centre", "Orléans", 260),
    (2, "Insertion Emploi Centre", "Pithiviers", 70),
    (3, "Trajectoires Placement", "Montargis", 120),
    (4, "Trajectoires Placement", "Gien", 70),
]


@dataclass(frozen=True)
class MarcheDemo:
    reference: str
    intitule: str
    debut: datetime.date
    fin: datetime.date
    lots: list
    prix: dict
    # Marché échu : tout est clos (réponse, sortie) ; marché en cours : le flux s'arrête à aujourd'hui.
    clos: bool


MARCHES = [
    MarcheDemo(
        REFERENCE_MARCHE,
        "Accompagnement vers l'emploi des bénéficiaires du RSA",
        DEBUT_MARCHE,
        FIN_MARCHE,
        LOTS,
        PRIX,
        clos=True,
    ),
    MarcheDemo(
        REFERENCE_MARCHE_COURANT,
        "Accompagnement vers l'emploi des bénéficiaires du RSA (2025-2027)",
        DEBUT_MARCHE_COURANT,
        FIN_MARCHE_COURANT,
        LOTS_COURANTS,
        PRIX_COURANT,
        clos=False,
    ),
]
# Référent prescripteur par bassin (comptes de démonstration).
PRESCRIPTEURS = {
    "Orléans": "referent",
    "Montargis": "referent",
    "Gien": "referent.gien",
    "Pithiviers": "referent.pithiviers",
}
VOLUME = {REFERENCE_MARCHE: {"petite": 160, "loiret": 820}, REFERENCE_MARCHE_COURANT: {"petite": 90, "loiret": 420}}
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
# Refus tirés au sort : ni capacité (décidée par le recomptage), ni hors territoire (le lot couvre le bassin).
MOTIFS_ALEATOIRES = [m for m in MotifRefus.values if m not in (MotifRefus.CAPACITE, MotifRefus.HORS_TERRITOIRE)]
DELAIS_REPONSE = [1, 2, 3, 5, 7, 8, 10, 12, 14, 18, 21]
# Un seul fichier de démonstration, partagé par tous les résultats de la démo (un PDF minimal et complet).
JUSTIFICATIF_DEMO = "demo/justificatif-demonstration.pdf"
PDF_DEMO = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
MOTIFS_REJET_DEMO = [
    "Contrat de travail non signé par l'employeur.",
    "Attestation sans date : transmettre l'attestation datée du mois du constat.",
    "Justificatif illisible : transmettre une copie lisible.",
]
# Échantillon validé par full_clean() complet, par sorte d'objet (statut, type, nature...).
ECHANTILLON = 2


def de(nom):
    """« de Gien », « d'Orléans » : élision devant une voyelle."""
    return f"d'{nom}" if nom[:1].lower() in "aeiouyéèêàâîôû" else f"de {nom}"


def _marche_et_lots(m, sortie):
    """Le marché et ses lots, par les services (idempotent : ce qui existe déjà est laissé tel quel)."""
    marche = Marche.objects.filter(reference=m.reference).first()
    if marche is None:
        marche = services.marche_creer(reference=m.reference, intitule=m.intitule, date_debut=m.debut, date_fin=m.fin)
    prestataires = {s.nom: s for s in Structure.objects.filter(type=Structure.Type.PRESTATAIRE)}
    bassins = bassins_demo()
    existants = set(Lot.objects.filter(marche=marche).values_list("numero", flat=True))
    crees = 0
    for numero, nom_prestataire, nom_bassin, places in m.lots:
        if numero in existants or nom_prestataire not in prestataires or nom_bassin not in bassins:
            continue
        try:
            services.lot_creer(
                marche=marche,
                numero=numero,
                intitule=f"Bassin {de(bassins[nom_bassin].nom)}",
                prestataire=prestataires[nom_prestataire],
                bassins=[bassins[nom_bassin]],
                capacite=places,
                **m.prix,
            )
        except ValidationError as e:  # un lot saisi à la main couvre déjà ce bassin sur la période
            sortie(f"Placement : lot {numero} du marché {m.reference} non créé ({'; '.join(e.messages)}).")
            continue
        crees += 1
    sortie(f"Placement : marché {marche.reference}, {compte(crees, 'lot créé')}.")
    return marche


def _jour(rng, debut, fin):
    return debut + datetime.timedelta(days=rng.randint(0, max(0, (fin - debut).days)))


def _moment(jour):
    """Horodatage de l'historique : le jour de l'événement, en fin de matinée (heure locale)."""
    return timezone.make_aware(datetime.datetime.combine(jour, datetime.time(10, 30)))


@dataclass
class Dossier:
    """Une orientation simulée et ce qui en découle, avant écriture en base."""

    orientation: Orientation
    acteur: User
    suivis: list = field(default_factory=list)
    sortie: Sortie | None = None
    maintiens: list = field(default_factory=list)
    resultats: list = field(default_factory=list)


class Simulation:
    """Applique en mémoire les règles des services, dans l'ordre où elles le seraient au fil des jours."""

    def __init__(self, *, rng, aujourdhui, employeurs, prestataires, par_defaut, verificateur=None):
        self.rng = rng
        self.verificateur = verificateur or par_defaut
        self.aujourdhui = aujourdhui
        self.employeurs = employeurs
        self.prestataires = prestataires
        self.par_defaut = par_defaut
        self.occupation = {}  # lot.pk -> places occupées (acceptées, en accompagnement, sorties)
        self.ouvertes = set()  # personnes ayant une orientation ouverte
        self.compte = {"orientations": 0, "refus": 0, "entrees": 0, "sorties": 0, "sans_reponse": 0}

    def _declarer(self, d, nature, jour):
        # Un résultat par nature et par orientation, jamais sans entrée en accompagnement.
        assert d.orientation.date_entree is not None and nature not in {n for n, _ in d.resultats}
        d.resultats.append((nature, jour))

    def orienter(self, *, personne, lot, prescripteur, date, clos):
        """Une orientation proposée le `date`, puis ses étapes tant qu'elles ne dépassent pas aujourd'hui."""
        rng, limite = self.rng, self.aujourdhui
        if personne.pk in self.ouvertes or date > limite or not (lot.date_debut <= date <= lot.date_fin):
            return None
        o = Orientation(beneficiaire=personne, lot=lot, prescripteur=prescripteur, statut=S.PROPOSEE)
        o.date_proposition = date
        acteur = self.prestataires.get(lot.prestataire_id) or self.par_defaut
        d = Dossier(orientation=o, acteur=acteur)
        self.compte["orientations"] += 1
        self.ouvertes.add(personne.pk)
        recente = (limite - date).days <= 40
        if not clos and recente and rng.random() < 0.3:
            self.compte["sans_reponse"] += 1
            return d  # reste sans réponse (signalée après 15 jours)
        reponse = date + datetime.timedelta(days=rng.choice(DELAIS_REPONSE))
        if reponse > limite:
            self.compte["sans_reponse"] += 1
            return d
        o.date_reponse = reponse
        plein = self.occupation.get(lot.pk, 0) >= lot.capacite
        if plein or rng.random() < 0.12:
            o.statut = S.REFUSEE
            o.motif_refus = MotifRefus.CAPACITE if plein else rng.choice(MOTIFS_ALEATOIRES)
            o.date_cloture = reponse
            self.ouvertes.discard(personne.pk)
            self.compte["refus"] += 1
            return d
        o.statut = S.ACCEPTEE
        self.occupation[lot.pk] = self.occupation.get(lot.pk, 0) + 1
        entree = reponse + datetime.timedelta(days=rng.randint(2, 20))
        if entree > limite:
            return d
        if rng.random() < 0.05:  # ne vient pas au premier rendez-vous
            if clos:
                self._sortir(d, TypeSortie.ABANDON, reponse + datetime.timedelta(days=rng.randint(15, 40)))
            return d
        o.statut = S.EN_ACCOMPAGNEMENT
        o.date_entree = entree
        self._declarer(d, ResultatPaye.Nature.ENTREE, entree)
        self.compte["entrees"] += 1
        fin_accompagnement = entree + datetime.timedelta(days=rng.randint(45, 330))
        jour = entree
        for _ in range(rng.randint(2, 6)):
            jour = jour + datetime.timedelta(days=rng.randint(10, 45))
            if jour > min(fin_accompagnement, limite):
                break
            nature, note, suite = rng.choice(NOTES)
            d.suivis.append(Suivi(date=jour, nature=nature, note=note, prochaine_etape=suite, auteur=acteur))
        if fin_accompagnement > limite or (not clos and rng.random() < 0.25):
            return d  # toujours en accompagnement
        type_sortie = rng.choices([t for t, _ in TYPES_SORTIE], weights=[p for _, p in TYPES_SORTIE])[0]
        self._sortir(d, type_sortie, fin_accompagnement)
        return d

    def _sortir(self, d, type_sortie, jour):
        rng, o = self.rng, d.orientation
        jour = min(jour, self.aujourdhui)
        assert o.statut in (S.ACCEPTEE, S.EN_ACCOMPAGNEMENT) and jour >= (o.date_entree or o.date_reponse)
        duree = None
        if type_sortie == TypeSortie.INTERIM:
            duree = rng.randint(1, 9)
        elif type_sortie == TypeSortie.CDD_6_MOIS_PLUS:
            duree = rng.choice([6, 9, 12])
        elif type_sortie == TypeSortie.CDD_MOINS_6_MOIS:
            duree = rng.randint(1, 5)
        employeur = None
        if type_sortie in SORTIES_EN_EMPLOI and type_sortie != TypeSortie.CREATION and self.employeurs:
            employeur = rng.choice(self.employeurs)
        salariee = type_sortie in SORTIES_EN_EMPLOI and type_sortie != TypeSortie.CREATION
        s = Sortie(
            type=type_sortie,
            date=jour,
            employeur=employeur,
            employeur_nom="Entreprise locale" if salariee and employeur is None else "",
            duree_contrat_mois=duree,
            positive=sortie_est_positive(type_sortie, duree),
            auteur=d.acteur,
        )
        d.sortie = s
        o.statut = S.SORTIE
        o.date_sortie = jour
        # Close le jour même, ou à la fin du suivi dans l'emploi (6 mois), comme le fait le service.
        o.date_cloture = services.ajouter_mois(jour, services.DUREE_SUIVI_EMPLOI_MOIS) if s.en_emploi else jour
        self.ouvertes.discard(o.beneficiaire_id)
        self.compte["sorties"] += 1
        if s.positive and o.date_entree is not None:
            self._declarer(d, ResultatPaye.Nature.SORTIE_POSITIVE, jour)
        if not s.en_emploi:
            return
        en_emploi, fin_suivi = True, False
        for echeance in MaintienEmploi.Echeance.values:
            constat = services.ajouter_mois(s.date, echeance) + datetime.timedelta(days=rng.randint(0, 10))
            if constat > self.aujourdhui:
                break
            en_emploi = en_emploi and rng.random() < (0.9 if s.positive else 0.6)
            d.maintiens.append(
                MaintienEmploi(echeance=echeance, en_emploi=en_emploi, date_constat=constat, auteur=d.acteur)
            )
            if (echeance == MaintienEmploi.Echeance.SIX_MOIS or not en_emploi) and not fin_suivi:
                o.date_cloture, fin_suivi = constat, True
            if echeance == MaintienEmploi.Echeance.SIX_MOIS and en_emploi and o.date_entree is not None:
                self._declarer(d, ResultatPaye.Nature.MAINTIEN_6_MOIS, constat)


def _valider_echantillon(objets, cle):
    """full_clean() complet (champs, clés étrangères, contraintes) sur quelques objets de chaque sorte."""
    vus = {}
    for obj in objets:
        k = cle(obj)
        if vus.get(k, 0) < ECHANTILLON:
            vus[k] = vus.get(k, 0) + 1
            obj.full_clean()


def _historiser(obj, user, jour):
    obj._history_user = user
    obj._history_date = _moment(jour)
    return obj


def _justificatif_demo():
    stockage = stockage_justificatifs()
    if not stockage.exists(JUSTIFICATIF_DEMO):
        stockage.save(JUSTIFICATIF_DEMO, ContentFile(PDF_DEMO))
    return JUSTIFICATIF_DEMO


def _resultat(sim, d, nature, jour):
    """Un résultat déclaré le jour du fait ; vérifié par le Département quelques jours plus tard (quelques rejets),
    payé un mois environ après ; les plus récents attendent encore leur vérification ou leur paiement."""
    rng, o = sim.rng, d.orientation
    r = ResultatPaye(
        orientation=o,
        lot=o.lot,
        nature=nature,
        date=jour,
        prix_unitaire=o.lot.prix(nature),
        statut=StatutResultat.DECLARE,
        justificatif=_justificatif_demo(),
        nom_fichier="justificatif.pdf",
        justificatif_type="application/pdf",
        declare_par=d.acteur,
    )
    decision = jour + datetime.timedelta(days=rng.randint(2, 8))
    if decision > sim.aujourdhui:
        return r
    r.decide_par, r.date_decision = sim.verificateur, _moment(decision)
    if rng.random() < 0.04:
        r.statut, r.motif_rejet = StatutResultat.REJETE, rng.choice(MOTIFS_REJET_DEMO)
        return r
    r.statut = StatutResultat.VALIDE
    paiement = decision + datetime.timedelta(days=rng.randint(20, 40))
    if paiement <= sim.aujourdhui:
        r.statut, r.date_paiement = StatutResultat.PAYE, paiement
        r.reference_paiement = f"MANDAT-{paiement:%Y}-{rng.randint(1000, 9999)}"
    return r


def _ecrire(dossiers, sim):
    """Écrit les dossiers simulés par paquets, avec leur historique, parents d'abord."""
    orientations = []
    for d in dossiers:
        o = d.orientation
        dernier = o.date_sortie or o.date_entree or o.date_reponse or o.date_proposition
        orientations.append(_historiser(o, o.prescripteur if o.statut == S.PROPOSEE else d.acteur, dernier))
    _valider_echantillon(orientations, lambda o: o.statut)
    bulk_create_with_history(orientations, Orientation, batch_size=500)

    suivis, sorties, resultats = [], [], []
    for d in dossiers:
        o = d.orientation
        for s in d.suivis:
            s.orientation = o
            suivis.append(_historiser(s, d.acteur, s.date))
        if d.sortie is not None:
            d.sortie.orientation = o
            sorties.append(_historiser(d.sortie, d.acteur, d.sortie.date))
        for nature, jour in d.resultats:
            resultats.append(_historiser(_resultat(sim, d, nature, jour), d.acteur, jour))
    _valider_echantillon(suivis, lambda s: s.nature)
    _valider_echantillon(sorties, lambda s: (s.type, s.positive))
    _valider_echantillon(resultats, lambda r: (r.nature, r.statut))
    bulk_create_with_history(suivis, Suivi, batch_size=500)
    bulk_create_with_history(sorties, Sortie, batch_size=500)
    bulk_create_with_history(resultats, ResultatPaye, batch_size=500)

    maintiens = []
    for d in dossiers:
        for m in d.maintiens:
            m.sortie = d.sortie
            maintiens.append(_historiser(m, d.acteur, m.date_constat))
    _valider_echantillon(maintiens, lambda m: (m.echeance, m.en_emploi))
    bulk_create_with_history(maintiens, MaintienEmploi, batch_size=500)


def _flux(*, m, marche, sim, volume, prescripteurs, par_defaut):
    """Une orientation par personne tirée au sort (éligible : active, soumise aux droits et devoirs, sans
    orientation ouverte, d'un bassin couvert), vers le lot de son bassin."""
    rng = sim.rng
    lots = list(Lot.objects.filter(marche=marche).select_related("prestataire").prefetch_related("bassins"))
    lot_du_bassin = {b.pk: lot for lot in lots for b in lot.bassins.all()}
    for lot in Lot.objects.filter(pk__in=[lot.pk for lot in lots]).avec_occupation():
        sim.occupation[lot.pk] = lot.places_occupees
    sim.ouvertes |= set(Orientation.objects.ouvertes().values_list("beneficiaire_id", flat=True))
    personnes = list(
        Beneficiaire.objects.actifs()
        .filter(soumis_droits_devoirs=True, commune__bassin_emploi__in=list(lot_du_bassin))
        .exclude(pk__in=list(sim.ouvertes))
        .select_related("commune__bassin_emploi")
        .order_by("pk")
    )
    rng.shuffle(personnes)
    personnes = personnes[:volume]
    if m.clos:
        debut, fin = m.debut + datetime.timedelta(days=14), m.fin - datetime.timedelta(days=20)
        dates = [_jour(rng, debut, fin) for _ in personnes]
    else:
        # Marché en cours : un flux continu depuis son début, plus dense les dernières semaines.
        fin = min(m.fin, sim.aujourdhui)
        dates = [
            _jour(rng, max(m.debut, fin - datetime.timedelta(days=30)), fin)
            if rng.random() < 0.25
            else _jour(rng, m.debut, fin)
            for _ in personnes
        ]
    # Les propositions dans l'ordre du temps : la capacité se remplit comme elle le ferait au fil des jours.
    dossiers = []
    for date, b in sorted(zip(dates, personnes, strict=True), key=lambda x: (x[0], x[1].pk)):
        bassin = b.commune.bassin_emploi
        d = sim.orienter(
            personne=b,
            lot=lot_du_bassin[bassin.pk],
            prescripteur=prescripteurs.get(bassin.nom, par_defaut),
            date=date,
            clos=m.clos,
        )
        if d is not None:
            dossiers.append(d)
    _ecrire(dossiers, sim)
    return dossiers


@generateur(ordre=50)
def placement(*, echelle, graine, sortie):
    crees = services.comptes_prestataires_demo_rattacher()
    sortie(f"Placement : comptes prestataires rattachés ({compte(crees, 'créé')}).")
    marches = [(m, _marche_et_lots(m, sortie)) for m in MARCHES]
    if not Beneficiaire.objects.exists():
        sortie("Placement : aucun bénéficiaire en base, aucune orientation créée.")
        return
    par_defaut = User.objects.filter(role=Role.ADMINISTRATEUR).order_by("pk").first()
    if par_defaut is None:
        sortie("Placement : aucun compte administrateur, aucune orientation créée.")
        return
    demo = bassins_demo()
    prescripteurs = {
        demo[bassin].nom: User.objects.filter(username=identifiant).first() or par_defaut
        for bassin, identifiant in PRESCRIPTEURS.items()
        if bassin in demo
    }
    prestataires = {
        s.pk: User.objects.filter(role=Role.PRESTATAIRE, structure=s).order_by("pk").first() or par_defaut
        for s in Structure.objects.filter(type=Structure.Type.PRESTATAIRE)
    }
    employeurs = list(
        Structure.objects.exclude(type__in=[Structure.Type.PRESTATAIRE, Structure.Type.PARTENAIRE]).order_by("pk")
    )
    verificateur = User.objects.filter(role=Role.PILOTAGE, is_active=True).order_by("pk").first() or par_defaut
    aujourdhui = timezone.localdate()
    for m, marche in marches:
        deja = Orientation.objects.filter(lot__marche=marche).count()
        if deja:
            sortie(f"Placement : marché {m.reference}, {compte(deja, 'orientation déjà présente')}.")
            continue
        # Une graine par marché : le flux de l'un ne dépend pas de l'existence de l'autre.
        rng = random.Random(f"{graine}-{m.reference}")
        sim = Simulation(
            rng=rng,
            aujourdhui=aujourdhui,
            employeurs=employeurs,
            prestataires=prestataires,
            par_defaut=par_defaut,
            verificateur=verificateur,
        )
        with transaction.atomic():
            _flux(
                m=m,
                marche=marche,
                sim=sim,
                volume=VOLUME[m.reference].get(echelle, VOLUME[m.reference]["petite"]),
                prescripteurs=prescripteurs,
                par_defaut=par_defaut,
            )
        c = sim.compte
        sortie(
            f"Placement : marché {m.reference}, {compte(c['orientations'], 'orientation')}, "
            f"{compte(c['refus'], 'refus')}, {compte(c['entrees'], 'entrée')} en accompagnement, "
            f"{compte(c['sorties'], 'sortie')}, {nombre(c['sans_reponse'])} sans réponse "
            f"(signalées après {ATTENTE_MAX_JOURS} jours)."
        )
