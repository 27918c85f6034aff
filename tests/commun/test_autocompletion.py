"""Autocomplétion (commun/autocompletion.py) : point d'accès JSON (connexion, portée, limites, paramètres
hostiles), champ qui reconnaît l'identifiant choisi (champ caché `<nom>_choix`) ou le texte saisi (toujours cherché
comme texte, même fait de chiffres), page qui ne rend que le choix."""

import pytest
from django.urls import reverse

from commun.autocompletion import LIMITE, LONGUEUR_MAX
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.comptes.factories import UserFactory
from tests.referentiel.factories import CommuneFactory

pytestmark = pytest.mark.django_db


def url(source):
    return reverse("commun:autocompletion", args=[source])


def libelles(reponse):
    assert reponse.status_code == 200, reponse.content
    return [r["libelle"] for r in reponse.json()["resultats"]]


# --- Point d'accès ------------------------------------------------------------------------------------------


def test_connexion_requise(client, bassins):
    reponse = client.get(url("communes"), {"q": "Gien"})
    assert reponse.status_code == 302 and reponse["Location"].startswith(reverse("comptes:connexion"))
    assert b"Gien" not in reponse.content


def test_source_inconnue_404(client, admin_user):
    client.force_login(admin_user)
    assert client.get(url("personnes"), {"q": "a"}).status_code == 404


def test_communes_du_referent_seulement(client, bassins, referent, admin_user):
    CommuneFactory(nom="Olivet", bassin_emploi=bassins["Orléans"])
    CommuneFactory(nom="Ouzouer-sur-Loire", bassin_emploi=bassins["Gien"])
    client.force_login(referent)
    trouvees = libelles(client.get(url("communes"), {"q": "o"}))
    assert [t.split(" (")[0] for t in trouvees] == ["Olivet", "Orléans"]
    client.force_login(admin_user)
    trouvees = libelles(client.get(url("communes"), {"q": "ou"}))
    assert any(t.startswith("Ouzouer-sur-Loire") for t in trouvees)


def test_referents_dans_la_portee(client, bassins, referent, referent_gien, pilotage):
    collegue = UserFactory(referent=True, bassins=[bassins["Orléans"], bassins["Montargis"]], last_name="Collègue")
    client.force_login(referent)
    trouves = libelles(client.get(url("referents"), {"q": ""}))
    assert str(collegue) in trouves and str(referent) in trouves
    assert str(referent_gien) not in trouves
    client.force_login(pilotage)
    assert str(referent_gien) in libelles(client.get(url("referents"), {"q": referent_gien.last_name}))


def test_referents_refuses_aux_autres_roles(client, referent, agent_mobilite):
    prestataire = UserFactory(prestataire=True)
    for user in (agent_mobilite, prestataire):
        client.force_login(user)
        assert libelles(client.get(url("referents"), {"q": referent.last_name})) == []


def test_au_plus_limite_resultats_et_suite_annoncee(client, admin_user, bassins):
    for i in range(LIMITE + 5):
        CommuneFactory(nom=f"Saint-Test {i:02d}", bassin_emploi=bassins["Gien"])
    client.force_login(admin_user)
    donnees = client.get(url("communes"), {"q": "saint-test"}).json()
    assert len(donnees["resultats"]) == LIMITE and donnees["suite"] is True
    donnees = client.get(url("communes"), {"q": "saint-test 0"}).json()
    assert len(donnees["resultats"]) == 10 and donnees["suite"] is False


@pytest.mark.parametrize("texte", ["x" * (LONGUEUR_MAX + 1), "Gi\x00en", "Gien\x1b[31m"])
def test_texte_hostile_refuse(client, admin_user, bassins, texte):
    client.force_login(admin_user)
    reponse = client.get(url("communes"), {"q": texte})
    assert reponse.status_code == 400
    assert "trop long" in reponse.json()["erreur"]


