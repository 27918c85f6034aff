import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from beneficiaires.fiche import actions_pour
from beneficiaires.timeline import evenements
from commun.menu_registre import entrees_pour
from contrats import services
from contrats.models import ContratAide, Statut
from contrats.timeline import contrats_aides
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.comptes.factories import UserFactory
from tests.referentiel.factories import StructureFactory

from .factories import ContratAideFactory, EnveloppeFactory

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def orleans(bassins):
    return bassins["Orléans"].commune_test


@pytest.fixture
def gien(bassins):
    return bassins["Gien"].commune_test


@pytest.fixture
def contrat_orleans(orleans, referent):
    return ContratAideFactory(beneficiaire=BeneficiaireFactory(commune=orleans), referent=referent, signe=True)


@pytest.fixture
def contrat_gien(gien):
    return ContratAideFactory(beneficiaire=BeneficiaireFactory(commune=gien), signe=True)


def connecte(client, user):
    client.force_login(user)
    return client


# --- Accès ------------------------------------------------------------------------------------------------


def test_liste_referent_voit_son_bassin_seulement(client, referent, contrat_orleans, contrat_gien):
    r = connecte(client, referent).get(reverse("contrats:liste"))
    assert r.status_code == 200
    assert list(r.context["table"].data) == [contrat_orleans]


def test_liste_pilotage_voit_tout(client, pilotage, contrat_orleans, contrat_gien):
    r = connecte(client, pilotage).get(reverse("contrats:liste"))
    assert r.context["nb_resultats"] == 2


@pytest.mark.parametrize("nom_url", ["contrats:liste", "contrats:creer"])
def test_prestataire_et_agent_mobilite_403(client, agent_mobilite, nom_url):
    assert connecte(client, agent_mobilite).get(reverse(nom_url)).status_code == 403
    assert connecte(client, UserFactory(prestataire=True)).get(reverse(nom_url)).status_code == 403


def test_detail_autre_bassin_404(client, referent, contrat_gien):
    assert connecte(client, referent).get(contrat_gien.get_absolute_url()).status_code == 404


def test_detail_prestataire_403(client, contrat_orleans):
    r = connecte(client, UserFactory(prestataire=True)).get(contrat_orleans.get_absolute_url())
    assert r.status_code == 403


def test_pilotage_lecture_seule(client, pilotage, contrat_orleans):
    r = connecte(client, pilotage).get(contrat_orleans.get_absolute_url())
    assert r.status_code == 200
    assert r.context["actions"] == []
    url = reverse("contrats:rompre", args=[contrat_orleans.pk])
    assert client.post(url, {"date_rupture": "2018-03-01", "motif_rupture": "cdi"}).status_code == 403


def test_anonyme_redirige_vers_connexion(client, contrat_orleans):
    r = client.get(reverse("contrats:liste"))
    assert r.status_code == 302
    assert reverse("comptes:connexion") in r["Location"]


def test_menu_contrats_par_role(admin_user, pilotage, referent, agent_mobilite):
    for user in (admin_user, pilotage, referent):
        assert "contrats:liste" in [e["nom_url"] for e in entrees_pour(user)]
    assert "contrats:liste" not in [e["nom_url"] for e in entrees_pour(agent_mobilite)]


# --- Pages et nombre de requêtes ----------------------------------------------------------------------------


def _beaucoup(n, commune, referent):
    for _ in range(n):
        ContratAideFactory(beneficiaire=BeneficiaireFactory(commune=commune), referent=referent, signe=True)


@pytest.mark.parametrize("n", [3, 30])
def test_liste_nombre_de_requetes_constant(client, referent, orleans, n, django_assert_max_num_queries):
    _beaucoup(n, orleans, referent)
    connecte(client, referent)
    with django_assert_max_num_queries(16):
        r = client.get(reverse("contrats:liste"))
    assert r.context["nb_resultats"] == n


