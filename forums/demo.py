"""Forums de démonstration : le forum des métiers de la propreté (bassin de Montargis, tenu : une centaine de
participants, 20 exposants, 60 postes, entretiens et embauches) et quelques autres, dont un à venir aux
inscriptions ouvertes. Tout passe par les services. Idempotent : un forum déjà présent (même titre) est laissé
tel quel. Sans bénéficiaires (démo du registre absente), les forums sont créés sans participants."""

import datetime
import random
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from beneficiaires.models import Beneficiaire
from commun.francais import compte
from comptes.models import Role, User
from referentiel.demo import lieux_demo, nom_structure_demo, siret_fictif
from referentiel.models import Structure
from referentiel.registre_demo import generateur

from . import services
from .models import Forum, Participation, Secteur, TypeContrat

PARIS = ZoneInfo("Europe/Paris")
T = Structure.Type
# Secteur marchand ou non de l'employeur (à ne pas confondre avec `Secteur`, le secteur d'activité d'un forum).
SecteurEmployeur = Structure.Secteur

# Employeurs de la propreté et des services (noms fictifs), créés s'ils manquent : (nom, type, commune).
EMPLOYEURS = [
    ("Gâtinais Nettoyage Services", T.ENTREPRISE, "Montargis"),
    ("Net'Loing Propreté", T.ENTREPRISE, "Amilly"),
    ("Clair Net Services", T.ENTREPRISE, "Montargis"),
    ("Brillance Multiservices", T.ENTREPRISE, "Châlette-sur-Loing"),
    ("Propreté du Montargois", T.ENTREPRISE, "Montargis"),
    ("Hygiène et Services à Domicile", T.ENTREPRISE, "Orléans"),
    ("Vitres et Façades du Centre", T.ENTREPRISE, "Amilly"),
    ("Intérim Loing Emploi", T.ENTREPRISE, "Montargis"),
    ("Entretien Santé Gâtinais", T.ENTREPRISE, "Montargis"),
    ("Domicile Services Montargis", T.ENTREPRISE, "Montargis"),
    ("Atelier chantier d'insertion Loing Nature", T.ASSOCIATION, "Châlette-sur-Loing"),
    ("Association Montargoise d'Aide à Domicile", T.ASSOCIATION, "Montargis"),
    ("Centre hospitalier de l'Agglomération Montargoise", T.PUBLIC, "Amilly"),
    ("Aide à Domicile Orléanaise", T.ASSOCIATION, "Orléans"),
    ("Logistique Beauce Services", T.ENTREPRISE, "Pithiviers"),
    ("Bâtisseurs du Giennois", T.ENTREPRISE, "Gien"),
]
# Employeurs du forum de la propreté (20), dont des employeurs non marchands (contrats aidés possibles).
EXPOSANTS_PROPRETE = [
    "Gâtinais Nettoyage Services",
    "Net'Loing Propreté",
    "Clair Net Services",
    "Brillance Multiservices",
    "Propreté du Montargois",
    "Hygiène et Services à Domicile",
    "Vitres et Façades du Centre",
    "Intérim Loing Emploi",
    "Entretien Santé Gâtinais",
    "Domicile Services Montargis",
    "Nettoyage Industriel du Loing",
    "Propreté Services Centre",
    "Atelier chantier d'insertion Loing Nature",
    "Association Montargoise d'Aide à Domicile",
    "Centre hospitalier de l'Agglomération Montargoise",
    "Centre communal d'action sociale de Montargis",
    "Agglomération Montargoise",
    "Commune de Montargis",
    "Commune d'Amilly",
    "Commune de Châlette-sur-Loing",
]
POSTES_PROPRETE = [
    "Agent de propreté",
    "Agent d'entretien des locaux",
    "Laveur de vitres",
    "Agent de service hospitalier",
    "Agent de nettoyage industriel",
    "Chef d'équipe propreté",
    "Employé polyvalent d'entretien",
]
TITRE_PROPRETE = "Forum des métiers de la propreté"


