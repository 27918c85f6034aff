"""Intégration continue : deux serveurs gunicorn sur deux ports, une même base PostgreSQL et un même Redis.

Une écriture faite par le serveur A (fiche renommée, personne archivée, par les formulaires) est vue aussitôt par
le serveur B sur la liste, la fiche et le tableau de bord, pages que B avait déjà servies (donc gardées dans le
cache partagé). La base (DATABASE_URL, déjà migrée et semée par `demo --echelle petite`) et CACHE_URL (Redis)
viennent de l'environnement ; DATABASE_REPLICA_URL aussi s'il est défini. Sort en erreur au premier écart.
"""

import html.parser
import http.cookiejar
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


class Formulaire(html.parser.HTMLParser):
    """Les champs du premier formulaire POST de la page, avec leurs valeurs affichées."""

    def __init__(self):
        super().__init__()
        self.champs, self.dedans, self.fini, self.select, self.textarea = {}, False, False, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post" and not self.fini:
            self.dedans = True
        if not self.dedans:
            return
        if tag == "input" and a.get("name"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.champs[a["name"]] = a.get("value", "on")
            elif a.get("type") not in ("submit", "button"):
                self.champs[a["name"]] = a.get("value", "")
        elif tag == "select":
            self.select = a.get("name")
            self.champs.setdefault(self.select, "")
        elif tag == "option" and self.select and "selected" in a:
            self.champs[self.select] = a.get("value", "")
        elif tag == "textarea":
            self.textarea = a.get("name")
            self.champs[self.textarea] = ""

    def handle_data(self, data):
        if self.textarea:
            self.champs[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form" and self.dedans:
            self.dedans, self.fini = False, True


def port_libre():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Navigateur:
    """Un utilisateur : les cookies valent pour 127.0.0.1 quel que soit le port (session partagée en base)."""

    def __init__(self):
        self.cookies = http.cookiejar.CookieJar()
        self.ouvreur = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), PasDeRedirection())

    def get(self, url):
        with self.ouvreur.open(url, timeout=60) as r:
            return r.status, r.read().decode()

    def post(self, url, donnees):
        corps = urllib.parse.urlencode(donnees).encode()
        requete = urllib.request.Request(url, data=corps, headers={"Referer": url})
        try:
            with self.ouvreur.open(requete, timeout=60) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()


class PasDeRedirection(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None

    def http_error_302(self, req, fp, code, msg, headers):
        return fp


def formulaire(page):
    """Le premier formulaire POST du contenu principal (la barre de navigation porte celui de la déconnexion)."""
    lecteur = Formulaire()
    lecteur.feed(principal(page) if '<main id="contenu"' in page else page)
    return lecteur.champs


def principal(page):
    return page[page.index('<main id="contenu"') : page.index("</main>")]


def verifier(condition, message):
    if not condition:
        print(f"ÉCHEC : {message}", file=sys.stderr)
        raise SystemExit(1)
    print(f"ok : {message}")


def main():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.reglages",  # cookies sans Secure (HTTP en clair sur 127.0.0.1)
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
    }
    dossier = tempfile.mkdtemp(prefix="deux-serveurs-")
    env["BENCH_STATIC_ROOT"] = str(Path(dossier) / "static")
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=RACINE, env=env, check=True)
    serveurs, adresses = [], []
    try:
        for _ in range(2):
            port = port_libre()
            serveurs.append(
                subprocess.Popen(
                    [
                        str(BIN / "gunicorn"),
                        "plan_emploi.wsgi:application",
                        "--workers",
                        "2",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--log-level",
                        "warning",
                    ],
                    cwd=RACINE,
                    env=env,
                )
            )
            adresses.append(f"http://127.0.0.1:{port}")
        for adresse in adresses:
            for _ in range(60):
                try:
                    urllib.request.urlopen(f"{adresse}/sante/", timeout=2)
                    break
                except OSError:
                    time.sleep(0.5)
        a, b = adresses
        admin = Navigateur()
        _, page = admin.get(f"{a}/comptes/connexion/")
        statut, _ = admin.post(
            f"{a}/comptes/connexion/",
            {**formulaire(page), "username": "admin", "password": "plan-emploi-demo"},
        )
        verifier(statut == 302, "connexion par le serveur A")

        liste = f"{b}/beneficiaires/?etat_droit=2&statut=en_parcours"
        _, page = admin.get(liste)
        pk = int(re.search(r'href="/beneficiaires/(\d+)/"', page).group(1))
        fiche = f"{b}/beneficiaires/{pk}/"
        nouveau = f"Serveurdeux{secrets.randbelow(10**6)}"
        recherche = f"{b}/beneficiaires/?q={nouveau}"
        tableau = f"{b}/tableau-de-bord/"
        for _ in range(2):  # servies deux fois par B : en cache
            _, page_liste = admin.get(recherche)
            _, page_fiche = admin.get(fiche)
            statut, page_tableau = admin.get(tableau)
        verifier(statut == 200, f"B : tableau de bord servi ({statut})")
        lien = f'href="/beneficiaires/{pk}/"'
        verifier(lien not in page_liste, "B : la recherche du nouveau nom ne trouve personne")

        _, page = admin.get(f"{a}/beneficiaires/{pk}/modifier/")
        statut, reponse = admin.post(f"{a}/beneficiaires/{pk}/modifier/", {**formulaire(page), "nom": nouveau})
        erreurs = re.findall(r'class="invalid-feedback[^"]*"[^>]*>([^<]+)', reponse)
        verifier(statut == 302, f"A : fiche renommée par le formulaire ({statut} {erreurs[:3]})")
        _, page_liste = admin.get(recherche)
        verifier(lien in page_liste, "B : la liste trouve aussitôt la personne sous son nouveau nom")
        _, page_fiche = admin.get(fiche)
        verifier(nouveau.upper() in page_fiche.upper(), "B : la fiche montre aussitôt le nouveau nom")

        _, page = admin.get(f"{a}/beneficiaires/{pk}/archiver/")
        statut, _ = admin.post(f"{a}/beneficiaires/{pk}/archiver/", formulaire(page))
        verifier(statut == 302, "A : personne archivée")
        _, apres = admin.get(tableau)
        verifier(principal(apres) != principal(page_tableau), "B : le tableau de bord change aussitôt")
    finally:
        for s in serveurs:
            s.terminate()
        for s in serveurs:
            s.wait(timeout=30)


if __name__ == "__main__":
    main()
