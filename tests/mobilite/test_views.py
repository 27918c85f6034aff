import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from beneficiaires.fiche import actions_pour
from beneficiaires.timeline import evenements
from commun.menu_registre import entrees_pour
from mobilite import services
from mobilite.models import Cession, Location, StatutLocation, StatutVehicule, Vehicule
from tests.comptes.factories import UserFactory
from tests.mobilite.factories import (
    ConventionFactory,
    LocationFactory,
    MaintenanceFactory,
    VehiculeFactory,
    personne,
)

pytestmark = pytest.mark.django_db

AUJ = timezone.localdate()
J = AUJ + datetime.timedelta(days=30)


def jour(n):
    return J + datetime.timedelta(days=n)


@pytest.fixture
def prestataire(db):
    return UserFactory(prestataire=True)


@pytest.fixture
def monde(bassins):
    """Un véhicule à Orléans et une location d'une personne d'Orléans, une autre d'une personne de Gien."""
    orleans, gien = bassins["Orléans"].commune_test, bassins["Gien"].commune_test
    v = VehiculeFactory(commune=orleans)
    b_orleans = personne(commune=orleans, telephone="0601020304")
    b_gien = personne(commune=gien)
    loc_orleans = LocationFactory(vehicule=v, beneficiaire=b_orleans, debut=J, fin=jour(2))
    loc_gien = LocationFactory(vehicule=v, beneficiaire=b_gien, debut=jour(5), fin=jour(6))
    convention = ConventionFactory()
    return {
        "vehicule": v,
        "b_orleans": b_orleans,
        "b_gien": b_gien,
        "loc_orleans": loc_orleans,
        "loc_gien": loc_gien,
        "convention": convention,
    }


def urls_lecture(m):
    v, loc = m["vehicule"], m["loc_orleans"]
    return {
        "recherche": reverse("mobilite:recherche"),
        "locations": reverse("mobilite:locations"),
        "location": reverse("mobilite:location", args=[loc.pk]),
        "contrat": reverse("mobilite:contrat", args=[loc.pk]),
        "vehicules": reverse("mobilite:vehicules"),
        "vehicule": reverse("mobilite:vehicule", args=[v.pk]),
        "calendrier": reverse("mobilite:calendrier", args=[v.pk]),
        "planning": reverse("mobilite:planning"),
        "conventions": reverse("mobilite:conventions"),
        "convention": reverse("mobilite:convention", args=[m["convention"].pk]),
        "reserver": reverse("mobilite:reserver") + f"?vehicule={v.pk}",
        "depart": reverse("mobilite:depart", args=[loc.pk]),
        "vehicule_creer": reverse("mobilite:vehicule_creer"),
        "maintenance": reverse("mobilite:maintenance", args=[v.pk]),
        "declasser": reverse("mobilite:declasser", args=[v.pk]),
        "convention_creer": reverse("mobilite:convention_creer"),
    }


# Statut attendu par rôle pour chaque page (GET).
MATRICE = {
    "administrateur": dict.fromkeys(
        [
            "recherche",
            "locations",
            "location",
            "contrat",
            "vehicules",
            "vehicule",
            "calendrier",
            "planning",
            "conventions",
            "convention",
            "reserver",
            "depart",
            "vehicule_creer",
            "maintenance",
            "declasser",
            "convention_creer",
        ],
        200,
    ),
    "pilotage": {
        **dict.fromkeys(
            [
                "recherche",
                "locations",
                "location",
                "contrat",
                "vehicules",
                "vehicule",
                "calendrier",
                "planning",
                "conventions",
                "convention",
            ],
            200,
        ),
        **dict.fromkeys(["reserver", "depart", "vehicule_creer", "maintenance", "declasser", "convention_creer"], 403),
    },
    "referent": {
        **dict.fromkeys(
            ["recherche", "locations", "location", "contrat", "vehicules", "vehicule", "calendrier", "planning"], 200
        ),
        "reserver": 200,
        **dict.fromkeys(
            ["conventions", "convention", "depart", "vehicule_creer", "maintenance", "declasser", "convention_creer"],
            403,
        ),
    },
    "agent_mobilite": {
        **dict.fromkeys(
            [
                "recherche",
                "locations",
                "location",
                "contrat",
                "vehicules",
                "vehicule",
                "calendrier",
                "planning",
                "conventions",
                "convention",
                "reserver",
                "depart",
                "vehicule_creer",
                "maintenance",
                "declasser",
                "convention_creer",
            ],
            200,
        ),
    },
}


@pytest.mark.parametrize("role", ["administrateur", "pilotage", "referent", "agent_mobilite", "prestataire"])
def test_matrice_d_acces(client, monde, role, bassins):
    user = UserFactory(role=role, **({"prestataire": True} if role == "prestataire" else {}))
    if role == "referent":
        user.bassins.set([bassins["Orléans"]])
    client.force_login(user)
    for nom, url in urls_lecture(monde).items():
        attendu = 403 if role == "prestataire" else MATRICE[role][nom]
        assert client.get(url).status_code == attendu, (role, nom)


def test_anonyme_renvoye_vers_la_connexion(client, monde):
    reponse = client.get(reverse("mobilite:locations"))
    assert reponse.status_code == 302 and reverse("comptes:connexion") in reponse.url


def test_referent_d_un_autre_bassin_recoit_404(client, monde, referent):
    client.force_login(referent)
    loc_gien = monde["loc_gien"]
    for nom in ("location", "contrat"):
        assert client.get(reverse(f"mobilite:{nom}", args=[loc_gien.pk])).status_code == 404
    reponse = client.post(reverse("mobilite:annuler", args=[loc_gien.pk]))
    assert reponse.status_code == 404
    # Réserver pour une personne d'un autre bassin : 404.
    url = reverse("mobilite:reserver") + f"?vehicule={monde['vehicule'].pk}&beneficiaire={monde['b_gien'].pk}"
    assert client.get(url).status_code == 404
    assert client.get(reverse("mobilite:recherche") + f"?beneficiaire={monde['b_gien'].pk}").status_code == 404


