"""L'administration Django ne contourne pas les règles : tout écran qui écrit un modèle réglé passe par les
services (`save_model` redéfini), ou n'écrit pas (ni ajout, ni modification, ni suppression)."""

import pytest
from django.contrib import admin
from django.contrib.admin import ModelAdmin
from django.test import RequestFactory

APPS_REGLEES = {"beneficiaires", "contrats", "forums", "mobilite", "placement"}

# Écrans qui écrivent sans service, et pourquoi ils ne peuvent casser aucune règle.
SANS_SERVICE = {
    # Correspondance des colonnes d'un import : seulement supprimable (la page d'import la redemande).
    "beneficiaires.correspondancecolonnes",
}


def _ecrans():
    for modele, modele_admin in admin.site._registry.items():
        if modele._meta.app_label in APPS_REGLEES:
            yield modele._meta.label_lower, modele_admin


@pytest.mark.django_db
@pytest.mark.parametrize("nom, modele_admin", sorted(_ecrans(), key=lambda x: x[0]), ids=lambda v: str(v))
def test_chaque_ecran_d_administration_passe_par_les_services_ou_n_ecrit_pas(nom, modele_admin, admin_user):
    requete = RequestFactory().get("/admin/")
    requete.user = admin_user
    ecrit = modele_admin.has_add_permission(requete) or modele_admin.has_change_permission(requete)
    passe_par_un_service = type(modele_admin).save_model is not ModelAdmin.save_model
    assert not ecrit or passe_par_un_service or nom in SANS_SERVICE
    for inline in modele_admin.get_inline_instances(requete):
        assert not (inline.has_add_permission(requete, None) or inline.has_change_permission(requete)), inline