@pytest.mark.parametrize("n", [3, 30])
def test_page_employeur_nombre_de_requetes_constant(client, referent, orleans, n, django_assert_max_num_queries):
    employeur = StructureFactory(commune_employeur=True)
    for _ in range(n):
        ContratAideFactory(beneficiaire=BeneficiaireFactory(commune=orleans), employeur=employeur, signe=True)
    connecte(client, referent)
    with django_assert_max_num_queries(14):
        r = client.get(reverse("contrats:employeur", args=[employeur.pk]))
    assert r.context["chiffres"]["total"] == n


@pytest.mark.parametrize("modifications", [1, 30])
def test_detail_nombre_de_requetes_constant(client, referent, orleans, modifications, django_assert_max_num_queries):
    c = ContratAideFactory(beneficiaire=BeneficiaireFactory(commune=orleans), date_fin=D(2019, 12, 31))
    for i in range(modifications):
        services.contrat_modifier_brouillon(contrat=c, par=referent, intitule_poste=f"Poste {i}")
    connecte(client, referent)
    with django_assert_max_num_queries(15):
        r = client.get(c.get_absolute_url())
    assert r.status_code == 200
    assert len(r.context["echeancier"]) == 24
    assert len(r.context["historique"]) == modifications + 1


def test_detail_montre_echeancier_et_historique(client, referent, orleans):
    c = ContratAideFactory(
        beneficiaire=BeneficiaireFactory(commune=orleans), date_debut=D(2017, 9, 1), date_fin=D(2018, 2, 28)
    )
    r = connecte(client, referent).get(c.get_absolute_url())
    html = r.content.decode()
    assert "480,02\xa0€" in html
    assert "Historique des modifications" in html
    assert r.context["total"] == Decimal("480.02") * 6


def test_liste_filtres(client, pilotage, orleans, gien):
    commune = StructureFactory(commune_employeur=True)
    ContratAideFactory(beneficiaire=BeneficiaireFactory(commune=orleans), employeur=commune, signe=True)
    ContratAideFactory(beneficiaire=BeneficiaireFactory(commune=gien), signe=True, date_debut=D(2017, 12, 20))
    ContratAideFactory(beneficiaire=BeneficiaireFactory(commune=gien))
    connecte(client, pilotage)

    def nb(**params):
        return client.get(reverse("contrats:liste"), params).context["nb_resultats"]

    assert nb() == 3
    assert nb(communes="true") == 1
    assert nb(type_employeur="association") == 2
    assert nb(statut="brouillon") == 1
    assert nb(bassin=gien.bassin_emploi_id) == 2
    assert nb(annee=2017) == 1
    assert nb(signature_apres="2018-01-01", signature_avant="2018-12-31") == 1


def test_export_csv(client, pilotage, contrat_orleans):
    r = connecte(client, pilotage).get(reverse("contrats:liste"), {"_export": "csv"})
    assert r.status_code == 200
    contenu = r.content.decode("utf-8-sig")
    assert contrat_orleans.numero_convention in contenu
    # Des textes, jamais le HTML de la page (lien de l'employeur, lien de la convention).
    assert contrat_orleans.employeur.nom in contenu and "<a " not in contenu and "&amp;" not in contenu
    assert str(contrat_orleans.beneficiaire) in contenu


# --- Formulaires et actions ---------------------------------------------------------------------------------


def test_creer_sans_personne_propose_une_recherche(client, referent, orleans):
    b = BeneficiaireFactory(commune=orleans, nom="Durand")
    r = connecte(client, referent).get(reverse("contrats:creer"), {"q": "durand"})
    assert r.status_code == 200
    assert list(r.context["resultats"]) == [b]


def test_creer_prerempli_depuis_la_fiche(client, referent, orleans):
    b = BeneficiaireFactory(commune=orleans)
    r = connecte(client, referent).get(reverse("contrats:creer"), {"beneficiaire": b.pk})
    assert r.status_code == 200
    assert r.context["beneficiaire"] == b
    assert r.context["form"].initial["referent"] == referent