@pytest.mark.parametrize("texte", ["%", "_", "' OR 1=1 --", "\\", "Gien%", "<script>"])
def test_jokers_et_injection_pris_a_la_lettre(client, admin_user, bassins, texte):
    client.force_login(admin_user)
    assert libelles(client.get(url("communes"), {"q": texte})) == []


def test_texte_repete_et_espaces(client, admin_user, bassins):
    client.force_login(admin_user)
    assert libelles(client.get(url("communes") + "?q=zzz&q=%20%20gien%20")) == [str(bassins["Gien"].commune_test)]


def test_reponse_pas_gardee_par_les_caches(client, admin_user, bassins):
    client.force_login(admin_user)
    assert "no-store" in client.get(url("communes"), {"q": "g"})["Cache-Control"]


# --- Champ et page ------------------------------------------------------------------------------------------


def noms(reponse):
    return sorted(str(b) for b in reponse.context["table"].data.data)


def test_page_ne_rend_que_la_commune_choisie(client, admin_user, bassins):
    for i in range(30):
        CommuneFactory(nom=f"Commune en trop {i}", bassin_emploi=bassins["Gien"])
    client.force_login(admin_user)
    gien = bassins["Gien"].commune_test
    html = client.get(reverse("beneficiaires:liste"), {"commune_choix": gien.pk}).content.decode()
    assert "Commune en trop" not in html
    assert f'data-valeur="{gien.pk}"' in html and f'value="{gien}"' in html and 'data-choix="commune_choix"' in html
    assert f'data-autocompletion="{url("communes")}"' in html and 'data-autocompletion="' + url("referents") in html
    assert '<label class="form-label" for="id_commune">Commune</label>' in html


@pytest.mark.parametrize("saisie", ["Gien", "gien", "Gien (CODE)", "GIEN (CODE)"])
def test_texte_envoye_sans_javascript_reconnu(client, admin_user, bassins, saisie):
    gien = bassins["Gien"].commune_test
    BeneficiaireFactory(commune=gien, nom="Giennois")
    BeneficiaireFactory(commune=bassins["Orléans"].commune_test, nom="Orléanais")
    client.force_login(admin_user)
    reponse = client.get(reverse("beneficiaires:liste"), {"commune": saisie.replace("CODE", gien.code_insee)})
    assert [n.split()[0] for n in noms(reponse)] == ["GIENNOIS"]


def test_texte_ambigu_ou_inconnu_explique(client, admin_user, bassins):
    CommuneFactory(nom="Saint-Denis-en-Val", bassin_emploi=bassins["Orléans"])
    CommuneFactory(nom="Saint-Denis-de-l'Hôtel", bassin_emploi=bassins["Orléans"])
    client.force_login(admin_user)
    html = client.get(reverse("beneficiaires:liste"), {"commune": "Saint-Denis"}).content.decode()
    assert "Plusieurs choix correspondent à « Saint-Denis » : précisez, par exemple" in html
    html = client.get(reverse("beneficiaires:liste"), {"commune": "Atlantide"}).content.decode()
    assert "Aucun choix ne correspond à « Atlantide »." in html


def test_commune_hors_portee_refusee(client, referent, bassins):
    BeneficiaireFactory(commune=bassins["Orléans"].commune_test)
    client.force_login(referent)
    reponse = client.get(reverse("beneficiaires:liste"), {"commune_choix": bassins["Gien"].commune_test.pk})
    assert noms(reponse) == []
    assert reponse.context["filter"].errors["commune"]
    reponse = client.get(reverse("beneficiaires:liste"), {"commune": "Gien"})
    assert reponse.context["filter"].errors["commune"] == ["Aucun choix ne correspond à « Gien »."]


def test_referent_hors_portee_refuse_sur_les_contrats(client, referent, referent_gien):
    client.force_login(referent)
    reponse = client.get(reverse("contrats:liste"), {"referent_choix": referent_gien.pk})
    assert reponse.context["filter"].errors["referent"]
    reponse = client.get(reverse("contrats:liste"), {"referent_choix": referent.pk})
    assert not reponse.context["filter"].errors


