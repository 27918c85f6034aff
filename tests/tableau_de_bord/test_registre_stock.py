"""Contexte.stock : un stock ventilé par bassin, groupé par commune sans joindre le référentiel."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from beneficiaires.models import Foyer
from tableau_de_bord.registre import Contexte
from tests.beneficiaires.factories import FoyerFactory
from tests.referentiel.factories import CommuneFactory

pytestmark = pytest.mark.django_db


def test_stock_par_commune_ramene_au_bassin_sans_jointure(bassins):
    orleans, gien = bassins["Orléans"], bassins["Gien"]
    saran, olivet = orleans.commune_test, CommuneFactory(nom="Olivet", bassin_emploi=orleans)
    briare = gien.commune_test
    for commune, n in ((saran, 2), (olivet, 1), (briare, 3)):
        FoyerFactory.create_batch(n, commune=commune)
    ctx = Contexte(debut=date(2017, 1, 1), fin=date(2017, 12, 31), bassins=(orleans, gien))
    with CaptureQueriesContext(connection) as requetes:
        total, par_bassin = ctx.stock(Foyer.objects.all(), "commune__bassin_emploi")
        ctx.stock(Foyer.objects.all(), "commune__bassin_emploi")
    assert (total, par_bassin) == (6, {orleans.pk: 3, gien.pk: 3})
    # Le référentiel est lu une fois par contexte ; les comptages ne le joignent pas.
    assert len(requetes) == 3
    assert all("referentiel_commune" not in q["sql"] for q in requetes.captured_queries if "COUNT" in q["sql"])


def test_stock_restreint_aux_bassins_visibles(bassins):
    gien = bassins["Gien"]
    FoyerFactory(commune=bassins["Orléans"].commune_test)
    FoyerFactory(commune=gien.commune_test)
    ctx = Contexte(debut=date(2017, 1, 1), fin=date(2017, 12, 31), bassins=(gien,), restreint=True)
    assert ctx.stock(Foyer.objects.all(), "commune__bassin_emploi") == (1, {gien.pk: 1})


def test_contexte_total_seul_sans_liens(bassins):
    ctx = Contexte(debut=date(2017, 1, 1), fin=date(2017, 12, 31), bassins=tuple(bassins.values()), total_seul=True)
    assert ctx.lien("beneficiaires:liste", sdd="true") == (None, {})
    complet = Contexte(debut=date(2017, 1, 1), fin=date(2017, 12, 31), bassins=tuple(bassins.values()))
    total, par_bassin = complet.lien("beneficiaires:liste", sdd="true")
    assert total.endswith("?sdd=true") and len(par_bassin) == 4
