import pytest
from django.urls import reverse

from commun.menu_registre import entrees_pour
from tests.comptes.factories import UserFactory


@pytest.mark.django_db
@pytest.mark.parametrize("nombre", [1, 30])
def test_accueil_nombre_de_requetes_constant(client, django_assert_max_num_queries, nombre):
    UserFactory.create_batch(nombre)
    user = UserFactory(administrateur=True)
    client.force_login(user)
    # 8 pour la page, 4 pour la file de l'administrateur (« Mon activité » : enveloppe, lots, résultats à valider,
    # personnes à rattacher).
    with django_assert_max_num_queries(12):
        reponse = client.get(reverse("accueil"))
    assert reponse.status_code == 200
    for e in entrees_pour(user):
        assert e["libelle"] in reponse.content.decode()
