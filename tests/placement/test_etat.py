"""L'état des résultats : quantité x prix unitaire = montant, par prestataire et par période ; export ; admin."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from commun.francais import euros
from placement import services
from placement.models import ResultatPaye, TypeSortie
from tests.placement.outils import J0, constater_resultats, jusqu_a_entree, personne_de

pytestmark = pytest.mark.django_db

J = datetime.timedelta(days=1)
FIN_SORTIE = J0 + 40 * J
CONSTAT_6_MOIS = datetime.date(2018, 10, 15)


@pytest.fixture
def resultats(bassins, referent, referent_gien, lot_orleans, lot_gien, agent_a, agent_b, pilotage):
    """Prestataire A (Orléans, 400 / 1 200 / 800 €) : 3 entrées, 2 sorties positives, 1 maintien à 6 mois, soit
    3 x 400 + 2 x 1 200 + 1 x 800 = 4 400 €. Prestataire B (Gien, 300 €) : 1 entrée, 1 abandon, soit 300 €.
    Chaque résultat est déclaré avec son justificatif et validé par le pilotage (service fait)."""
    lot_gien.prix_entree = Decimal("300.00")
    lot_gien.save()
    a1, a2, a3 = (jusqu_a_entree(personne_de(bassins["Orléans"]), referent, agent_a) for _ in range(3))
    s1 = services.sortie_enregistrer(
        orientation=a1, par=agent_a, type=TypeSortie.CDI, date=FIN_SORTIE, employeur_nom="X"
    )
    services.sortie_enregistrer(orientation=a2, par=agent_a, type=TypeSortie.FORMATION, date=FIN_SORTIE)
    services.sortie_enregistrer(orientation=a3, par=agent_a, type=TypeSortie.ABANDON, date=FIN_SORTIE)
    services.maintien_en_emploi_enregistrer(
        sortie=s1, par=agent_a, echeance=6, en_emploi=True, date_constat=CONSTAT_6_MOIS
    )
    b1 = jusqu_a_entree(personne_de(bassins["Gien"]), referent_gien, agent_b)
    services.sortie_enregistrer(orientation=b1, par=agent_b, type=TypeSortie.ABANDON, date=FIN_SORTIE)
    for orientation, agent in ((a1, agent_a), (a2, agent_a), (a3, agent_a), (b1, agent_b)):
        constater_resultats(orientation, agent, pilotage)
    return {"a1": a1}


def test_synthese_quantite_fois_prix(resultats, prestataire_a):
    qs = ResultatPaye.objects.filter(lot__prestataire=prestataire_a)
    lignes = {(ligne["nature"], ligne["quantite"], ligne["prix_unitaire"], ligne["montant"]) for ligne in qs.synthese()}
    assert lignes == {
        ("entree", 3, Decimal("400.00"), Decimal("1200.00")),
        ("sortie_positive", 2, Decimal("1200.00"), Decimal("2400.00")),
        ("maintien_6_mois", 1, Decimal("800.00"), Decimal("800.00")),
    }
    assert qs.total() == Decimal("4400.00")
    assert ResultatPaye.objects.total() == Decimal("4700.00")
    assert ResultatPaye.objects.none().total() == Decimal("0")


def test_page_etat_par_prestataire_et_periode(client, resultats, admin_user, prestataire_a, prestataire_b):
    client.force_login(admin_user)
    url = reverse("placement:etat")
    assert client.get(url, {"prestataire": prestataire_a.pk}).context["total"] == Decimal("4400.00")
    assert client.get(url, {"prestataire": prestataire_b.pk}).context["total"] == Decimal("300.00")
    assert client.get(url).context["total"] == Decimal("4700.00")
    # La période exclut le maintien constaté en octobre.
    reponse = client.get(url, {"prestataire": prestataire_a.pk, "debut": "2018-01-01", "fin": "2018-06-30"})
    assert reponse.context["total"] == Decimal("3600.00")
    assert len(reponse.context["table"].rows) == 5
    contenu = reponse.content.decode()
    assert euros(Decimal("3600.00")) in contenu and "3\u202f600,00\xa0€" in contenu


def test_le_prestataire_ne_voit_que_son_etat(client, resultats, agent_a, prestataire_b):
    client.force_login(agent_a)
    url = reverse("placement:etat")
    assert client.get(url).context["total"] == Decimal("4400.00")
    assert client.get(url, {"prestataire": prestataire_b.pk}).status_code == 404


def test_export_csv_de_l_etat_par_le_prestataire(client, resultats, agent_a):
    client.force_login(agent_a)
    reponse = client.get(reverse("placement:etat") + "?_export=csv")
    assert reponse.status_code == 200
    # Relu comme Excel réglé en français : BOM UTF-8, point-virgule, virgule décimale, dates jj/mm/aaaa.
    assert reponse.content.startswith("\ufeff".encode())
    lignes = list(csv.reader(io.StringIO(reponse.content.decode("utf-8-sig")), delimiter=";"))
    entete, donnees = lignes[0], lignes[1:]
    assert "Montant (service fait)" in entete and "Statut" in entete
    assert len(donnees) == 6
    i = entete.index("Montant (service fait)")
    assert all("," in ligne[i] and "." not in ligne[i] for ligne in donnees)
    assert sum(Decimal(ligne[i].replace(",", ".")) for ligne in donnees) == Decimal("4400.00")
    d = entete.index("Date")
    assert all(datetime.datetime.strptime(ligne[d], "%d/%m/%Y") for ligne in donnees)


def test_export_xlsx_de_l_etat(client, resultats, admin_user):
    client.force_login(admin_user)
    reponse = client.get(reverse("placement:etat") + "?_export=xlsx")
    assert reponse.status_code == 200
    assert "spreadsheetml" in reponse["Content-Type"]
    # Le classeur garde de vrais nombres et de vraies dates.
    import openpyxl

    feuille = openpyxl.load_workbook(io.BytesIO(reponse.content)).active
    entete = [c.value for c in feuille[1]]
    ligne = [c.value for c in feuille[2]]
    assert isinstance(ligne[entete.index("Montant (service fait)")], int | float | Decimal)
    assert isinstance(ligne[entete.index("Date")], datetime.datetime)


def test_lots_prix_en_euros_a_l_ecran_et_nombres_a_l_export(client, resultats, admin_user):
    """La liste des lots écrit les prix comme partout (« 1 200,00 € ») ; l'export garde les nombres."""
    client.force_login(admin_user)
    assert "1\u202f200,00\xa0€" in client.get(reverse("placement:lots")).content.decode()
    import openpyxl

    reponse = client.get(reverse("placement:lots") + "?_export=xlsx")
    feuille = openpyxl.load_workbook(io.BytesIO(reponse.content)).active
    entete = [c.value for c in feuille[1]]
    for colonne in ("Prix entrée", "Prix sortie positive", "Prix maintien 6 mois"):
        valeurs = [ligne[entete.index(colonne)].value for ligne in feuille.iter_rows(min_row=2)]
        assert valeurs and all(isinstance(v, int | float | Decimal) for v in valeurs), colonne
    assert 1200 in [ligne[entete.index("Prix sortie positive")].value for ligne in feuille.iter_rows(min_row=2)]


