import datetime
from decimal import Decimal

import pytest

from forums import indicateurs
from forums.models import Entretien, Participation
from referentiel.models import BassinEmploi
from tableau_de_bord.registre import Contexte, declarations
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.comptes.factories import UserFactory

from .factories import ExposantFactory, ForumFactory, OffreFactory, ParticipationFactory

S = Participation.Statut
MARS = datetime.date(2018, 3, 1)
JUIN = datetime.date(2018, 6, 1)
pytestmark = pytest.mark.django_db


@pytest.fixture
def donnees(bassins):
    """Deux forums tenus (Montargis en mars, Orléans en juin), un à venir hors période.

    Forum de mars : 4 inscrits d'Orléans (3 présents, 1 absent), 1 venu sans inscription de Montargis,
    1 invité de Gien sans réponse ; 2 entretiens, 1 embauche ; offres 3 + 2 postes.
    Forum de juin : 2 inscrits de Gien (1 présent), 1 en liste d'attente de Gien ; 1 embauche ; offre 4 postes.
    """
    saisie = UserFactory(administrateur=True)
    orleans, montargis, gien = (bassins[n].commune_test for n in ("Orléans", "Montargis", "Gien"))
    mars = ForumFactory(tenu=True, date=datetime.date(2018, 3, 15), commune=montargis, secteur="proprete")
    juin = ForumFactory(clos=True, date=datetime.date(2018, 6, 14), commune=orleans, secteur="aide_personne")
    futur = ForumFactory(date=datetime.date(2019, 2, 1), commune=gien)
    e_mars = ExposantFactory(forum=mars)
    e_juin = ExposantFactory(forum=juin)
    OffreFactory(exposant=e_mars, nombre_postes=3)
    OffreFactory(exposant=e_mars, nombre_postes=2)
    OffreFactory(exposant=e_juin, nombre_postes=4)
    OffreFactory(exposant=ExposantFactory(forum=futur), nombre_postes=7)

    def p(forum, commune, **kw):
        return ParticipationFactory(forum=forum, beneficiaire=BeneficiaireFactory(commune=commune), **kw)

    presents = [p(mars, orleans, present=True) for _ in range(3)]
    p(mars, orleans, absent=True)
    p(mars, montargis, present=True, sur_place=True, date_invitation=None, date_inscription=None)
    p(mars, gien, invite=True)
    Entretien.objects.create(participation=presents[0], exposant=e_mars, saisi_par=saisie)
    Entretien.objects.create(participation=presents[1], exposant=e_mars, saisi_par=saisie)
    Participation.objects.filter(pk=presents[0].pk).update(
        embauche_par=e_mars, embauche_type_contrat="cdi", embauche_date_debut=datetime.date(2018, 4, 1)
    )
    juin_present = p(juin, gien, present=True)
    p(juin, gien, absent=True)
    p(juin, gien, statut=S.ATTENTE, rang_attente=1)
    Participation.objects.filter(pk=juin_present.pk).update(
        embauche_par=e_juin, embauche_type_contrat="contrat_aide", embauche_date_debut=datetime.date(2018, 7, 1)
    )
    p(futur, orleans)  # inscrit à un forum hors période
    return bassins


def contexte(bassins, restreint=False, seulement=None):
    choisis = tuple(BassinEmploi.objects.filter(nom__in=seulement)) if seulement else tuple(BassinEmploi.objects.all())
    return Contexte(
        debut=datetime.date(2018, 1, 1), fin=datetime.date(2018, 12, 31), bassins=choisis, restreint=restreint
    )


def tous(ctx):
    resultat = {}
    for d in declarations():
        if d.axe != "forums":
            continue
        valeurs = d.fonction(ctx)
        for ind in valeurs if isinstance(valeurs, list) else [valeurs]:
            resultat[ind.code] = ind
    return resultat