def _employeurs(rng):
    """Crée les employeurs manquants (SIRET fictifs valides) ; rend {nom: Structure}."""
    noms = {nom for nom, _, _ in EMPLOYEURS}
    existants = set(Structure.objects.filter(nom__in=noms).values_list("nom", flat=True))
    communes = lieux_demo()
    sirets = set(Structure.objects.exclude(siret="").values_list("siret", flat=True))
    nouvelles = []
    for nom, type_, commune in EMPLOYEURS:
        if nom in existants:
            continue
        siret = siret_fictif(rng)
        while siret in sirets:
            siret = siret_fictif(rng)
        sirets.add(siret)
        secteur = SecteurEmployeur.MARCHAND if type_ == T.ENTREPRISE else SecteurEmployeur.NON_MARCHAND
        s = Structure(nom=nom, type=type_, secteur=secteur, siret=siret, commune=communes.get(commune))
        s.full_clean(validate_unique=False, validate_constraints=False)
        nouvelles.append(s)
    Structure.objects.bulk_create(nouvelles)
    return {s.nom: s for s in Structure.objects.all()}, len(nouvelles)


def _moment(jour, heure, minute=0):
    return datetime.datetime.combine(jour, datetime.time(heure, minute), tzinfo=PARIS)


def _repartir(total, n, rng):
    """n entiers >= 1 de somme total."""
    parts = [1] * n
    for _ in range(total - n):
        parts[rng.randrange(n)] += 1
    return parts


def _creer_forum(*, titre, secteur, jour, commune, capacite, par, description=""):
    return services.forum_creer(
        par=par,
        titre=titre,
        secteur=secteur,
        date=jour,
        heure_debut=datetime.time(9, 30),
        heure_fin=datetime.time(16, 30),
        adresse="Salle des fêtes, place de la Mairie"
        if commune.nom != "Montargis"
        else "Salle des fêtes, 8 rue du Port",
        commune=commune,
        capacite=capacite,
        description=description,
    )