def test_liste_du_referent_ne_montre_que_ses_bassins(client, monde, referent):
    client.force_login(referent)
    reponse = client.get(reverse("mobilite:locations"))
    assert list(reponse.context["table"].data) == [monde["loc_orleans"]]


def test_agent_mobilite_voit_toutes_les_locations_avec_nom_et_telephone(client, monde, agent_mobilite):
    client.force_login(agent_mobilite)
    reponse = client.get(reverse("mobilite:locations"))
    assert len(reponse.context["table"].data) == 2
    assert "0601020304" in reponse.content.decode()


def test_export_csv_reserve_aux_roles_autorises(client, monde, referent, agent_mobilite):
    client.force_login(referent)
    reponse = client.get(reverse("mobilite:locations") + "?_export=csv")
    contenu = reponse.content.decode("utf-8-sig")
    assert reponse.status_code == 200 and monde["b_orleans"].nom.upper() in contenu
    assert monde["b_gien"].nom.upper() not in contenu
    client.force_login(agent_mobilite)
    assert client.get(reverse("mobilite:locations") + "?_export=csv").status_code == 403
    # La flotte ne porte pas de donnée personnelle : l'agent mobilité l'exporte.
    reponse = client.get(reverse("mobilite:vehicules") + "?_export=xlsx")
    assert reponse.status_code == 200
    # Les prix restent des nombres dans le classeur ; à l'écran, le format des montants de commun.
    import io

    import openpyxl

    from commun.francais import euros

    vehicule = Vehicule.objects.order_by("immatriculation").first()
    assert euros(vehicule.prix_journalier) in client.get(reverse("mobilite:vehicules")).content.decode()

    feuille = openpyxl.load_workbook(io.BytesIO(reponse.content)).active
    entete = [c.value for c in feuille[1]]
    lignes = list(feuille.iter_rows(min_row=2, values_only=True))
    assert lignes
    for colonne in ("Prix / jour", "Dépôt"):
        assert all(isinstance(ligne[entete.index(colonne)], int | float) for ligne in lignes), colonne


# --- Recherche ----------------------------------------------------------------------------------------------


class TestRecherche:
    def test_vehicules_libres_sur_toute_la_periode_par_type(self, client, bassins, referent):
        orleans = bassins["Orléans"].commune_test
        libre = VehiculeFactory(commune=orleans)
        vsp_libre = VehiculeFactory(commune=orleans, vsp=True)
        loue_un_jour = VehiculeFactory(commune=orleans)
        LocationFactory(vehicule=loue_un_jour, debut=jour(3), fin=jour(3))
        annulee = VehiculeFactory(commune=orleans)
        LocationFactory(vehicule=annulee, debut=J, fin=jour(5), annulee=True)
        en_maintenance = VehiculeFactory(commune=orleans)
        MaintenanceFactory(vehicule=en_maintenance, debut=jour(5), fin=jour(9))
        loue_avant = VehiculeFactory(commune=orleans)
        LocationFactory(vehicule=loue_avant, debut=jour(-5), fin=jour(-1))
        VehiculeFactory(commune=orleans, statut=StatutVehicule.MAINTENANCE)
        VehiculeFactory(commune=bassins["Gien"].commune_test)
        client.force_login(referent)
        url = reverse("mobilite:recherche") + f"?debut={J}&fin={jour(5)}&bassin={bassins['Orléans'].pk}"
        reponse = client.get(url)
        trouves = {v for g in reponse.context["groupes"] for v in g["vehicules"]}
        assert trouves == {libre, vsp_libre, annulee, loue_avant}
        assert [g["libelle"] for g in reponse.context["groupes"]] == ["Voiture", "Voiture sans permis (VSP)"]
        page = reponse.content.decode()
        assert "4 véhicules libres" in page and f"?vehicule={libre.pk}" in page

    def test_filtre_par_type(self, client, bassins, referent):
        VehiculeFactory(commune=bassins["Orléans"].commune_test)
        vsp = VehiculeFactory(commune=bassins["Orléans"].commune_test, vsp=True)
        client.force_login(referent)
        reponse = client.get(reverse("mobilite:recherche") + f"?debut={J}&fin={J}&type=vsp")
        assert [v for g in reponse.context["groupes"] for v in g["vehicules"]] == [vsp]

    def test_une_requete_pour_les_resultats(self, client, bassins, referent, django_assert_max_num_queries):
        for _ in range(3):
            v = VehiculeFactory(commune=bassins["Orléans"].commune_test)
            LocationFactory(vehicule=v, debut=jour(20), fin=jour(21))
        client.force_login(referent)
        url = reverse("mobilite:recherche") + f"?debut={J}&fin={jour(5)}"
        with django_assert_max_num_queries(12) as requetes:
            client.get(url)
        avant = len(requetes)
        for _ in range(20):
            v = VehiculeFactory(commune=bassins["Gien"].commune_test, vsp=True)
            MaintenanceFactory(vehicule=v, debut=jour(30), fin=jour(31))
        with django_assert_max_num_queries(avant):
            reponse = client.get(url)
        assert reponse.context["nombre"] == 23

    def test_dates_inversees_message(self, client, referent):
        client.force_login(referent)
        reponse = client.get(reverse("mobilite:recherche") + f"?debut={jour(3)}&fin={J}")
        assert "La fin ne peut précéder le début." in reponse.content.decode()