def test_indicateurs_sur_donnees_connues(donnees):
    b = {n: donnees[n].pk for n in ("Orléans", "Montargis", "Gien")}
    ind = tous(contexte(donnees))
    assert ind["forums_tenus"].valeur == 2
    assert ind["forums_tenus"].par_bassin == {b["Montargis"]: 1, b["Orléans"]: 1}
    assert "Métiers de la propreté : 1" in ind["forums_tenus"].description
    assert ind["forums_invites"].valeur == 5 + 3  # mars : 4 inscrits d'Orléans + 1 invité ; juin : 3
    assert ind["forums_inscrits"].valeur == 4 + 2
    assert ind["forums_inscrits"].par_bassin == {b["Orléans"]: 4, b["Gien"]: 2}
    assert ind["forums_presents"].valeur == 4 + 1
    assert ind["forums_presents"].par_mois == {MARS: 4, JUIN: 1}
    assert ind["forums_taux_presence"].valeur == Decimal("66.7")  # (3 + 1) / (4 + 2)
    # Montargis : seulement une venue sans inscription, aucun inscrit : taux indéfini.
    assert ind["forums_taux_presence"].par_bassin == {
        b["Orléans"]: Decimal("75.0"),
        b["Gien"]: Decimal("50.0"),
        b["Montargis"]: None,
    }
    assert ind["forums_taux_presence"].par_mois == {MARS: Decimal("75.0"), JUIN: Decimal("50.0")}
    assert ind["forums_entretiens"].valeur == 2
    assert ind["forums_embauches"].valeur == 2
    assert ind["forums_embauches"].par_bassin == {b["Orléans"]: 1, b["Gien"]: 1}
    assert ind["forums_embauches_pour_100"].valeur == Decimal("40.0")  # 2 / 5 x 100
    assert ind["forums_embauches_pour_100"].par_mois == {MARS: Decimal("25.0"), JUIN: Decimal("100.0")}
    assert ind["forums_offres"].valeur == 3
    assert ind["forums_postes"].valeur == 9
    assert ind["forums_postes"].par_bassin == {b["Montargis"]: 5, b["Orléans"]: 4}


def test_indicateurs_restreints_aux_bassins_du_referent(donnees):
    ind = tous(contexte(donnees, restreint=True, seulement=["Gien"]))
    assert ind["forums_tenus"].valeur == 0
    assert ind["forums_presents"].valeur == 1
    assert ind["forums_embauches_pour_100"].valeur == Decimal("100.0")


def test_sans_donnees_pas_de_division_par_zero(bassins):
    ind = tous(contexte(bassins))
    assert ind["forums_taux_presence"].valeur is None
    assert ind["forums_embauches_pour_100"].valeur is None
    assert ind["forums_postes"].valeur == 0


def test_une_requete_groupee_par_indicateur(donnees, django_assert_max_num_queries):
    ctx = contexte(donnees)
    with django_assert_max_num_queries(1):
        indicateurs.entretiens(ctx)
    with django_assert_max_num_queries(1):
        indicateurs.taux_presence(ctx)
    with django_assert_max_num_queries(2):  # chiffre + détail par secteur
        indicateurs.personnes_presentes(ctx)


COMPTES = ["forums_tenus", "forums_invites", "forums_inscrits", "forums_presents", "forums_entretiens"]
COMPTES += ["forums_embauches", "forums_offres"]


def compte_de_la_liste(reponse):
    return reponse.context["table"].paginator.count


def test_le_lien_de_chaque_indicateur_mene_a_une_liste_de_meme_compte(client, donnees, admin_user):
    client.force_login(admin_user)
    ind = tous(contexte(donnees))
    for code in COMPTES:
        reponse = client.get(ind[code].lien)
        assert reponse.status_code == 200, code
        assert compte_de_la_liste(reponse) == ind[code].valeur, code
        for bassin_id, url in ind[code].liens_bassin.items():
            assert compte_de_la_liste(client.get(url)) == ind[code].par_bassin.get(bassin_id, 0), (code, bassin_id)
    reponse = client.get(ind["forums_postes"].lien)
    assert reponse.context["total_postes"] == ind["forums_postes"].valeur
    for bassin_id, url in ind["forums_postes"].liens_bassin.items():
        assert client.get(url).context["total_postes"] == ind["forums_postes"].par_bassin.get(bassin_id, 0)
    # Les rapports mènent à la liste de leur numérateur : embauches.
    reponse = client.get(ind["forums_embauches_pour_100"].lien)
    assert compte_de_la_liste(reponse) == ind["forums_embauches"].valeur


def test_le_referent_voit_dans_la_liste_le_chiffre_de_son_bassin(client, donnees):
    referent = UserFactory(referent=True, bassins=[donnees["Gien"]])
    client.force_login(referent)
    ind = tous(contexte(donnees, restreint=True, seulement=["Gien"]))
    for code in ("forums_invites", "forums_presents", "forums_embauches"):
        assert compte_de_la_liste(client.get(ind[code].lien)) == ind[code].valeur, code