def test_creer_personne_hors_bassin_404(client, referent, gien):
    b = BeneficiaireFactory(commune=gien)
    assert connecte(client, referent).get(reverse("contrats:creer"), {"beneficiaire": b.pk}).status_code == 404


def _donnees(employeur, commune, referent, **autres):
    donnees = {
        "employeur": employeur.pk,
        "type": "pec",
        "intitule_poste": "Agent d'entretien",
        "lieu_travail": commune.pk,
        "date_debut": "2018-01-01",
        "date_fin": "2018-12-31",
        "heures_hebdomadaires": "20",
        "taux_aide_etat": "60",
        "tuteur_nom": "M. Tuteur",
        "referent": referent.pk,
        "actions_accompagnement": "Entretiens mensuels",
        "actions_formation": "Adaptation au poste",
    }
    donnees.update(autres)
    return donnees


def test_creer_puis_signer(client, referent, orleans):
    EnveloppeFactory(annee=2017)
    b = BeneficiaireFactory(commune=orleans)
    employeur = StructureFactory(commune_employeur=True, commune=orleans)
    connecte(client, referent)
    r = client.post(
        reverse("contrats:creer") + f"?beneficiaire={b.pk}",
        _donnees(employeur, orleans, referent, beneficiaire=b.pk, type="cui_cae"),
    )
    contrat = ContratAide.objects.get(beneficiaire=b)
    assert r.status_code == 302 and r["Location"] == contrat.get_absolute_url()
    r = client.post(reverse("contrats:signer", args=[contrat.pk]), {"date_signature": "2017-12-15"})
    assert r.status_code == 302
    contrat.refresh_from_db()
    assert contrat.statut == Statut.SIGNE
    assert contrat.numero_convention.endswith("2017-00001")


def test_creer_employeur_marchand_erreur_sur_le_champ(client, referent, orleans):
    b = BeneficiaireFactory(commune=orleans)
    entreprise = StructureFactory(entreprise=True)
    r = connecte(client, referent).post(
        reverse("contrats:creer") + f"?beneficiaire={b.pk}", _donnees(entreprise, orleans, referent)
    )
    assert r.status_code == 200
    assert r.context["form"].errors["employeur"]
    assert not ContratAide.objects.exists()


def test_signature_refusee_affiche_l_erreur(client, referent, orleans):
    EnveloppeFactory(annee=2018)
    c = ContratAideFactory(beneficiaire=BeneficiaireFactory(commune=orleans), heures_hebdomadaires=Decimal("19"))
    r = connecte(client, referent).post(reverse("contrats:signer", args=[c.pk]), {"date_signature": "2018-01-01"})
    assert r.status_code == 200
    assert "difficultés particulières" in " ".join(r.context["form"].non_field_errors())
    c.refresh_from_db()
    assert c.statut == Statut.BROUILLON


def test_modifier_brouillon_erreur_a_cote_du_champ(client, referent, orleans):
    c = ContratAideFactory(beneficiaire=BeneficiaireFactory(commune=orleans))
    donnees = _donnees(c.employeur, orleans, referent, heures_hebdomadaires="36")
    r = connecte(client, referent).post(reverse("contrats:modifier", args=[c.pk]), donnees)
    assert r.status_code == 200
    assert r.context["form"].errors


def test_rupture_sans_motif_erreur_sur_le_champ(client, referent, contrat_orleans):
    r = connecte(client, referent).post(
        reverse("contrats:rompre", args=[contrat_orleans.pk]), {"date_rupture": "2018-03-01", "motif_rupture": ""}
    )
    assert r.status_code == 200
    assert "motif_rupture" in r.context["form"].errors