def test_recherche_figee_donne_la_regle_libres_entre(bassins, referent, prestataire):
    """La recherche du guichet (`vehicules_libres`, SQL compilé une fois par forme) rend exactement les véhicules de
    la règle `libres_entre` filtrée par bassin et type, dans l'ordre de la page, pour des périodes qui touchent les
    bornes des locations (annulées ou non) et des maintenances ; rien pour un prestataire."""
    from mobilite.selecteurs import vehicules_libres

    orleans, gien = bassins["Orléans"].commune_test, bassins["Gien"].commune_test
    # Créés dans un autre ordre que celui de la page (type, site, immatriculation) : l'ordre est vérifié aussi.
    c = VehiculeFactory(commune=orleans, vsp=True, immatriculation="ZZ-999-ZZ")
    b = VehiculeFactory(commune=gien, vsp=True, immatriculation="ZZ-998-ZZ")
    d = VehiculeFactory(commune=orleans, type="deux_roues", immatriculation="AA-001-AA")
    a = VehiculeFactory(commune=orleans, immatriculation="MM-500-MM")
    e = VehiculeFactory(commune=orleans, immatriculation="BB-200-BB")
    VehiculeFactory(commune=gien, statut=StatutVehicule.MAINTENANCE)
    LocationFactory(vehicule=a, debut=jour(2), fin=jour(4))
    LocationFactory(vehicule=b, debut=jour(0), fin=jour(1), annulee=True)
    MaintenanceFactory(vehicule=c, debut=jour(4), fin=jour(6))
    assert [v.pk for v in vehicules_libres(referent, jour(0), jour(0))] == [d.pk, e.pk, a.pk, b.pk, c.pk]
    vus = set()
    for debut, fin in [(0, 0), (0, 1), (1, 2), (4, 4), (5, 5), (7, 9), (0, 9)]:
        for bassin in (None, bassins["Orléans"], bassins["Gien"], bassins["Montargis"]):
            for type_ in ("", "voiture", "vsp", "deux_roues"):
                regle = Vehicule.objects.visibles_par(referent).libres_entre(jour(debut), jour(fin))
                if bassin:
                    regle = regle.filter(commune__bassin_emploi=bassin)
                if type_:
                    regle = regle.filter(type=type_)
                attendu = list(regle.order_by("type", "commune__nom", "immatriculation").select_related("commune"))
                lus = vehicules_libres(referent, jour(debut), jour(fin), bassin, type_)
                assert [(v.pk, v.commune_nom) for v in lus] == [(v.pk, v.commune.nom) for v in attendu]
                assert all(v.bassin_nom == v_.commune.bassin_emploi.nom for v, v_ in zip(lus, attendu, strict=True))
                vus.update(v.pk for v in lus)
        assert vehicules_libres(prestataire, jour(debut), jour(fin)) == []
    assert vus == {a.pk, b.pk, c.pk, d.pk, e.pk}


# Le gabarit des lignes que `lignes_vehicules` remplace, gardé ici comme référence de ce qu'elles doivent écrire (la
# longue ligne du lien « Réserver » coupée dans la balise, où l'espace ne compte pas ; le site et son bassin lus
# depuis les colonnes annotées de la recherche, `commune_nom` et `bassin_nom`).
LIGNES_DU_GABARIT = """{% load mobilite %}{% for v in vehicules %}
    <tr>
      <td><a href="{{ v.adresse }}">{{ v.marque }} {{ v.modele }}</a></td>
      <td>{{ v.immatriculation }}</td>
      <td>{{ v.commune_nom }}</td>
      <td>{{ v.bassin_nom }}</td>
      <td>{{ v.prix_journalier|euros }}</td>
      <td>{{ v.depot_garantie|euros }}</td>
      <td>{{ v.total|euros }}</td>
      <td class="text-end">
        <a class="btn btn-outline-secondary btn-sm" href="{{ v.adresse_calendrier }}">Calendrier</a>
        {% if peut_reserver %}
        <a class="btn btn-primary"
           href="{{ v.adresse_reserver }}">Réserver<span class="visually-hidden"> {{ v.immatriculation }}</span></a>
        {% endif %}
      </td>
    </tr>
    {% endfor %}"""


@pytest.mark.parametrize("role", ["referent", "pilotage"])
def test_lignes_de_la_recherche_ecrites_comme_le_gabarit(client, bassins, role):
    """Les lignes de résultats écrites en Python (`lignes_vehicules`) sont celles du gabarit qu'elles remplacent,
    caractères à échapper compris (marque, modèle, commune, adresses à plusieurs paramètres), avec le bouton
    « Réserver » pour qui réserve (référent) et sans pour qui consulte (pilotage)."""
    import re

    from django.template import Context, Template

    orleans = bassins["Orléans"].commune_test
    orleans.nom = "Saint-Jean-d'Orléans <&>"
    orleans.save()
    VehiculeFactory(commune=orleans, marque='Renault & "Fils"', modele="<Clio>", prix_journalier=Decimal("1234.5"))
    VehiculeFactory(commune=orleans, vsp=True, marque="Aixam", modele="City", depot_garantie=Decimal("0"))
    VehiculeFactory(commune=orleans, marque="Peugeot", modele="208")
    b = personne(commune=orleans)
    client.force_login(UserFactory(**{role: True}, bassins=[bassins["Orléans"]]))
    reponse = client.get(reverse("mobilite:recherche") + f"?debut={J}&fin={jour(2)}&beneficiaire={b.pk}")
    assert reponse.status_code == 200
    page = reponse.content.decode()

    def normaliser(html):
        """Espaces réduits à un, retirés seulement autour des lignes et des cellules (où ils ne se voient pas) :
        l'espace entre deux boutons d'une cellule compte."""
        return re.sub(r"\s*(</?t[rd][^>]*>)\s*", r"\1", re.sub(r"\s+", " ", html)).strip()

    peut_reserver = reponse.context["peut_reserver"]
    assert peut_reserver is (role == "referent")
    groupes = reponse.context["groupes"]
    assert [len(g["vehicules"]) for g in groupes] == [2, 1]
    for groupe in groupes:
        attendu = Template(LIGNES_DU_GABARIT).render(
            Context({"vehicules": groupe["vehicules"], "peut_reserver": peut_reserver})
        )
        assert normaliser(attendu) in normaliser(page)
    assert "Renault &amp; &quot;Fils&quot; &lt;Clio&gt;" in page and "d&#x27;Orléans &lt;&amp;&gt;" in page
    assert ("Réserver<span" in page) is (role == "referent")
    assert ('Calendrier</a> <a class="btn btn-primary"' in page) is (role == "referent")  # deux boutons, un espace
    assert (
        f"&amp;beneficiaire={b.pk}" in page if role == "referent" else "beneficiaire=" not in page.split("<tbody>")[1]
    )


# --- Réservation --------------------------------------------------------------------------------------------


