"""Lots en vigueur nommés par marché, période, bassin et prestataire ; accès du prestataire borné par la clôture
de l'orientation et le délai de grâce (PRESTATAIRE_ACCES_DELAI_JOURS)."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from beneficiaires.models import Beneficiaire
from placement import services
from placement.models import MotifRefus, Orientation, TypeSortie
from tests.placement.factories import LotFactory, MarcheFactory
from tests.placement.outils import jusqu_a_entree, orienter, personne_de

pytestmark = pytest.mark.django_db

LIBELLE_COURANT = "Marché 2025–2028 — Lot 1 Orléans — Insertion Emploi Centre"
LIBELLE_ANCIEN = "Marché 2017–2019 — Lot 1 Orléans — Insertion Emploi Centre"


@pytest.fixture
def deux_marches(bassins, prestataire_a):
    ancien = MarcheFactory(
        reference="2017-PLACEMENT", date_debut=datetime.date(2017, 12, 1), date_fin=datetime.date(2019, 11, 30)
    )
    courant = MarcheFactory(
        reference="2025-PLACEMENT", date_debut=datetime.date(2025, 12, 1), date_fin=datetime.date(2028, 11, 30)
    )
    lot_ancien = LotFactory(marche=ancien, numero=1, prestataire=prestataire_a, bassins=[bassins["Orléans"]])
    lot_courant = LotFactory(marche=courant, numero=1, prestataire=prestataire_a, bassins=[bassins["Orléans"]])
    return lot_ancien, lot_courant


def options(contenu, nom):
    select = re.search(rf'<select name="{nom}".*?</select>', contenu, re.S).group(0)
    return re.findall(r'<option value="(\d*)"( selected)?>([^<]*)</option>', select)


def test_le_formulaire_n_offre_que_les_lots_en_vigueur(client, deux_marches, referent, bassins):
    lot_ancien, lot_courant = deux_marches
    personne = personne_de(bassins["Orléans"])
    client.force_login(referent)
    url = reverse("placement:orienter", args=[personne.pk])
    choix = [(v, s, libelle) for v, s, libelle in options(client.get(url).content.decode(), "lot") if v]
    assert choix == [(str(lot_courant.pk), " selected", LIBELLE_COURANT)]
    # L'ancien lot, forcé à la date du jour, est refusé avec un message clair (et rien n'est écrit).
    reponse = client.post(url, {"lot": lot_ancien.pk, "date_proposition": timezone.localdate().isoformat()})
    assert reponse.status_code == 200 and "pas en vigueur à la date" in reponse.content.decode()
    assert not Orientation.objects.exists()
    # À une date de 2018, c'est l'ancien lot qui est proposé et accepté.
    reponse = client.post(url, {"lot": lot_ancien.pk, "date_proposition": "2018-03-01"})
    assert reponse.status_code == 302 and Orientation.objects.get().lot == lot_ancien


def test_memes_libelles_dans_les_filtres(client, deux_marches, admin_user):
    client.force_login(admin_user)
    for nom_url in ("placement:liste", "placement:etat"):
        libelles = [libelle for v, _, libelle in options(client.get(reverse(nom_url)).content.decode(), "lot") if v]
        assert libelles == [LIBELLE_COURANT, LIBELLE_ANCIEN], nom_url


# --- Accès du prestataire ------------------------------------------------------------------------------


def _visibles(agent):
    return set(Beneficiaire.objects.visibles_par(agent).values_list("pk", flat=True))


def test_refus_ancien_plus_d_acces(client, bassins, referent, lot_orleans, agent_a):
    personne = personne_de(bassins["Orléans"])
    Beneficiaire.objects.filter(pk=personne.pk).update(telephone="06 98 76 54 32", adresse="3 rue Secrète")
    o = orienter(personne, referent)
    assert o.beneficiaire_id in _visibles(agent_a)  # proposée : le prestataire voit la personne
    services.orientation_refuser(orientation=o, par=agent_a, motif=MotifRefus.INJOIGNABLE, date=o.date_proposition)
    assert o.beneficiaire_id not in _visibles(agent_a)  # refusée en 2018 : délai de grâce passé depuis longtemps
    client.force_login(agent_a)
    assert client.get(o.beneficiaire.get_absolute_url()).status_code == 404
    # L'orientation reste dans son historique (état des résultats, facturation), sans les coordonnées.
    contenu = client.get(o.get_absolute_url()).content.decode()
    assert "06 98 76 54 32" not in contenu and "3 rue Secrète" not in contenu
    assert "Plus accessibles depuis le" in contenu


def test_delai_de_grace_reglable(bassins, referent, lot_orleans, agent_a, settings):
    aujourdhui = timezone.localdate()
    o = orienter(personne_de(bassins["Orléans"]), referent, date=aujourdhui - datetime.timedelta(days=10))
    services.orientation_refuser(orientation=o, par=agent_a, motif=MotifRefus.INJOIGNABLE, date=o.date_proposition)
    settings.PRESTATAIRE_ACCES_DELAI_JOURS = 30
    assert o.beneficiaire_id in _visibles(agent_a)
    settings.PRESTATAIRE_ACCES_DELAI_JOURS = 5
    assert o.beneficiaire_id not in _visibles(agent_a)


def test_sortie_en_emploi_acces_jusqu_a_la_fin_du_suivi(bassins, referent, lot_orleans, agent_a, settings):
    settings.PRESTATAIRE_ACCES_DELAI_JOURS = 0
    aujourdhui = timezone.localdate()
    debut = aujourdhui - datetime.timedelta(days=200)
    emploi = jusqu_a_entree(personne_de(bassins["Orléans"]), referent, agent_a, date=debut)
    abandon = jusqu_a_entree(personne_de(bassins["Orléans"]), referent, agent_a, date=debut)
    jour_sortie = aujourdhui - datetime.timedelta(days=70)
    sortie = services.sortie_enregistrer(
        orientation=emploi, par=agent_a, type=TypeSortie.CDI, date=jour_sortie, employeur_nom="X"
    )
    services.sortie_enregistrer(orientation=abandon, par=agent_a, type=TypeSortie.ABANDON, date=jour_sortie)
    emploi.refresh_from_db()
    assert emploi.date_cloture == services.ajouter_mois(jour_sortie, 6)
    visibles = _visibles(agent_a)
    assert emploi.beneficiaire_id in visibles  # suivi dans l'emploi en cours
    assert abandon.beneficiaire_id not in visibles  # close le jour de la sortie
    # Plus en emploi au constat à 1 mois : le suivi s'arrête, l'accès aussi.
    services.maintien_en_emploi_enregistrer(
        sortie=sortie, par=agent_a, echeance=1, en_emploi=False, date_constat=aujourdhui - datetime.timedelta(days=20)
    )
    assert emploi.beneficiaire_id not in _visibles(agent_a)


def test_plus_de_suivi_par_le_prestataire_apres_la_fin_de_son_acces(bassins, referent, lot_orleans, agent_a, settings):
    settings.PRESTATAIRE_ACCES_DELAI_JOURS = 10
    aujourdhui = timezone.localdate()
    emploi = jusqu_a_entree(
        personne_de(bassins["Orléans"]), referent, agent_a, date=aujourdhui - datetime.timedelta(days=400)
    )
    services.sortie_enregistrer(
        orientation=emploi,
        par=agent_a,
        type=TypeSortie.CDI,
        date=aujourdhui - datetime.timedelta(days=300),
        employeur_nom="X",
    )
    emploi.refresh_from_db()
    assert emploi.statut == emploi.Statut.SORTIE and emploi.fin_acces_prestataire() < aujourdhui
    with pytest.raises(ValidationError, match="Votre accès à cette personne a pris fin le"):
        services.suivi_enregistrer(orientation=emploi, par=agent_a, date=aujourdhui, nature="telephone", note="x")
    assert not emploi.suivis.exists()
    # Dans le délai de grâce, le suivi reste possible ; le référent, lui, garde la main.
    settings.PRESTATAIRE_ACCES_DELAI_JOURS = 400
    services.suivi_enregistrer(orientation=emploi, par=agent_a, date=aujourdhui, nature="telephone", note="x")
    settings.PRESTATAIRE_ACCES_DELAI_JOURS = 10
    services.suivi_enregistrer(orientation=emploi, par=referent, date=aujourdhui, nature="telephone", note="y")
    assert emploi.suivis.count() == 2


def test_administration_et_referent_gardent_l_acces(bassins, referent, lot_orleans, agent_a, admin_user):
    o = orienter(personne_de(bassins["Orléans"]), referent)
    services.orientation_refuser(orientation=o, par=agent_a, motif=MotifRefus.INJOIGNABLE, date=o.date_proposition)
    assert o.beneficiaire_id in _visibles(referent) and o.beneficiaire_id in _visibles(admin_user)


def test_page_orienter_nombre_de_requetes_constant(
    client, bassins, referent, prestataire_a, django_assert_max_num_queries
):
    personne = personne_de(bassins["Orléans"])
    client.force_login(referent)
    url = reverse("placement:orienter", args=[personne.pk])
    # Douze marchés successifs d'un an, chacun avec son lot d'Orléans : un seul est en vigueur aujourd'hui.
    for annee in range(2015, 2027):
        marche = MarcheFactory(
            reference=f"M-{annee}", date_debut=datetime.date(annee, 1, 1), date_fin=datetime.date(annee, 12, 31)
        )
        LotFactory(marche=marche, numero=1, prestataire=prestataire_a, bassins=list(bassins.values()))
    with django_assert_max_num_queries(16):
        contenu = client.get(url).content.decode()
    assert [libelle for v, _, libelle in options(contenu, "lot") if v] == [
        "Marché 2026 — Lot 1 Gien, Montargis, Orléans, Pithiviers — Insertion Emploi Centre"
    ]
