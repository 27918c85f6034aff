"""Outils communs du banc : bases PostgreSQL dédiées, processus lancés et arrêtés par leur identifiant."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

RACINE = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent


class ErreurBanc(SystemExit):
    """Arrêt du banc avec un message en français (code de sortie 2)."""

    def __init__(self, message):
        print(f"\nBanc interrompu : {message}", file=sys.stderr)
        super().__init__(2)


def url_postgresql():
    """DATABASE_URL, obligatoirement PostgreSQL : le banc mesure la base de production, jamais SQLite."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        raise ErreurBanc(
            "DATABASE_URL est obligatoire et doit désigner un serveur PostgreSQL, par exemple "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres make bench. "
            "Le banc crée puis supprime ses propres bases (pe_bench_loiret, pe_bench_national)."
        )
    if urlsplit(url).scheme not in ("postgres", "postgresql", "pgsql", "postgis"):
        raise ErreurBanc(
            f"le banc refuse « {urlsplit(url).scheme} » : il mesure PostgreSQL, la base de production "
            "(SQLite n'a ni le même planificateur ni la même concurrence). Donnez DATABASE_URL=postgres://..."
        )
    return url


def url_replique(url):
    """L'URL de --replique, PostgreSQL comme celle de la base principale."""
    if urlsplit(url).scheme not in ("postgres", "postgresql", "pgsql", "postgis"):
        raise ErreurBanc(f"--replique doit désigner un serveur PostgreSQL (postgres://hôte:port/...), pas « {url} »")
    return url


def url_avec_base(url, nom):
    morceaux = urlsplit(url)
    return urlunsplit((morceaux.scheme, morceaux.netloc, f"/{nom}", morceaux.query, morceaux.fragment))


def _connexion_maintenance(url):
    import psycopg

    morceaux = urlsplit(url_avec_base(url, "postgres"))
    return psycopg.connect(
        host=morceaux.hostname or "127.0.0.1",
        port=morceaux.port or 5432,
        user=morceaux.username or "postgres",
        password=morceaux.password,
        dbname="postgres",
        autocommit=True,
    )


def base_du_banc(nom):
    """Le banc ne touche qu'à ses propres bases : pe_bench_*, ou pe_<préfixe>_bench_* (--prefixe-base)."""
    return re.fullmatch(r"pe_(\w+_)?bench_\w+", nom) is not None


def creer_base(url, nom):
    if not base_du_banc(nom):
        raise ErreurBanc(f"nom de base inattendu « {nom} » : le banc ne touche qu'aux bases pe_bench_*")
    with _connexion_maintenance(url) as cx:
        cx.execute(f'DROP DATABASE IF EXISTS "{nom}" WITH (FORCE)')
        cx.execute(f'CREATE DATABASE "{nom}"')


def supprimer_base(url, nom):
    if not base_du_banc(nom):
        return
    with _connexion_maintenance(url) as cx:
        cx.execute(f'DROP DATABASE IF EXISTS "{nom}" WITH (FORCE)')


def base_existe(url, nom):
    with _connexion_maintenance(url) as cx:
        return cx.execute("SELECT 1 FROM pg_database WHERE datname = %s", [nom]).fetchone() is not None


def port_libre():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Processus:
    """Un processus lancé par le banc, dans son propre groupe ; arrêté par son identifiant, jamais par son nom."""

    def __init__(self, commande, *, env, journal):
        self.journal = journal
        self._fichier = open(journal, "w", encoding="utf-8")  # noqa: SIM115 - fermé par arreter()
        self.popen = subprocess.Popen(
            commande, cwd=RACINE, env=env, stdout=self._fichier, stderr=subprocess.STDOUT, start_new_session=True
        )

    def vivant(self):
        return self.popen.poll() is None

    def arreter(self, delai=10):
        if self.vivant():
            try:
                os.killpg(self.popen.pid, signal.SIGTERM)
                self.popen.wait(timeout=delai)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.popen.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.popen.wait(timeout=delai)
        self._fichier.close()

    def fin_du_journal(self, lignes=30):
        try:
            return "\n".join(Path(self.journal).read_text(encoding="utf-8", errors="replace").splitlines()[-lignes:])
        except OSError:
            return ""


def attendre_http(url, *, processus, delai=60):
    import urllib.request

    fin = time.monotonic() + delai
    while time.monotonic() < fin:
        if not processus.vivant():
            raise ErreurBanc(f"gunicorn s'est arrêté au démarrage :\n{processus.fin_du_journal()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise ErreurBanc(f"gunicorn ne répond pas sur {url} après {delai} s :\n{processus.fin_du_journal()}")


def lire_modele(url, nom):
    """Le commentaire JSON d'une base modèle (empreinte du code qui l'a semée, temps de semis), ou None."""
    import json

    with _connexion_maintenance(url) as cx:
        ligne = cx.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [nom]
        ).fetchone()
    if not ligne or not ligne[0]:
        return None
    try:
        return json.loads(ligne[0])
    except ValueError:
        return None


def cloner_base(url, modele, nom):
    """CREATE DATABASE nom TEMPLATE modele : une copie de fichiers, quelques secondes pour des millions de lignes."""
    if not (base_du_banc(nom) and base_du_banc(modele)):
        raise ErreurBanc("le banc ne touche qu'aux bases pe_bench_*")
    with _connexion_maintenance(url) as cx:
        cx.execute(f'DROP DATABASE IF EXISTS "{nom}" WITH (FORCE)')
        cx.execute(f'CREATE DATABASE "{nom}" TEMPLATE "{modele}"')


def enregistrer_modele(url, nom, modele, description):
    """Garde la base semée comme modèle (pour les passages suivants), avec son empreinte en commentaire."""
    import json

    if not (base_du_banc(nom) and base_du_banc(modele)):
        raise ErreurBanc("le banc ne touche qu'aux bases pe_bench_*")
    texte = json.dumps(description, ensure_ascii=False)
    with _connexion_maintenance(url) as cx:
        cx.execute(f'DROP DATABASE IF EXISTS "{modele}" WITH (FORCE)')
        cx.execute(f'CREATE DATABASE "{modele}" TEMPLATE "{nom}"')
        cx.execute(f'COMMENT ON DATABASE "{modele}" IS {_litteral(texte)}')


def _litteral(texte):
    return "'" + texte.replace("'", "''") + "'"


def _empreinte(motifs, *parametres):
    import hashlib

    h = hashlib.sha256(repr(parametres).encode())
    for motif in motifs:
        for chemin in sorted(RACINE.glob(motif)):
            if ".venv" in chemin.parts:
                continue
            h.update(str(chemin.relative_to(RACINE)).encode())
            h.update(chemin.read_bytes())
    return h.hexdigest()[:16]


def empreinte_schema(echelle, personnes, graine):
    """Empreinte de ce qui fait la forme des données : migrations (et semis national). Une base modèle dont
    le schéma diffère n'est jamais réutilisée."""
    motifs = ["*/migrations/*.py"] + (["bench/semer_national.py"] if echelle == "national" else [])
    return _empreinte(motifs, echelle, personnes, graine)


def empreinte_demo():
    """Empreinte des générateurs de démonstration : s'ils ont changé, le modèle reste utilisable (même
    schéma), mais le rapport le signale ; `--sans-modele` resème."""
    return _empreinte(["*/demo.py", "referentiel/registre_demo.py", "referentiel/donnees/*.csv"])