class TestReservation:
    def test_reserver_depuis_la_recherche(self, client, bassins, referent):
        orleans = bassins["Orléans"].commune_test
        v = VehiculeFactory(commune=orleans)
        b = personne(commune=orleans)
        client.force_login(referent)
        url = reverse("mobilite:reserver") + f"?vehicule={v.pk}&debut={J}&fin={jour(2)}"
        page = client.get(url)
        assert page.status_code == 200 and str(b) in page.content.decode()
        reponse = client.post(
            url,
            {"vehicule": v.pk, "beneficiaire": b.pk, "debut": J, "fin": jour(2), "motif": "formation"},
        )
        loc = Location.objects.get(vehicule=v)
        assert reponse.status_code == 302 and reponse.url == loc.get_absolute_url()
        assert loc.reservee_par == referent and loc.statut == StatutLocation.RESERVEE

    def test_lien_reserver_de_la_recherche_porte_vehicule_periode_et_personne(self, client, bassins, referent):
        """Chaque « Réserver » des résultats mène au formulaire de ce véhicule, pour la période cherchée et la
        personne pour qui l'on cherche : le formulaire les reprend."""
        orleans = bassins["Orléans"].commune_test
        v1, v2 = VehiculeFactory(commune=orleans), VehiculeFactory(commune=orleans)
        b = personne(commune=orleans)
        client.force_login(referent)
        recherche = client.get(
            reverse("mobilite:recherche"),
            {"debut": J.isoformat(), "fin": jour(2).isoformat(), "beneficiaire": b.pk},
        )
        html = recherche.content.decode()
        for v in (v1, v2):
            lien = f"{reverse('mobilite:reserver')}?vehicule={v.pk}&debut={J.isoformat()}&fin={jour(2).isoformat()}"
            lien += f"&beneficiaire={b.pk}"
            assert f'href="{lien.replace("&", "&amp;")}"' in html
            formulaire = client.get(lien).context["form"]
            assert (formulaire.initial["vehicule"], formulaire.initial["beneficiaire"]) == (v.pk, b.pk)
            assert (formulaire.initial["debut"], formulaire.initial["fin"]) == (J.isoformat(), jour(2).isoformat())

    def test_total_de_la_recherche_est_le_prix_de_la_location_reservee(self, client, bassins, referent):
        """Le total annoncé par la recherche pour la période (chaque jour compris, une location de quelques heures
        comptant pour une journée) est le prix que porte la location réservée pour cette période."""
        orleans = bassins["Orléans"].commune_test
        v = VehiculeFactory(commune=orleans, prix_journalier=Decimal("1.50"))
        b = personne(commune=orleans)
        client.force_login(referent)
        for fin in (J, jour(2)):
            recherche = client.get(reverse("mobilite:recherche"), {"debut": J.isoformat(), "fin": fin.isoformat()})
            (trouve,) = [x for g in recherche.context["groupes"] for x in g["vehicules"] if x.pk == v.pk]
            assert trouve.total == Decimal("1.50") * ((fin - J).days + 1)
            client.post(
                reverse("mobilite:reserver"),
                {"vehicule": v.pk, "beneficiaire": b.pk, "debut": J, "fin": fin, "motif": "formation"},
            )
            location = Location.objects.get(vehicule=v, fin=fin)
            assert location.montant_location == trouve.total
            services.location_annuler(location=location, par=referent, motif="essai")

    def test_personne_hors_perimetre_refusee_par_le_formulaire(self, client, bassins, referent):
        v = VehiculeFactory(commune=bassins["Orléans"].commune_test)
        b_gien = personne(commune=bassins["Gien"].commune_test)
        client.force_login(referent)
        reponse = client.post(
            reverse("mobilite:reserver"),
            {"vehicule": v.pk, "beneficiaire": b_gien.pk, "debut": J, "fin": J, "motif": "formation"},
        )
        assert reponse.status_code == 200 and not Location.objects.exists()
        assert "beneficiaire" in reponse.context["form"].errors

    def test_erreur_de_permis_affichee(self, client, bassins, referent):
        orleans = bassins["Orléans"].commune_test
        v = VehiculeFactory(commune=orleans)
        b = personne(commune=orleans, permis_b=False)
        client.force_login(referent)
        reponse = client.post(
            reverse("mobilite:reserver") + f"?beneficiaire={b.pk}",
            {"vehicule": v.pk, "beneficiaire": b.pk, "debut": J, "fin": J, "motif": "formation"},
        )
        assert reponse.status_code == 200 and "Permis B manquant" in reponse.content.decode()

    def test_chevauchement_affiche_sur_le_champ(self, client, bassins, referent):
        orleans = bassins["Orléans"].commune_test
        v = VehiculeFactory(commune=orleans)
        LocationFactory(vehicule=v, debut=J, fin=jour(2))
        b = personne(commune=orleans)
        client.force_login(referent)
        reponse = client.post(
            reverse("mobilite:reserver"),
            {"vehicule": v.pk, "beneficiaire": b.pk, "debut": jour(2), "fin": jour(3), "motif": "formation"},
        )
        assert "déjà réservé" in str(reponse.context["form"].errors["debut"])

    def test_sans_vehicule_renvoie_vers_la_recherche(self, client, bassins, referent):
        b = personne(commune=bassins["Orléans"].commune_test)
        client.force_login(referent)
        reponse = client.get(reverse("mobilite:reserver") + f"?beneficiaire={b.pk}")
        assert reponse.status_code == 302 and reponse.url == reverse("mobilite:recherche") + f"?beneficiaire={b.pk}"

    def test_action_de_la_fiche_et_fil_chronologique(self, bassins, referent, agent_mobilite, prestataire):
        orleans = bassins["Orléans"].commune_test
        b = personne(commune=orleans)
        loc = LocationFactory(beneficiaire=b, debut=J, fin=jour(1))
        libelles = [a["libelle"] for a in actions_pour(b, referent)]
        assert "Réserver un véhicule" in libelles
        action = next(a for a in actions_pour(b, referent) if a["libelle"] == "Réserver un véhicule")
        assert action["url"] == reverse("mobilite:recherche") + f"?beneficiaire={b.pk}"
        assert "Réserver un véhicule" not in [a["libelle"] for a in actions_pour(b, prestataire)]
        mobilite = [e for e in evenements(b, referent) if e.categorie == "mobilite"]
        assert len(mobilite) == 1 and mobilite[0].url == loc.get_absolute_url()
        assert [e for e in evenements(b, prestataire) if e.categorie == "mobilite"] == []

    def test_fil_chronologique_nombre_de_requetes_constant(self, bassins, referent, django_assert_num_queries):
        from mobilite.timeline import locations

        b = personne(commune=bassins["Orléans"].commune_test)
        for i in range(5):
            LocationFactory(beneficiaire=b, debut=jour(3 * i), fin=jour(3 * i + 1))
        with django_assert_num_queries(1):
            assert len(locations(b, referent)) == 5


