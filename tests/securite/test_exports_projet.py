"""Exports du projet : toute liste exportable (commun.exports.ExportMixin) n'exporte des données personnelles
qu'aux rôles autorisés (ROLES_EXPORT_PERSONNEL) et journalise chaque export ; tout fichier téléchargé depuis une
page du projet (Content-Disposition: attachment) laisse une trace dans le journal des exports."""

import pytest
from django.test import Client
from django.urls import reverse

from commun.exports import ExportMixin
from comptes.models import ROLES_EXPORT_PERSONNEL, JournalExport
from tests.securite import monde as M
from tests.securite.test_matrice_acces import GET, PARAMS, REQUETE
from tests.securite.urls_projet import routes

pytestmark = pytest.mark.urls("tests.securite.urls_rgpd")


# Exceptions décidées par les applications et documentées (README, docs/rgpd.md) : le prestataire exporte son
# propre état des résultats (facturation), qui ne contient que les personnes orientées vers lui.
EXCEPTIONS = {"placement:etat": {"prestataire", "prestataire_autre"}}


def routes_exportables():
    return sorted(n for n, r in routes().items() if r.classe is not None and issubclass(r.classe, ExportMixin))


def test_les_listes_exportables_sont_trouvees():
    assert len(routes_exportables()) >= 5


@pytest.mark.django_db
def test_exports_reserves_et_journalises(bassins):
    m = M.construire(bassins)
    erreurs = []
    for nom in routes_exportables():
        route = routes()[nom]
        url = reverse(nom, kwargs=PARAMS.get(nom, lambda m: {})(m))
        requete = REQUETE.get(nom, lambda m: {})(m)
        for role in M.ROLES[1:]:
            if GET[nom].split()[M.ROLES.index(role)] != "200":
                continue  # la page elle-même est refusée à ce rôle : vérifié par la matrice d'accès
            client = Client()
            client.force_login(m.users[role])
            avant = JournalExport.objects.count()
            reponse = client.get(url, {**requete, "_export": "csv"})
            personnel = route.classe.donnees_personnelles
            autorise = (
                (not personnel)
                or m.users[role].role in ROLES_EXPORT_PERSONNEL
                or m.users[role].is_superuser
                or role in EXCEPTIONS.get(nom, ())
            )
            if autorise:
                if reponse.status_code != 200 or "csv" not in reponse.get("Content-Type", ""):
                    erreurs.append(f"{nom} ({role}) : export autorisé mais {reponse.status_code}")
                elif JournalExport.objects.count() != avant + 1:
                    erreurs.append(f"{nom} ({role}) : export non journalisé")
                else:
                    entree = JournalExport.objects.latest("date")
                    if entree.utilisateur != m.users[role] or entree.format != "csv":
                        erreurs.append(f"{nom} ({role}) : journal incomplet {entree}")
            else:
                if reponse.status_code != 403:
                    erreurs.append(f"{nom} ({role}) : export personnel non refusé ({reponse.status_code})")
                if JournalExport.objects.count() != avant:
                    erreurs.append(f"{nom} ({role}) : export refusé mais journalisé")
    assert not erreurs, "\n".join(erreurs)


@pytest.mark.django_db
def test_tout_telechargement_est_journalise(bassins):
    """Une page qui rend un fichier (pièce jointe) est un export : elle doit laisser une trace."""
    m = M.construire(bassins)
    client = Client()
    client.force_login(m.users["administrateur"])
    erreurs = []
    for nom in sorted(routes()):
        if GET.get(nom, "").split()[1:2] != ["200"]:
            continue
        url = reverse(nom, kwargs=PARAMS.get(nom, lambda m: {})(m))
        avant = JournalExport.objects.count()
        reponse = client.get(url, REQUETE.get(nom, lambda m: {})(m))
        if "attachment" in reponse.get("Content-Disposition", "") and JournalExport.objects.count() == avant:
            erreurs.append(f"{nom} : fichier téléchargé sans trace au journal des exports")
    assert not erreurs, "\n".join(erreurs)