@pytest.mark.parametrize("valeur", ["99999999999999999999999", "-1", "0", "1e3", "\x00"])
def test_identifiant_hostile_sans_erreur_serveur(client, admin_user, bassins, valeur):
    client.force_login(admin_user)
    for donnees in ({"commune": valeur, "referent": valeur}, {"commune_choix": valeur, "referent_choix": valeur}):
        reponse = client.get(reverse("beneficiaires:liste"), donnees)
        assert reponse.status_code == 200
        assert reponse.context["filter"].errors["commune"]


# --- Texte saisi fait de chiffres : cherché comme texte, jamais pris pour un identifiant -------------------------


def test_code_insee_saisi_seul_designe_sa_commune(client, admin_user, bassins):
    jargeau = CommuneFactory(nom="Jargeau", code_insee="45173", bassin_emploi=bassins["Orléans"])
    BeneficiaireFactory(commune=jargeau, nom="Gergolien")
    BeneficiaireFactory(commune=bassins["Orléans"].commune_test, nom="Orléanais")
    client.force_login(admin_user)
    reponse = client.get(reverse("beneficiaires:liste"), {"commune": " 45173 "})
    assert not reponse.context["filter"].errors
    assert [n.split()[0] for n in noms(reponse)] == ["GERGOLIEN"]


def test_nombre_cle_d_une_autre_commune_jamais_cette_autre(client, admin_user, referent, bassins):
    """Un nombre saisi qui est aussi la clé d'une autre commune : la commune de ce code INSEE, ou un refus, jamais
    la commune de cette clé (avant : choisie en silence)."""
    autre = CommuneFactory(pk=45234, nom="Autre-Commune", code_insee="45999", bassin_emploi=bassins["Orléans"])
    cle_seule = CommuneFactory(pk=12345, nom="Clé-Seule", code_insee="45998", bassin_emploi=bassins["Orléans"])
    bonne = CommuneFactory(nom="Ingré", code_insee="45234", bassin_emploi=bassins["Orléans"])
    BeneficiaireFactory(commune=autre, nom="Mauvais")
    BeneficiaireFactory(commune=cle_seule, nom="Clef")
    BeneficiaireFactory(commune=bonne, nom="Ingréen")
    for user in (admin_user, referent):
        client.force_login(user)
        reponse = client.get(reverse("beneficiaires:liste"), {"commune": "45234"})
        assert [n.split()[0] for n in noms(reponse)] == ["INGRÉEN"]
        html = reponse.content.decode()
        assert 'value="45234"' in html and 'data-valeur=""' in html and "Autre-Commune" not in html
        reponse = client.get(reverse("beneficiaires:liste"), {"commune": "12345"})
        assert reponse.context["filter"].errors["commune"] == ["Aucun choix ne correspond à « 12345 »."]
        assert "Clé-Seule" not in reponse.content.decode()


def test_identifiant_du_champ_cache_prime_sur_le_texte(client, admin_user, bassins):
    """Le script envoie le texte affiché et, à part, l'identifiant choisi : c'est l'identifiant qui compte."""
    gien = bassins["Gien"].commune_test
    BeneficiaireFactory(commune=gien, nom="Giennois")
    BeneficiaireFactory(commune=bassins["Orléans"].commune_test, nom="Orléanais")
    client.force_login(admin_user)
    reponse = client.get(reverse("beneficiaires:liste"), {"commune": str(gien), "commune_choix": gien.pk})
    assert [n.split()[0] for n in noms(reponse)] == ["GIENNOIS"]
    assert f'data-valeur="{gien.pk}"' in reponse.content.decode()
    reponse = client.get(reverse("beneficiaires:liste"), {"commune": "", "commune_choix": ""})
    assert not reponse.context["filter"].errors and len(noms(reponse)) == 2