# --- Départ, retour, annulation, contrat --------------------------------------------------------------------


class TestEtatsDesLieux:
    def test_depart_puis_retour_par_l_agent(self, client, agent_mobilite):
        v = VehiculeFactory(kilometrage=10_000)
        loc = LocationFactory(vehicule=v, debut=AUJ, fin=AUJ + datetime.timedelta(days=2))
        client.force_login(agent_mobilite)
        page = client.get(reverse("mobilite:depart", args=[loc.pk]))
        assert 'class="tactile' in page.content.decode() and "btn-lg" in page.content.decode()
        reponse = client.post(
            reverse("mobilite:depart", args=[loc.pk]), {"kilometrage": 10_005, "carburant": 4, "etat": "RAS"}
        )
        assert reponse.status_code == 302
        loc.refresh_from_db()
        assert loc.statut == StatutLocation.EN_COURS and loc.km_depart == 10_005
        reponse = client.post(
            reverse("mobilite:retour", args=[loc.pk]),
            {"date_retour": AUJ, "kilometrage": 10_004, "carburant": 3, "etat": "", "incident": "", "montant_du": 0},
        )
        assert reponse.status_code == 200
        assert "inférieur au kilométrage au départ" in str(reponse.context["form"].errors["kilometrage"])
        reponse = client.post(
            reverse("mobilite:retour", args=[loc.pk]),
            {
                "date_retour": AUJ,
                "kilometrage": 10_120,
                "carburant": 3,
                "etat": "Rayure",
                "incident": "degat",
                "montant_du": "45.50",
            },
        )
        assert reponse.status_code == 302
        loc.refresh_from_db()
        assert loc.statut == StatutLocation.RESTITUEE and loc.montant_du == Decimal("45.50")

    def test_referent_ne_fait_pas_l_etat_des_lieux(self, client, monde, referent):
        client.force_login(referent)
        reponse = client.post(
            reverse("mobilite:depart", args=[monde["loc_orleans"].pk]), {"kilometrage": 60_000, "carburant": 4}
        )
        assert reponse.status_code == 403

    def test_annuler(self, client, monde, referent):
        client.force_login(referent)
        reponse = client.post(reverse("mobilite:annuler", args=[monde["loc_orleans"].pk]), {"motif": "Malade"})
        assert reponse.status_code == 302
        monde["loc_orleans"].refresh_from_db()
        assert monde["loc_orleans"].statut == StatutLocation.ANNULEE

    def test_pilotage_ne_peut_pas_annuler(self, client, monde, pilotage):
        client.force_login(pilotage)
        assert client.post(reverse("mobilite:annuler", args=[monde["loc_orleans"].pk])).status_code == 403

    def test_contrat_imprimable(self, client, monde, agent_mobilite):
        client.force_login(agent_mobilite)
        page = client.get(reverse("mobilite:contrat", args=[monde["loc_orleans"].pk])).content.decode()
        assert "mobilite/contrat.css" in page and "Contrat de location de véhicule" in page
        assert monde["vehicule"].immatriculation in page and "style=" not in page and "<script>" not in page
        assert page.count("<h1") == 1

    def test_page_location_nombre_de_requetes(self, client, monde, agent_mobilite, django_assert_max_num_queries):
        client.force_login(agent_mobilite)
        with django_assert_max_num_queries(16):
            reponse = client.get(reverse("mobilite:location", args=[monde["loc_orleans"].pk]))
        assert reponse.status_code == 200 and "Remettre le véhicule" in reponse.content.decode()


# --- Calendrier et planning ---------------------------------------------------------------------------------


class TestCalendrier:
    def test_calendrier_du_mois(self, client, monde, referent):
        v = monde["vehicule"]
        MaintenanceFactory(vehicule=v, debut=jour(10), fin=jour(11), motif="Révision")
        client.force_login(referent)
        reponse = client.get(reverse("mobilite:calendrier", args=[v.pk]) + f"?mois={J:%Y-%m}")
        semaines = reponse.context["semaines"]
        jours = {j.date: j for s in semaines for j in s}
        assert all(len(s) == 7 for s in semaines)
        assert [loc for loc, _ in jours[J].locations] == [monde["loc_orleans"]]
        if jour(10).month == J.month:
            assert jours[jour(10)].maintenance is not None
        page = reponse.content.decode()
        # Le nom d'une personne hors du périmètre du référent n'apparaît pas.
        assert monde["b_orleans"].nom.upper() in page
        if jour(5).month == J.month:
            assert monde["b_gien"].nom.upper() not in page and monde["loc_gien"].numero in page

    def test_calendrier_nombre_de_requetes_constant(self, client, bassins, admin_user, django_assert_max_num_queries):
        v = VehiculeFactory()
        debut_mois = J.replace(day=1)
        LocationFactory(vehicule=v, debut=debut_mois, fin=debut_mois)
        client.force_login(admin_user)
        url = reverse("mobilite:calendrier", args=[v.pk]) + f"?mois={J:%Y-%m}"
        with django_assert_max_num_queries(12) as requetes:
            client.get(url)
        avant = len(requetes)
        for i in range(1, 12):
            LocationFactory(
                vehicule=v,
                debut=debut_mois + datetime.timedelta(days=2 * i),
                fin=debut_mois + datetime.timedelta(days=2 * i),
            )
        with django_assert_max_num_queries(avant):
            client.get(url)

    def test_mois_invalide_revient_au_mois_courant(self, client, monde, referent):
        client.force_login(referent)
        reponse = client.get(reverse("mobilite:calendrier", args=[monde["vehicule"].pk]) + "?mois=2030-13")
        assert reponse.status_code == 200

    def test_planning_par_site(self, client, monde, agent_mobilite, django_assert_max_num_queries):
        MaintenanceFactory(vehicule=monde["vehicule"], debut=jour(3), fin=jour(4))
        client.force_login(agent_mobilite)
        url = reverse("mobilite:planning") + f"?debut={J}&semaines=2"
        with django_assert_max_num_queries(12) as requetes:
            reponse = client.get(url)
        ligne = reponse.context["lignes"][0]
        assert [c.code for c in ligne["cases"][:8]] == ["R", "R", "R", "M", "M", "R", "R", ""]
        assert ligne["libres"] == 14 - 7
        avant = len(requetes)
        for _ in range(15):
            v = VehiculeFactory()
            LocationFactory(vehicule=v, debut=J, fin=jour(1))
        with django_assert_max_num_queries(avant):
            reponse = client.get(url)
        assert len(reponse.context["lignes"]) == 16
        assert monde["b_orleans"].nom not in reponse.content.decode()