def test_demarrer_rompre_renouveler(client, referent, contrat_orleans):
    connecte(client, referent)
    r = client.post(reverse("contrats:demarrer", args=[contrat_orleans.pk]), {"jour": "2018-01-02"})
    assert r.status_code == 302
    r = client.post(
        reverse("contrats:renouveler", args=[contrat_orleans.pk]),
        {"date_fin": "2019-06-30", "heures_hebdomadaires": "24", "taux_aide_etat": "60"},
    )
    assert r.status_code == 302
    renouvellement = ContratAide.objects.get(contrat_precedent=contrat_orleans)
    assert renouvellement.date_debut == D(2019, 1, 1)
    r = client.post(
        reverse("contrats:rompre", args=[contrat_orleans.pk]), {"date_rupture": "2018-05-02", "motif_rupture": "cdi"}
    )
    assert r.status_code == 302
    contrat_orleans.refresh_from_db()
    assert contrat_orleans.statut == Statut.ROMPU and contrat_orleans.sortie_positive


def test_terminer_avant_la_fin_erreur(client, referent, contrat_orleans):
    services.contrat_demarrer(contrat=contrat_orleans, par=referent, jour=D(2018, 1, 1))
    r = connecte(client, referent).post(reverse("contrats:terminer", args=[contrat_orleans.pk]), {"jour": "2018-06-01"})
    assert r.status_code == 200
    assert r.context["form"].non_field_errors()


def test_page_employeur(client, pilotage, contrat_orleans):
    r = connecte(client, pilotage).get(reverse("contrats:employeur", args=[contrat_orleans.employeur_id]))
    assert r.status_code == 200
    assert list(r.context["table"].data) == [contrat_orleans]


# --- Fiche de la personne ---------------------------------------------------------------------------------------


def test_fil_de_la_personne(referent, referent_gien, contrat_orleans, django_assert_max_num_queries):
    services.contrat_rompre(contrat=contrat_orleans, par=None, date_rupture=D(2018, 4, 1), motif="cdi")
    with django_assert_max_num_queries(2):
        evts = contrats_aides(contrat_orleans.beneficiaire, referent)
    assert {e.titre.split(" ")[1] for e in evts} == {"signé", "rompu"}
    assert all(e.categorie == "contrats" for e in evenements(contrat_orleans.beneficiaire, referent) if e in evts)
    assert not [e for e in evenements(contrat_orleans.beneficiaire, referent_gien) if e.categorie == "contrats"]


def test_action_prescrire_sur_la_fiche(referent, pilotage, orleans):
    b = BeneficiaireFactory(commune=orleans)
    libelles = {a["libelle"]: a["url"] for a in actions_pour(b, referent)}
    assert libelles["Prescrire un contrat aidé"] == reverse("contrats:creer") + f"?beneficiaire={b.pk}"
    assert "Prescrire un contrat aidé" not in {a["libelle"] for a in actions_pour(b, pilotage)}


def test_liste_total_engage_de_l_annee(client, pilotage, orleans):
    ContratAideFactory(
        beneficiaire=BeneficiaireFactory(commune=orleans),
        signe=True,
        date_debut=D(2017, 12, 1),
        date_fin=D(2018, 11, 30),
    )
    connecte(client, pilotage)
    r = client.get(reverse("contrats:liste"), {"annee": 2017})
    assert r.context["engagement"].total == Decimal("480.02")
    r = client.get(reverse("contrats:liste"), {"actif_le": "2018-03-01", "couvre_du": "2018-01-01"})
    assert r.context["nb_resultats"] == 1


def test_brouillon_dates_inversees_erreur_sur_le_champ(client, referent, orleans):
    c = ContratAideFactory(beneficiaire=BeneficiaireFactory(commune=orleans))
    donnees = _donnees(c.employeur, orleans, referent, date_debut="2018-06-01", date_fin="2018-01-01")
    r = connecte(client, referent).post(reverse("contrats:modifier", args=[c.pk]), donnees)
    assert "date_fin" in r.context["form"].errors


# --- Matrice d'accès : chaque URL x chaque rôle -------------------------------------------------------------