def test_changement_de_prix_donne_deux_lignes(
    resultats, bassins, referent, lot_orleans, agent_a, prestataire_a, pilotage
):
    lot_orleans.capacite = 50
    lot_orleans.prix_entree = Decimal("500.00")
    lot_orleans.save()
    constater_resultats(jusqu_a_entree(personne_de(bassins["Orléans"]), referent, agent_a), agent_a, pilotage)
    entrees = [
        (ligne["quantite"], ligne["prix_unitaire"], ligne["montant"])
        for ligne in ResultatPaye.objects.filter(lot__prestataire=prestataire_a, nature="entree").synthese()
    ]
    assert entrees == [(3, Decimal("400.00"), Decimal("1200.00")), (1, Decimal("500.00"), Decimal("500.00"))]


def test_euros_au_format_francais():
    assert euros(Decimal("1234.5")) == "1\u202f234,50\xa0€"
    assert euros(Decimal("0")) == "0,00\xa0€"
    assert euros(None) == "—"


def test_memes_chiffres_dans_l_admin(client, resultats, admin_user):
    client.force_login(admin_user)
    for modele in ["marche", "lot", "orientation", "sortie", "resultatpaye"]:
        reponse = client.get(reverse(f"admin:placement_{modele}_changelist"))
        assert reponse.status_code == 200, modele
    assert "4\u202f700,00\xa0€" in client.get(reverse("admin:placement_marche_changelist")).content.decode()
    contenu_lots = client.get(reverse("admin:placement_lot_changelist")).content.decode()
    assert "4\u202f400,00\xa0€" in contenu_lots and "300,00\xa0€" in contenu_lots
    contenu = client.get(reverse("admin:placement_orientation_changelist")).content.decode()
    assert "2\u202f400,00\xa0€" in contenu  # a1 : entrée 400 + sortie positive 1 200 + maintien 800
    reponse = client.get(reverse("admin:placement_orientation_change", args=[resultats["a1"].pk]))
    assert reponse.status_code == 200