# --- Listes : nombre de requêtes constant -------------------------------------------------------------------


@pytest.mark.parametrize("nom", ["mobilite:locations", "mobilite:vehicules", "mobilite:conventions"])
def test_listes_nombre_de_requetes_constant(client, admin_user, nom, django_assert_max_num_queries):
    def peupler(n):
        for _ in range(n):
            loc = LocationFactory()
            ConventionFactory(partenaire=loc.vehicule.partenaire)

    peupler(3)
    client.force_login(admin_user)
    with django_assert_max_num_queries(30) as requetes:
        assert client.get(reverse(nom)).status_code == 200
    avant = len(requetes)
    peupler(27)
    with django_assert_max_num_queries(avant):
        assert client.get(reverse(nom)).status_code == 200


def test_filtres_de_la_liste_des_locations(client, bassins, admin_user):
    orleans, gien = bassins["Orléans"].commune_test, bassins["Gien"].commune_test
    hier = AUJ - datetime.timedelta(days=1)
    en_retard = LocationFactory(
        beneficiaire=personne(commune=orleans), en_cours=True, debut=hier - datetime.timedelta(days=2), fin=hier
    )
    vsp = LocationFactory(beneficiaire=personne(commune=gien), vehicule=VehiculeFactory(vsp=True))
    client.force_login(admin_user)

    def ids(params):
        return {loc.pk for loc in client.get(reverse("mobilite:locations") + params).context["table"].data}

    assert ids("?en_retard=1") == {en_retard.pk}
    assert ids("?type=vsp") == {vsp.pk}
    assert ids(f"?bassin={bassins['Gien'].pk}") == {vsp.pk}
    assert ids("?statut=en_cours") == {en_retard.pk}
    assert ids("?demarrees=1") == {en_retard.pk}
    assert ids(f"?debut_apres={AUJ}") == {vsp.pk}


def test_page_vehicule_et_fiche(client, monde, agent_mobilite, django_assert_max_num_queries):
    client.force_login(agent_mobilite)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("mobilite:vehicule", args=[monde["vehicule"].pk])).content.decode()
    assert "Planifier une maintenance" in page and "Déclasser" in page


def test_creer_un_vehicule(client, bassins, agent_mobilite):
    from tests.referentiel.factories import StructureFactory

    partenaire = StructureFactory(partenaire=True)
    client.force_login(agent_mobilite)
    reponse = client.post(
        reverse("mobilite:vehicule_creer"),
        {
            "immatriculation": "gh-456-jk",
            "type": "vsp",
            "marque": "Ligier",
            "modele": "JS50",
            "date_premiere_immatriculation": "2019-05-01",
            "kilometrage": 8000,
            "commune": bassins["Gien"].commune_test.pk,
            "partenaire": partenaire.pk,
            "prix_journalier": "1.00",
            "depot_garantie": "100.00",
            "date_entree_flotte": "2024-01-01",
        },
    )
    v = Vehicule.objects.get()
    assert reponse.status_code == 302 and v.immatriculation == "GH-456-JK" and v.bassin == bassins["Gien"]
    reponse = client.post(
        reverse("mobilite:vehicule_creer"),
        {
            "immatriculation": "GH-456-JK",
            "type": "vsp",
            "marque": "Ligier",
            "modele": "JS50",
            "date_premiere_immatriculation": "2019-05-01",
            "kilometrage": 8000,
            "commune": bassins["Gien"].commune_test.pk,
            "partenaire": partenaire.pk,
            "prix_journalier": "1.00",
            "depot_garantie": "100.00",
            "date_entree_flotte": "2024-01-01",
        },
    )
    assert reponse.status_code == 200 and "Un véhicule porte déjà cette immatriculation." in reponse.content.decode()


def test_declasser_puis_ceder_par_les_pages(client, agent_mobilite):
    v = VehiculeFactory(kilometrage=90_000)
    convention = ConventionFactory(
        debut=AUJ - datetime.timedelta(days=30), date_signature=AUJ - datetime.timedelta(days=30)
    )
    client.force_login(agent_mobilite)
    reponse = client.post(
        reverse("mobilite:ceder", args=[v.pk]),
        {"convention": convention.pk, "date": AUJ, "kilometrage": 90_000, "valeur_comptable": "500"},
    )
    assert reponse.status_code == 200 and "déclassé avant d'être cédé" in " ".join(
        reponse.context["form"].non_field_errors()
    )
    assert client.post(reverse("mobilite:declasser", args=[v.pk]), {"date": AUJ}).status_code == 302
    reponse = client.post(
        reverse("mobilite:ceder", args=[v.pk]),
        {"convention": convention.pk, "date": AUJ, "kilometrage": 90_100, "valeur_comptable": "500"},
    )
    assert reponse.status_code == 302 and reponse.url == convention.get_absolute_url()
    assert Cession.objects.get().vehicule == v
    page = client.get(convention.get_absolute_url()).content.decode()
    assert v.immatriculation in page and "1 véhicule" in page


