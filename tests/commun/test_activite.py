"""« Mon activité » : chaque rubrique montre ce qu'elle doit (et rien d'autre), dans le périmètre de l'utilisateur,
les plus anciennes d'abord ; la page d'accueil coûte un nombre de requêtes qui ne croît pas avec les données."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from beneficiaires.models import Beneficiaire, Evaluation, StatutParcours
from commun.activite import activite_pour
from contrats.models import MotifRupture, Statut
from mobilite.models import StatutLocation
from placement.models import Lot, MaintienEmploi, Orientation, ResultatPaye, Sortie, StatutResultat, TypeSortie
from tests.beneficiaires.factories import BeneficiaireFactory, EvaluationFactory
from tests.comptes.factories import UserFactory
from tests.contrats.factories import ContratAideFactory, EnveloppeFactory
from tests.forums.factories import ForumFactory, ParticipationFactory
from tests.mobilite.factories import LocationFactory, MaintenanceFactory, VehiculeFactory
from tests.placement.factories import LotFactory
from tests.referentiel.factories import StructureFactory

JOUR = timezone.localdate()


def jours(n):
    return JOUR + datetime.timedelta(days=n)


def rubrique(user, cle):
    elements = {e.cle: e for e in activite_pour(user, JOUR)}
    return elements[cle]


def textes(element):
    return [ligne.texte for ligne in element.lignes]


def personne(bassin, **champs):
    return BeneficiaireFactory(commune=bassin.commune_test, **champs)


@pytest.fixture
def orleans(bassins):
    return bassins["Orléans"]


@pytest.fixture
def gien(bassins):
    return bassins["Gien"]


def test_personnes_a_evaluer(referent, orleans, gien):
    ancienne = personne(orleans, nom="Ancienne", date_orientation=jours(-45))
    recente = personne(orleans, nom="Recente", date_orientation=jours(-3))
    personne(orleans, nom="Evaluee", date_orientation=jours(-60), statut_parcours=StatutParcours.EN_PARCOURS)
    personne(gien, nom="Autrebassin", date_orientation=jours(-90))
    element = rubrique(referent, "personnes_a_evaluer")
    assert element.nombre == 2 and element.urgents == 1
    assert textes(element) == [str(ancienne), str(recente)]  # la plus ancienne orientation d'abord
    assert element.lignes[0].urgent and not element.lignes[1].urgent  # au-delà de 30 jours : en rouge


def test_evaluations_de_la_semaine(referent, orleans, gien):
    lundi = JOUR - datetime.timedelta(days=JOUR.weekday())
    cette_semaine = EvaluationFactory(beneficiaire=personne(orleans), date=lundi, prevue=True, evaluateur=referent)
    EvaluationFactory(beneficiaire=personne(orleans), date=lundi + datetime.timedelta(days=7), prevue=True)
    EvaluationFactory(beneficiaire=personne(orleans), date=lundi, statut=Evaluation.Statut.REALISEE)
    EvaluationFactory(beneficiaire=personne(gien), date=lundi, prevue=True)
    element = rubrique(referent, "evaluations_semaine")
    assert textes(element) == [str(cette_semaine.beneficiaire)]


def _orientation(beneficiaire, lot, prescripteur, jours_avant, statut=Orientation.Statut.PROPOSEE, **champs):
    return Orientation.objects.create(
        beneficiaire=beneficiaire,
        lot=lot,
        prescripteur=prescripteur,
        statut=statut,
        date_proposition=jours(-jours_avant),
        **champs,
    )


def test_orientations_sans_reponse_apres_15_jours(referent, orleans, gien):
    lot = LotFactory(bassins=[orleans, gien])
    vieille = _orientation(personne(orleans, nom="Vieille"), lot, referent, 20)
    _orientation(personne(orleans, nom="Jeune"), lot, referent, 10)
    _orientation(personne(orleans, nom="Acceptee"), lot, referent, 30, Orientation.Statut.ACCEPTEE, date_reponse=JOUR)
    _orientation(personne(gien, nom="Gien"), lot, referent, 40)
    assert textes(rubrique(referent, "orientations_sans_reponse")) == [f"{vieille.beneficiaire} — {lot.prestataire}"]


def test_contrats_a_renouveler(referent, orleans, gien):
    bientot = ContratAideFactory(beneficiaire=personne(orleans), signe=True, date_debut=jours(-300), date_fin=jours(40))
    ContratAideFactory(beneficiaire=personne(orleans), signe=True, date_debut=jours(-300), date_fin=jours(90))
    ContratAideFactory(beneficiaire=personne(orleans), date_debut=jours(-300), date_fin=jours(20))  # brouillon
    ContratAideFactory(
        beneficiaire=personne(orleans), signe=True, date_debut=jours(-300), date_fin=jours(20), statut=Statut.ROMPU,
        date_rupture=jours(-5), motif_rupture=MotifRupture.ACCORD_COMMUN,
    )  # fmt: skip
    ContratAideFactory(beneficiaire=personne(gien), signe=True, date_debut=jours(-300), date_fin=jours(10))
    element = rubrique(referent, "contrats_a_renouveler")
    assert element.nombre == 1 and element.lignes[0].url == bientot.get_absolute_url()


def test_personnes_sans_referent(referent, orleans, gien):
    seule = personne(orleans, nom="Seule")
    personne(orleans, nom="Suivie", referent=referent)
    personne(orleans, nom="Archivee", statut_parcours=StatutParcours.ARCHIVE)
    personne(gien, nom="Gien")
    assert textes(rubrique(referent, "sans_referent")) == [str(seule)]


def test_invitations_sans_reponse(referent, orleans, gien):
    forum = ForumFactory(date=jours(20))
    invitee = ParticipationFactory(forum=forum, beneficiaire=personne(orleans), invite=True)
    ParticipationFactory(forum=forum, beneficiaire=personne(orleans))  # inscrite : elle a répondu
    ParticipationFactory(forum=ForumFactory(date=jours(-5)), beneficiaire=personne(orleans), invite=True)  # passé
    ParticipationFactory(forum=forum, beneficiaire=personne(gien), invite=True)
    assert textes(rubrique(referent, "invitations_sans_reponse")) == [f"{invitee.beneficiaire} — {forum.titre}"]


def test_locations_de_ses_personnes(referent, orleans, gien):
    en_retard = LocationFactory(beneficiaire=personne(orleans), debut=jours(-10), fin=jours(-2), en_cours=True)
    demain = LocationFactory(beneficiaire=personne(orleans), debut=jours(-5), fin=jours(1), en_cours=True)
    LocationFactory(beneficiaire=personne(orleans), debut=jours(-5), fin=jours(10), en_cours=True)
    LocationFactory(beneficiaire=personne(gien), debut=jours(-10), fin=jours(-2), en_cours=True)
    element = rubrique(referent, "locations_referent")
    assert [ligne.url for ligne in element.lignes] == [en_retard.get_absolute_url(), demain.get_absolute_url()]
    assert element.urgents == 1 and element.lignes[0].urgent


@pytest.fixture
def prestataire_et_lot(orleans):
    structure = StructureFactory(prestataire=True)
    return UserFactory(prestataire=True, structure=structure), LotFactory(prestataire=structure, bassins=[orleans])


def test_prestataire_orientations_a_repondre_et_entrees(prestataire_et_lot, referent, orleans, gien):
    prestataire, lot = prestataire_et_lot
    autre_lot = LotFactory(bassins=[gien])  # un seul lot par bassin à une date donnée
    proposee = _orientation(personne(orleans), lot, referent, 3)
    acceptee = _orientation(personne(orleans), lot, referent, 9, Orientation.Statut.ACCEPTEE, date_reponse=jours(-2))
    _orientation(personne(orleans), autre_lot, referent, 3)  # un autre prestataire
    _orientation(personne(orleans), autre_lot, referent, 9, Orientation.Statut.ACCEPTEE, date_reponse=jours(-2))
    assert [ligne.url for ligne in rubrique(prestataire, "orientations_a_repondre").lignes] == [
        proposee.get_absolute_url()
    ]
    assert [ligne.url for ligne in rubrique(prestataire, "entrees_a_declarer").lignes] == [acceptee.get_absolute_url()]


def test_prestataire_suivis_dans_l_emploi(prestataire_et_lot, referent, orleans, gien):
    prestataire, lot = prestataire_et_lot
    autre_lot = LotFactory(bassins=[gien])  # un seul lot par bassin à une date donnée

    def sortie(lot_, jours_avant, type_=TypeSortie.CDI):
        o = _orientation(
            personne(orleans),
            lot_,
            referent,
            400,
            Orientation.Statut.SORTIE,
            date_reponse=jours(-399),
            date_entree=jours(-398),
            date_sortie=jours(-jours_avant),
        )
        return Sortie.objects.create(
            orientation=o, type=type_, date=jours(-jours_avant), positive=True, auteur=prestataire,
            employeur_nom="Entreprise",
        )  # fmt: skip

    due_a_3_mois = sortie(lot, 100)
    MaintienEmploi.objects.create(
        sortie=due_a_3_mois, echeance=1, date_constat=jours(-60), en_emploi=True, auteur=prestataire
    )
    a_jour = sortie(lot, 40)
    MaintienEmploi.objects.create(sortie=a_jour, echeance=1, date_constat=jours(-5), en_emploi=True, auteur=prestataire)
    sortie(lot, 10)  # pas encore d'échéance
    sortie(lot, 100, TypeSortie.FORMATION)  # pas un emploi
    sortie(autre_lot, 100)  # un autre prestataire
    element = rubrique(prestataire, "suivis_emploi")
    assert element.nombre == 1 and "suivi à 3 mois" in element.lignes[0].precision


def test_agent_mobilite(agent_mobilite, orleans):
    depart = LocationFactory(beneficiaire=personne(orleans), debut=JOUR, fin=jours(3))
    LocationFactory(beneficiaire=personne(orleans), debut=jours(2), fin=jours(5))
    LocationFactory(beneficiaire=personne(orleans), debut=JOUR, fin=jours(3), statut=StatutLocation.ANNULEE)
    retour = LocationFactory(beneficiaire=personne(orleans), debut=jours(-3), fin=JOUR, en_cours=True)
    retard = LocationFactory(beneficiaire=personne(orleans), debut=jours(-9), fin=jours(-1), en_cours=True)
    LocationFactory(beneficiaire=personne(orleans), debut=jours(-9), fin=jours(-1), restituee=True)
    assert [ligne.url for ligne in rubrique(agent_mobilite, "departs_du_jour").lignes] == [depart.get_absolute_url()]
    assert [ligne.url for ligne in rubrique(agent_mobilite, "retours_du_jour").lignes] == [retour.get_absolute_url()]
    assert [ligne.url for ligne in rubrique(agent_mobilite, "retours_en_retard").lignes] == [retard.get_absolute_url()]


def test_agent_mobilite_flotte(agent_mobilite):
    revision = MaintenanceFactory(debut=jours(3), fin=jours(4))
    MaintenanceFactory(debut=jours(30), fin=jours(31))
    MaintenanceFactory(debut=jours(-10), fin=jours(-8))
    vieux = VehiculeFactory(date_premiere_immatriculation=JOUR.replace(year=JOUR.year - 13))
    use = VehiculeFactory(kilometrage=210_000)
    VehiculeFactory(date_premiere_immatriculation=JOUR.replace(year=JOUR.year - 3))
    VehiculeFactory(kilometrage=250_000, statut="declasse", date_declassement=JOUR)
    assert [ligne.texte for ligne in rubrique(agent_mobilite, "maintenances_dues").lignes] == [str(revision.vehicule)]
    assert textes(rubrique(agent_mobilite, "vehicules_a_declasser")) == [str(vieux), str(use)]


def test_pilotage_enveloppe_et_lots(pilotage, referent, orleans, gien):
    EnveloppeFactory(annee=JOUR.year, nombre_contrats=10, budget=Decimal("100000"))
    for _ in range(8):
        ContratAideFactory(beneficiaire=personne(orleans), signe=True, date_debut=JOUR, date_fin=jours(300))
    assert rubrique(pilotage, "enveloppe_90").nombre == 0  # 80 %
    ContratAideFactory(beneficiaire=personne(orleans), signe=True, date_debut=JOUR, date_fin=jours(300))
    assert rubrique(pilotage, "enveloppe_90").nombre == 1  # 90 %

    plein = LotFactory(bassins=[orleans], capacite=2, date_debut=jours(-30), date_fin=jours(300))
    LotFactory(bassins=[gien], capacite=10, date_debut=jours(-30), date_fin=jours(300))
    for _ in range(2):
        _orientation(personne(orleans), plein, referent, 5, Orientation.Statut.ACCEPTEE, date_reponse=JOUR)
    element = rubrique(pilotage, "lots_90")
    assert element.nombre == 1 and element.urgents == 0 and element.lignes[0].urgent


def test_pilotage_enveloppe_et_lots_accordes(pilotage, referent, orleans):
    # « 1 contrat signé sur 1 prévu », « 9 contrats signés sur 10 prévus » ; « 1 place », « 2 places » : pas de « (s) ».
    EnveloppeFactory(annee=JOUR.year, nombre_contrats=1, budget=Decimal("10000"))
    ContratAideFactory(beneficiaire=personne(orleans), signe=True, date_debut=JOUR, date_fin=jours(300))
    assert rubrique(pilotage, "enveloppe_90").lignes[0].precision == "1 contrat signé sur 1 prévu (100 %)"
    seul = LotFactory(bassins=[orleans], capacite=1, date_debut=jours(-30), date_fin=jours(300))
    _orientation(personne(orleans), seul, referent, 5, Orientation.Statut.ACCEPTEE, date_reponse=JOUR)
    assert rubrique(pilotage, "lots_90").lignes[0].precision == "1 place sur 1 (100 %)"


def test_pilotage_enveloppe_au_pluriel(pilotage, orleans):
    EnveloppeFactory(annee=JOUR.year, nombre_contrats=10, budget=Decimal("100000"))
    for _ in range(9):
        ContratAideFactory(beneficiaire=personne(orleans), signe=True, date_debut=JOUR, date_fin=jours(300))
    assert rubrique(pilotage, "enveloppe_90").lignes[0].precision == "9 contrats signés sur 10 prévus (90 %)"


def _resultat(orientation, statut=StatutResultat.DECLARE, declare_il_y_a=0, nature=ResultatPaye.Nature.ENTREE):
    decision = {} if statut == StatutResultat.DECLARE else {"date_decision": timezone.now()}
    motif = {"motif_rejet": "Justificatif illisible."} if statut == StatutResultat.REJETE else {}
    r = ResultatPaye.objects.create(
        orientation=orientation, lot=orientation.lot, nature=nature, date=orientation.date_proposition,
        prix_unitaire=Decimal("400.00"), statut=statut, justificatif="justificatifs/contrat.pdf", **decision, **motif,
    )  # fmt: skip
    ResultatPaye.objects.filter(pk=r.pk).update(date_creation=timezone.now() - datetime.timedelta(days=declare_il_y_a))
    return r


def _orientation_entree(bassin, lot, referent):
    return _orientation(
        personne(bassin), lot, referent, 30, Orientation.Statut.EN_ACCOMPAGNEMENT,
        date_reponse=jours(-28), date_entree=jours(-25),
    )  # fmt: skip


def test_pilotage_resultats_a_valider(pilotage, admin_user, referent, prestataire_et_lot, orleans, gien):
    prestataire, lot = prestataire_et_lot
    lot_gien = LotFactory(bassins=[gien])
    recent = _resultat(_orientation_entree(orleans, lot, referent), declare_il_y_a=2)
    ancien = _resultat(_orientation_entree(gien, lot_gien, referent), declare_il_y_a=20)
    _resultat(_orientation_entree(orleans, lot, referent), StatutResultat.VALIDE, declare_il_y_a=40)
    _resultat(_orientation_entree(orleans, lot, referent), StatutResultat.REJETE, declare_il_y_a=50)
    for user in (pilotage, admin_user):
        element = rubrique(user, "resultats_a_valider")
        assert element.nombre == 2
        # La plus ancienne déclaration d'abord ; chaque ligne mène à la page où l'on valide ou rejette.
        assert [ligne.url for ligne in element.lignes] == [ancien.get_absolute_url(), recent.get_absolute_url()]
        attendu = f"{ancien.orientation.beneficiaire} — Entrée en accompagnement ({lot_gien.prestataire})"
        assert element.lignes[0].texte == attendu
        assert element.url == reverse("placement:etat") + "?statut=declare"
    # Ni le référent ni le prestataire (qui déclare) n'ont cette rubrique : la validation est celle du Département.
    for user in (referent, prestataire):
        assert "resultats_a_valider" not in {e.cle for e in activite_pour(user, JOUR)}


def test_pilotage_personnes_a_rattacher(pilotage, admin_user, referent, orleans):
    ancienne = BeneficiaireFactory(commune=None, adresse_brute="3 rue Inconnue 45999 Nullepart")
    recente = BeneficiaireFactory(commune=None, adresse_brute="")
    Beneficiaire.objects.filter(pk=ancienne.pk).update(date_creation=timezone.now() - datetime.timedelta(days=9))
    BeneficiaireFactory(commune=None, statut_parcours=StatutParcours.ARCHIVE)  # archivée : plus à rattacher
    personne(orleans)  # rattachée à une commune
    for user in (pilotage, admin_user):
        element = rubrique(user, "personnes_a_rattacher")
        assert element.nombre == 2 and textes(element) == [str(ancienne), str(recente)]  # les plus anciennes d'abord
        assert element.lignes[0].url == reverse("beneficiaires:rattacher", args=[ancienne.pk])
        assert element.lignes[0].precision == "adresse à vérifier : « 3 rue Inconnue 45999 Nullepart »"
        assert element.url == reverse("beneficiaires:a_rattacher")
    assert "personnes_a_rattacher" not in {e.cle for e in activite_pour(referent, JOUR)}


def test_la_page_d_accueil_montre_les_rubriques_de_pilotage(client, pilotage):
    BeneficiaireFactory(commune=None, adresse_brute="Lieu-dit inconnu")
    client.force_login(pilotage)
    page = client.get(reverse("accueil")).content.decode()
    assert "Personnes à rattacher à une commune" in page and "Résultats déclarés en attente de validation" in page
    assert f'href="{reverse("beneficiaires:a_rattacher")}"' in page  # « Tout voir »


def test_chaque_role_ne_voit_que_ses_rubriques(referent, agent_mobilite, pilotage, prestataire_et_lot):
    cles = {u: {e.cle for e in activite_pour(u, JOUR)} for u in (referent, agent_mobilite, pilotage)}
    assert "personnes_a_evaluer" in cles[referent] and "departs_du_jour" not in cles[referent]
    assert "departs_du_jour" in cles[agent_mobilite] and "personnes_a_evaluer" not in cles[agent_mobilite]
    assert cles[pilotage] == {"enveloppe_90", "lots_90", "resultats_a_valider", "personnes_a_rattacher"}
    prestataire = prestataire_et_lot[0]
    assert {e.cle for e in activite_pour(prestataire, JOUR)} == {
        "orientations_a_repondre",
        "suivis_emploi",
        "entrees_a_declarer",
    }


def _peupler(n, orleans, referent):
    # Un seul lot par bassin à une date donnée : celui du prestataire s'il existe déjà.
    lot = Lot.objects.filter(bassins=orleans).first() or LotFactory(bassins=[orleans])
    forum = ForumFactory(date=jours(20))
    for i in range(n):
        b = personne(orleans, date_orientation=jours(-i))
        _orientation(b, lot, referent, 20 + i)
        ParticipationFactory(forum=forum, beneficiaire=b, invite=True)
        ContratAideFactory(beneficiaire=b, signe=True, date_debut=jours(-100), date_fin=jours(10 + i))
        LocationFactory(beneficiaire=b, debut=jours(-9), fin=jours(-1), en_cours=True)
        _resultat(_orientation_entree(orleans, lot, referent), declare_il_y_a=i)
        BeneficiaireFactory(commune=None, adresse_brute=f"{i} rue inconnue")


@pytest.mark.parametrize("role", ["referent", "agent_mobilite", "pilotage"])
def test_requetes_constantes(role, client, request, orleans, referent, django_assert_max_num_queries):
    user = request.getfixturevalue(role)
    client.force_login(user)
    _peupler(2, orleans, referent)
    with django_assert_max_num_queries(40) as peu:
        assert client.get(reverse("accueil")).status_code == 200
    _peupler(25, orleans, referent)
    with django_assert_max_num_queries(len(peu.captured_queries)):
        reponse = client.get(reverse("accueil"))
    assert reponse.status_code == 200 and "Mon activité" in reponse.content.decode()


def test_l_administrateur_a_sa_propre_file(admin_user):
    assert {e.cle for e in activite_pour(admin_user, JOUR)} == {
        "enveloppe_90",
        "lots_90",
        "resultats_a_valider",
        "personnes_a_rattacher",
    }
