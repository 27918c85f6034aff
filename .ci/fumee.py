# Exécuté par .ci/run via `manage.py shell` : chaque rôle de démonstration se connecte et ouvre ses pages.
from django.test import Client

from commun.menu_registre import entrees_pour
from comptes.models import User
from comptes.services import MOT_DE_PASSE_DEMO

anonyme = Client(HTTP_HOST="localhost")
assert anonyme.get("/comptes/connexion/").status_code == 200, "page de connexion"
assert anonyme.get("/").status_code == 302, "l'accueil doit renvoyer vers la connexion"
erreurs = []
for user in User.objects.filter(username__in=["admin", "pilotage", "referent", "prestataire", "mobilite"]):
    client = Client(HTTP_HOST="localhost")
    reponse = client.post("/comptes/connexion/", {"username": user.username, "password": MOT_DE_PASSE_DEMO})
    assert reponse.status_code == 302, f"connexion de {user.username} refusée"
    for entree in entrees_pour(user):
        statut = client.get(entree["url"]).status_code
        print(f"{user.username:12} {entree['url']:40} {statut}")
        if statut != 200:
            erreurs.append(f"{user.username} {entree['url']} -> {statut}")
if erreurs:
    raise SystemExit("Pages en erreur : " + "; ".join(erreurs))
print("Fumée : toutes les pages répondent.")