def test_page_convention_nombre_de_requetes(client, agent_mobilite, django_assert_max_num_queries):
    convention = ConventionFactory()

    def ceder(n):
        for _ in range(n):
            v = VehiculeFactory()
            services.vehicule_declasser(vehicule=v, date=datetime.date(2024, 2, 1))
            services.vehicule_ceder(
                vehicule=v,
                convention=convention,
                date=datetime.date(2024, 3, 1),
                kilometrage=v.kilometrage,
                valeur_comptable=Decimal("100"),
            )

    ceder(2)
    client.force_login(agent_mobilite)
    with django_assert_max_num_queries(12) as requetes:
        client.get(convention.get_absolute_url())
    avant = len(requetes)
    ceder(10)
    with django_assert_max_num_queries(avant):
        page = client.get(convention.get_absolute_url()).content.decode()
    assert "12 véhicules" in page


def test_menu_par_role(agent_mobilite, referent, pilotage, admin_user):
    def libelles(u):
        return {e["libelle"] for e in entrees_pour(u)}

    assert {"Trouver un véhicule", "Locations", "Flotte", "Cessions"} <= libelles(agent_mobilite)
    assert {"Trouver un véhicule", "Locations"} <= libelles(referent) and "Cessions" not in libelles(referent)
    assert "Trouver un véhicule" not in libelles(pilotage) and "Locations" in libelles(pilotage)
    assert {"Trouver un véhicule", "Locations", "Flotte", "Cessions"} <= libelles(admin_user)


def test_liste_affiche_le_nombre_de_resultats(client, admin_user):
    for _ in range(3):
        LocationFactory()
    client.force_login(admin_user)
    assert "3 résultats" in client.get(reverse("mobilite:locations")).content.decode()


def test_recherche_ignore_un_vehicule_pas_encore_en_flotte(client, referent):
    VehiculeFactory(date_entree_flotte=J + datetime.timedelta(days=1))
    client.force_login(referent)
    reponse = client.get(reverse("mobilite:recherche") + f"?debut={J}&fin={J}")
    assert reponse.context["nombre"] == 0


def test_immobiliser_par_la_page(client, agent_mobilite):
    v = VehiculeFactory()
    reservation = LocationFactory(vehicule=v)
    client.force_login(agent_mobilite)
    reponse = client.post(reverse("mobilite:immobiliser", args=[v.pk]), {"en_maintenance": "on"}, follow=True)
    v.refresh_from_db()
    assert v.statut == StatutVehicule.DISPONIBLE and "1 réservation à venir" in reponse.content.decode()
    services.location_annuler(location=reservation)
    client.post(reverse("mobilite:immobiliser", args=[v.pk]), {"en_maintenance": "on"})
    v.refresh_from_db()
    assert v.statut == StatutVehicule.MAINTENANCE
    client.post(reverse("mobilite:immobiliser", args=[v.pk]), {})
    v.refresh_from_db()
    assert v.statut == StatutVehicule.DISPONIBLE


def test_annuler_une_location_en_cours_affiche_l_erreur(client, agent_mobilite):
    loc = LocationFactory(en_cours=True)
    client.force_login(agent_mobilite)
    reponse = client.post(reverse("mobilite:annuler", args=[loc.pk]), follow=True)
    loc.refresh_from_db()
    assert loc.statut == StatutLocation.EN_COURS and "Seule une location réservée" in reponse.content.decode()


def test_planifier_une_maintenance_par_la_page(client, agent_mobilite):
    v = VehiculeFactory()
    LocationFactory(vehicule=v, debut=J, fin=jour(2))
    client.force_login(agent_mobilite)
    reponse = client.post(reverse("mobilite:maintenance", args=[v.pk]), {"debut": jour(2), "fin": jour(4)})
    assert reponse.status_code == 200 and "occupe déjà" in " ".join(reponse.context["form"].non_field_errors())
    reponse = client.post(reverse("mobilite:maintenance", args=[v.pk]), {"debut": jour(3), "fin": jour(4)})
    assert reponse.status_code == 302 and v.maintenances.count() == 1


def test_creer_et_signer_une_convention_par_les_pages(client, agent_mobilite):
    from tests.referentiel.factories import StructureFactory

    partenaire = StructureFactory(partenaire=True)
    client.force_login(agent_mobilite)
    reponse = client.post(
        reverse("mobilite:convention_creer"),
        {"partenaire": partenaire.pk, "objet": "Cession", "debut": "2026-01-01", "fin": "2028-12-31", "modalites": ""},
    )
    from mobilite.models import ConventionCession

    convention = ConventionCession.objects.get()
    assert reponse.status_code == 302 and not convention.signee
    reponse = client.post(reverse("mobilite:convention_signer", args=[convention.pk]), {"date_signature": "2026-01-05"})
    convention.refresh_from_db()
    assert reponse.status_code == 302 and convention.date_signature == datetime.date(2026, 1, 5)


def test_proces_verbal_de_cession_imprimable(client, agent_mobilite, referent, pilotage, django_assert_max_num_queries):
    convention = ConventionFactory()
    v = VehiculeFactory(immatriculation="GH-123-JK", marque="Renault", modele="Clio")
    services.vehicule_declasser(vehicule=v, date=datetime.date(2024, 2, 1))
    cession = services.vehicule_ceder(
        vehicule=v,
        convention=convention,
        date=datetime.date(2024, 3, 1),
        kilometrage=v.kilometrage + 12,
        valeur_comptable=Decimal("1250.50"),
    )
    url = reverse("mobilite:proces_verbal", args=[cession.pk])
    client.force_login(agent_mobilite)
    assert url in client.get(convention.get_absolute_url()).content.decode()
    assert url in client.get(reverse("mobilite:vehicule", args=[v.pk])).content.decode()
    with django_assert_max_num_queries(10):
        reponse = client.get(url)
    html = reponse.content.decode()
    assert "Procès-verbal de cession" in html
    assert f"n° {convention.numero}" in html and convention.partenaire.nom in html
    assert "GH-123-JK" in html and "Renault Clio" in html
    assert "1\u202f250,50\xa0€" in html
    assert "01/03/2024" in html and "signature" in html
    client.force_login(pilotage)
    assert client.get(url).status_code == 200
    client.force_login(referent)
    assert client.get(url).status_code == 403