ROLES = ["admin", "pilotage", "referent", "referent_gien", "prestataire", "agent_mobilite"]
# (nom d'URL, statut attendu en GET par rôle) — le contrat est un brouillon d'un bénéficiaire d'Orléans.
MATRICE = {
    "contrats:liste": [200, 200, 200, 200, 403, 403],
    "contrats:detail": [200, 200, 200, 404, 403, 403],
    "contrats:modifier": [200, 403, 200, 404, 403, 403],
    "contrats:signer": [200, 403, 200, 404, 403, 403],
    "contrats:rompre": [200, 403, 200, 404, 403, 403],
    "contrats:renouveler": [200, 403, 200, 404, 403, 403],
    "contrats:demarrer": [200, 403, 200, 404, 403, 403],
    "contrats:terminer": [200, 403, 200, 404, 403, 403],
    "contrats:employeur": [200, 200, 200, 200, 403, 403],
    "contrats:creer": [200, 403, 200, 200, 403, 403],
}


@pytest.mark.parametrize("nom_url", list(MATRICE))
def test_matrice_acces(client, nom_url, admin_user, pilotage, referent, referent_gien, agent_mobilite, orleans):
    contrat = ContratAideFactory(beneficiaire=BeneficiaireFactory(commune=orleans))
    users = {
        "admin": admin_user,
        "pilotage": pilotage,
        "referent": referent,
        "referent_gien": referent_gien,
        "prestataire": UserFactory(prestataire=True),
        "agent_mobilite": agent_mobilite,
    }
    if nom_url in ("contrats:liste", "contrats:creer"):
        url = reverse(nom_url)
    elif nom_url == "contrats:employeur":
        url = reverse(nom_url, args=[contrat.employeur_id])
    else:
        url = reverse(nom_url, args=[contrat.pk])
    obtenus = []
    for role in ROLES:
        client.force_login(users[role])
        obtenus.append(client.get(url).status_code)
    assert obtenus == MATRICE[nom_url]


def test_fiche_de_la_personne_montre_le_contrat_et_l_action(client, referent, contrat_orleans):
    r = connecte(client, referent).get(reverse("beneficiaires:detail", args=[contrat_orleans.beneficiaire_id]))
    assert r.status_code == 200
    html = r.content.decode()
    assert contrat_orleans.numero_convention in html
    assert reverse("contrats:creer") + f"?beneficiaire={contrat_orleans.beneficiaire_id}" in html


def test_liste_filtre_en_deux_niveaux(client, referent):
    """Les critères principaux sont visibles ; les autres (dont le type de contrat, qu'annonce le résumé) sont sous
    « Autres critères » — le type n'y était pas quand la liste des principaux était une chaîne (« type » est dans
    « type_employeur »)."""
    html = connecte(client, referent).get(reverse("contrats:liste")).content.decode()
    debut_autres = html.index("<details")
    for principal in ("id_q", "id_statut", "id_type_employeur", "id_bassin", "id_signature_avant"):
        assert html.index(f'id="{principal}"') < debut_autres
    for autre in ("id_type", "id_actif_le", "id_motif_rupture", "id_sortie_positive"):
        assert html.index(f'id="{autre}"') > debut_autres


def test_cellules_employeur_et_type_ecrites_comme_par_format_html_et_le_libelle():
    """Le lien de l'employeur, écrit d'un trait, est celui de format_html (nom échappé) ; le sigle du type est le
    premier mot du libellé de chaque type de contrat."""
    from types import SimpleNamespace

    from django.urls import reverse
    from django.utils.html import format_html

    from contrats.models import ContratAide, TypeContrat
    from contrats.tables import ContratTable

    table = ContratTable([])
    nom = 'Mairie d\'Orléans & <Cie> "test"'
    ligne = SimpleNamespace(employeur_id=7)
    attendu = format_html('<a href="{}">{}</a>', reverse("contrats:employeur", args=[7]), nom)
    assert table.render_employeur(nom, ligne) == attendu
    for valeur, _ in TypeContrat.choices:
        contrat = ContratAide(type=valeur)
        assert table.render_type(contrat) == contrat.get_type_display().split(" ")[0]