def _exposants_et_offres(forum, noms, structures, postes_total, intitules, rng, par):
    exposants = []
    for i, nom in enumerate(noms):
        structure = structures.get(nom)
        if structure is None:
            continue
        exposants.append(
            services.exposant_ajouter(
                forum=forum,
                structure=structure,
                par=par,
                stand=f"{i + 1}",
                contact_nom=rng.choice(
                    ["Mme Martin", "M. Bernard", "Mme Petit", "M. Durand", "Mme Leroy", "M. Moreau"]
                ),
                contact_telephone=f"02 38 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            )
        )
    if not exposants:
        return []
    for exposant, postes in zip(exposants, _repartir(postes_total, len(exposants), rng), strict=True):
        non_marchand = exposant.structure.secteur == SecteurEmployeur.NON_MARCHAND
        types = (
            [TypeContrat.CONTRAT_AIDE, TypeContrat.CDD_LONG]
            if non_marchand
            else [
                TypeContrat.CDI,
                TypeContrat.CDD_LONG,
                TypeContrat.CDD_COURT,
                TypeContrat.INTERIM,
            ]
        )
        morceaux = [postes] if postes < 3 else [postes - postes // 2, postes // 2]
        for nombre in morceaux:
            services.offre_ajouter(
                exposant=exposant,
                intitule=rng.choice(intitules),
                type_contrat=rng.choice(types),
                nombre_postes=nombre,
                par=par,
            )
    return exposants


def _derouler(forum, personnes, *, invites, inscrits, excuses, presents, sur_place, embauches, exposants, rng, par):
    """Invitations, inscriptions (liste d'attente au-delà), excuses, pointage, venues sans inscription,
    entretiens et embauches, tous horodatés avant ou le jour du forum."""
    jour = forum.date
    a_inviter, reste = personnes[:invites], personnes[invites:]
    services.invitations_envoyer(
        forum=forum, beneficiaires=a_inviter, par=par, quand=_moment(jour - datetime.timedelta(days=30), 10)
    )
    if forum.statut == Forum.Statut.EN_PREPARATION:
        forum = services.forum_changer_statut(forum=forum, statut=Forum.Statut.INSCRIPTIONS_OUVERTES, par=par)
    for i, b in enumerate(a_inviter[:inscrits]):
        services.participation_inscrire(
            forum=forum, beneficiaire=b, par=par, quand=_moment(jour - datetime.timedelta(days=20 - i % 15), 11)
        )
    ps = list(Participation.objects.filter(forum=forum, statut=Participation.Statut.INSCRIT).order_by("pk"))
    for p in rng.sample(ps, min(excuses, len(ps))):
        services.participation_excuser(participation=p, par=par)
    if presents == 0:
        return forum
    ps = list(Participation.objects.filter(forum=forum, statut=Participation.Statut.INSCRIT).order_by("pk"))
    for i, p in enumerate(rng.sample(ps, min(presents, len(ps)))):
        services.participation_pointer(participation=p, par=par, jour=jour, quand=_moment(jour, 9, 30 + i % 29))
    for i, b in enumerate(reste[:sur_place]):
        try:
            services.participation_ajouter_sur_place(
                forum=forum, beneficiaire=b, par=par, jour=jour, quand=_moment(jour, 11, i % 59)
            )
        except services.ValidationError:
            break  # forum complet
    forum = services.forum_changer_statut(forum=forum, statut=Forum.Statut.TENU, par=par, jour=jour)
    presentes = list(
        Participation.objects.filter(forum=forum, statut=Participation.Statut.PRESENT).select_related("beneficiaire")
    )
    recus = {e.pk: [] for e in exposants}
    for p in presentes:
        for e in rng.sample(exposants, rng.choice([0, 1, 1, 2, 2, 3])):
            recus[e.pk].append(p)
    for e in exposants:
        services.entretien_enregistrer(exposant=e, participations=recus[e.pk], par=par, jour=jour)
    candidats = [(e, p) for e in exposants for p in recus[e.pk]]
    rng.shuffle(candidats)
    embauchees = set()
    for e, p in candidats:
        if len(embauchees) >= embauches:
            break
        if p.pk in embauchees:
            continue
        non_marchand = e.structure.secteur == SecteurEmployeur.NON_MARCHAND
        type_contrat = rng.choice(
            [TypeContrat.CONTRAT_AIDE, TypeContrat.CDD_LONG]
            if non_marchand
            else [TypeContrat.CDI, TypeContrat.CDD_LONG, TypeContrat.CDD_COURT, TypeContrat.INTERIM]
        )
        services.embauche_enregistrer(
            participation=p,
            exposant=e,
            type_contrat=type_contrat,
            date_debut=jour + datetime.timedelta(days=rng.randint(7, 45)),
            par=par,
            jour=jour,
        )
        embauchees.add(p.pk)
    return forum


def _personnes(bassin, rng, limite=600):
    """Les personnes du bassin du forum d'abord, puis (petite échelle) celles des autres bassins."""
    qs = Beneficiaire.objects.actifs().order_by("pk")
    locales = list(qs.filter(commune__bassin_emploi__nom=bassin)[:limite])
    autres = list(qs.exclude(commune__bassin_emploi__nom=bassin)[:limite])
    rng.shuffle(locales)
    rng.shuffle(autres)
    return locales + autres


@generateur(ordre=70)
def forums(*, echelle, graine, sortie):
    rng = random.Random(graine + 70)
    par = (
        User.objects.filter(username="admin").first()
        or User.objects.filter(role=Role.ADMINISTRATEUR).order_by("pk").first()
        or User.objects.filter(is_superuser=True).order_by("pk").first()
    )
    if par is None:
        sortie("Forums : aucun compte administrateur, rien à créer (lancer d'abord la démo des comptes).")
        return
    lieux = lieux_demo()
    communes = {nom: lieux[nom] for nom in ("Montargis", "Orléans", "Pithiviers", "Gien") if nom in lieux}
    if len(communes) < 4:
        sortie("Forums : communes absentes (lancer d'abord la démo du référentiel).")
        return
    structures, nouvelles = _employeurs(rng)
    existants = set(Forum.objects.values_list("titre", flat=True))
    aujourd_hui = timezone.localdate()
    plan = [
        # titre, secteur, date, commune, capacité, exposants, postes, intitulés, déroulé
        (
            TITRE_PROPRETE,
            Secteur.PROPRETE,
            datetime.date(2018, 3, 15),
            "Montargis",
            110,
            EXPOSANTS_PROPRETE,
            60,
            POSTES_PROPRETE,
            dict(invites=170, inscrits=114, excuses=9, presents=93, sur_place=5, embauches=17),
        ),
        (
            "Forum de l'aide à la personne",
            Secteur.AIDE_PERSONNE,
            datetime.date(2018, 6, 14),
            "Orléans",
            80,
            [
                "Aide à Domicile Orléanaise",
                "Domicile Services Montargis",
                "Restos et Partage Orléanais",
                "Régie de quartier Orléans Sud",
                "Commune d'Orléans",
                "Commune d'Olivet",
                "EHPAD public Les Tilleuls",
                "Association Loire Entraide",
            ],
            35,
            ["Auxiliaire de vie", "Aide à domicile", "Agent de service en EHPAD", "Accompagnant éducatif et social"],
            dict(invites=110, inscrits=75, excuses=6, presents=58, sur_place=6, embauches=9),
        ),
        (
            "Forum transport et logistique",
            Secteur.LOGISTIQUE,
            datetime.date(2018, 10, 11),
            "Pithiviers",
            50,
            ["Logistique Val de Loire", "Logistique Beauce Services", "Intérim Loing Emploi", "Commune de Pithiviers"],
            24,
            ["Préparateur de commandes", "Cariste", "Agent de quai", "Chauffeur livreur"],
            dict(invites=70, inscrits=48, excuses=4, presents=36, sur_place=3, embauches=5),
        ),
        (
            "Forum des métiers du bâtiment",
            Secteur.BTP,
            aujourd_hui + datetime.timedelta(days=21),
            "Gien",
            40,
            ["Bâtisseurs du Giennois", "Commune de Gien", "Commune de Briare", "Les Jardins du Giennois"],
            18,
            ["Maçon", "Manœuvre", "Peintre en bâtiment", "Agent d'entretien des espaces verts"],
            dict(invites=60, inscrits=45, excuses=3, presents=0, sur_place=0, embauches=0),
        ),
        (
            "Forum hôtellerie et restauration",
            Secteur.HOTELLERIE,
            aujourd_hui + datetime.timedelta(days=75),
            "Orléans",
            120,
            ["Restos et Partage Orléanais", "Commune de Fleury-les-Aubrais", "Propreté Services Centre"],
            15,
            ["Commis de cuisine", "Plongeur", "Serveur", "Agent d'entretien"],
            None,
        ),
    ]
    crees, participants = 0, 0
    for titre, secteur, jour, commune, capacite, noms, postes, intitules, deroule in plan:
        if titre in existants:
            continue
        with transaction.atomic():
            forum = _creer_forum(
                titre=titre, secteur=secteur, jour=jour, commune=communes[commune], capacite=capacite, par=par
            )
            noms = [nom_structure_demo(nom, lieux) for nom in noms]
            exposants = _exposants_et_offres(forum, noms, structures, postes, intitules, rng, par)
            if deroule is not None:
                personnes = _personnes(communes[commune].bassin_emploi.nom, rng)
                if personnes:
                    forum = _derouler(forum, personnes, exposants=exposants, rng=rng, par=par, **deroule)
                elif deroule["presents"] == 0:
                    services.forum_changer_statut(forum=forum, statut=Forum.Statut.INSCRIPTIONS_OUVERTES, par=par)
                else:
                    services.forum_changer_statut(forum=forum, statut=Forum.Statut.INSCRIPTIONS_OUVERTES, par=par)
                    services.forum_changer_statut(forum=forum, statut=Forum.Statut.TENU, par=par, jour=jour)
            participants += forum.participations.count()
        crees += 1
    sans = "" if Beneficiaire.objects.exists() else " (aucun bénéficiaire : forums sans participants)"
    sortie(
        f"Forums : {compte(crees, 'créé')}, {compte(len(plan) - crees, 'déjà présent')}, "
        f"{compte(participants, 'participation')}, {compte(nouvelles, 'employeur ajouté')}{sans}."
    )


@generateur(ordre=71)
def relances_invitations(*, echelle, graine, sortie):
    """La tâche du matin, jouée une fois : relance unique des invitations restées sans réponse."""
    from .taches import relancer_invitations

    relancer_invitations()
    sortie("Forums : invitations sans réponse relancées une fois (tâche forums.relancer_invitations).")