# --- Au guichet : l'agent mobilité ----------------------------------------------------------------------------


def test_agent_mobilite_trouve_la_personne_et_reserve_au_guichet(client, bassins, agent_mobilite):
    gien = bassins["Gien"].commune_test
    v = VehiculeFactory(commune=gien)
    b = personne(commune=gien, nom="Lévy", prenoms="Noé")
    personne(commune=gien, nom="Martin")
    client.force_login(agent_mobilite)
    url = reverse("mobilite:reserver") + f"?vehicule={v.pk}&debut={J}&fin={jour(2)}"
    # Sans recherche, personne n'est listé (tout le Département) ; « levy » trouve « Lévy », le numéro aussi.
    assert str(b) not in client.get(url).content.decode()
    for q in ("levy", "LÉVY noé", b.foyer.numero_allocataire):
        page = client.get(url + f"&q={q}").content.decode()
        assert str(b) in page and "MARTIN" not in page
    page = client.get(url + "&q=levy").content.decode()
    assert f"née le {b.date_naissance:%d/%m/%Y}" in page and "permis B" in page
    # Seuls les champs d'une réservation : ni contrat aidé ni forum (autres axes), ni lien vers la fiche.
    assert 'name="contrat"' not in page and 'name="forum"' not in page
    assert b.get_absolute_url() not in page
    reponse = client.post(
        url, {"vehicule": v.pk, "beneficiaire": b.pk, "debut": J, "fin": jour(2), "motif": "entretien"}
    )
    loc = Location.objects.get(vehicule=v)
    assert reponse.status_code == 302 and loc.beneficiaire == b and loc.reservee_par == agent_mobilite
    # La fiche de la personne (évaluation, autres axes) lui reste fermée.
    assert client.get(b.get_absolute_url()).status_code == 403


def test_guichet_requetes_constantes(client, bassins, agent_mobilite, django_assert_max_num_queries):
    gien = bassins["Gien"].commune_test
    v = VehiculeFactory(commune=gien)
    for i in range(30):
        personne(commune=gien, nom=f"Levy{i}")
    client.force_login(agent_mobilite)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("mobilite:reserver") + f"?vehicule={v.pk}&debut={J}&fin={jour(2)}&q=levy")
    assert page.content.decode().count("LEVY") >= 30


def test_retour_en_retard_montre_le_montant_du_et_le_carburant(client, agent_mobilite, settings):
    settings.LOCATION_PENALITE_RETARD_JOUR = "5.00"
    settings.LOCATION_CARBURANT_QUART = "15.00"
    v = VehiculeFactory(kilometrage=10_000, prix_journalier=Decimal("1.00"))
    debut = AUJ - datetime.timedelta(days=6)
    loc = LocationFactory(vehicule=v, debut=debut, fin=AUJ - datetime.timedelta(days=2))
    services.location_depart(
        location=loc,
        kilometrage=10_000,
        carburant=4,
        maintenant=timezone.make_aware(datetime.datetime.combine(debut, datetime.time(9))),
    )
    client.force_login(agent_mobilite)
    reponse = client.post(
        reverse("mobilite:retour", args=[loc.pk]),
        {"date_retour": AUJ, "kilometrage": 10_200, "carburant": 3, "etat": "", "incident": "", "montant_du": 0},
    )
    assert reponse.status_code == 302
    page = client.get(loc.get_absolute_url()).content.decode()
    assert "Montant dû : 27,00\xa0€" in page  # 2 jours x (1 € + 5 €) + 1 quart x 15 €
    assert "Retard de restitution : 2 jours" in page and "= 12,00\xa0€" in page
    assert "Carburant plus bas qu'au départ (Plein → 3/4) : 1 quart × 15,00\xa0€ = 15,00\xa0€" in page


def test_remise_la_veille_dit_pourquoi_sur_la_page(client, agent_mobilite):
    loc = LocationFactory(debut=AUJ + datetime.timedelta(days=1), fin=AUJ + datetime.timedelta(days=3))
    client.force_login(agent_mobilite)
    page = client.get(reverse("mobilite:depart", args=[loc.pk])).content.decode()
    assert "Remise refusée" in page and "(demain)" in page
    reponse = client.post(reverse("mobilite:depart", args=[loc.pk]), {"kilometrage": 90_000, "carburant": 4})
    assert reponse.status_code == 200 and "premier jour réservé" in reponse.content.decode()


def test_declasser_un_vehicule_reserve_lie_la_reservation_et_propose_de_la_deplacer(client, agent_mobilite, bassins):
    orleans = bassins["Orléans"].commune_test
    v = VehiculeFactory(commune=orleans, type="vsp")
    loc = LocationFactory(vehicule=v, debut=J, fin=jour(2), beneficiaire=personne(permis_am=True))
    libre = VehiculeFactory(commune=orleans, type="vsp", immatriculation="AB-777-CD")
    VehiculeFactory(commune=orleans, type="voiture")
    client.force_login(agent_mobilite)
    url = reverse("mobilite:declasser", args=[v.pk])
    reponse = client.post(url, {"date": AUJ})
    page = reponse.content.decode()
    assert reponse.status_code == 200 and "1 réservation à venir" in page
    assert loc.get_absolute_url() in page and "Déplacer sur AB-777-CD" in page
    reponse = client.post(reverse("mobilite:deplacer", args=[loc.pk]), {"vehicule": libre.pk})
    assert reponse.status_code == 302 and reponse.url == url
    loc.refresh_from_db()
    assert loc.vehicule == libre
    assert client.post(url, {"date": AUJ}).status_code == 302
    v.refresh_from_db()
    assert v.statut == StatutVehicule.DECLASSE
