#!/usr/bin/env python3
"""Sauvegarde et restauration de la base de plan-emploi (appelé par `make sauvegarde` et `make restauration`).

La base est celle de DATABASE_URL (lue comme les réglages, avec django-environ et le fichier `.env`) :

- PostgreSQL : `pg_dump --format=custom` ; restauration par `pg_restore --clean --if-exists` en une transaction ;
- SQLite : copie cohérente par l'API de sauvegarde de sqlite3 (jamais une simple copie du fichier, qui peut
  saisir une écriture en cours), et restauration par la même API.

    python scripts/sauvegarde.py sauvegarder [--dossier sauvegardes] [--garder-jours 30]
    python scripts/sauvegarde.py restaurer FICHIER [--oui]
    python scripts/sauvegarde.py comparer URL_A URL_B      # nombre de lignes de chaque table (CI)

Les sauvegardes contiennent des données personnelles : fichiers en mode 600, dossier hors du dépôt, durée de
conservation bornée (--garder-jours) ; voir docs/exploitation.md.
"""

import argparse
import contextlib
import datetime
import glob
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))

from commun import francais  # noqa: E402 - après le chemin du projet

PREFIXE = "plan-emploi-"
MAGIE_PG = b"PGDMP"
MAGIE_SQLITE = b"SQLite format 3\x00"


class Erreur(Exception):
    pass


def configuration(url=None):
    """Configuration de base (dict django-environ) pour `url`, ou DATABASE_URL, ou la base SQLite par défaut."""
    if url is None:
        environ.Env.read_env(RACINE / ".env", overwrite=False)
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{RACINE / 'db.sqlite3'}"
    config = environ.Env.db_url_config(url)
    moteur = config["ENGINE"]
    if moteur.endswith("postgresql"):
        config["type"] = "postgresql"
    elif moteur.endswith("sqlite3"):
        config["type"] = "sqlite"
    else:
        raise Erreur(f"Moteur non pris en charge pour la sauvegarde : {moteur}")
    return config


def outil_postgresql(nom):
    """pg_dump / pg_restore : celui du PATH, sinon le plus récent des versions installées (Debian)."""
    chemin = shutil.which(nom)
    if chemin:
        return chemin
    candidats = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{nom}"), key=lambda c: int(c.split("/")[4]))
    if candidats:
        return candidats[-1]
    raise Erreur(f"Commande {nom} introuvable : installez le client PostgreSQL (paquet postgresql-client).")


def env_postgresql(config):
    """Variables libpq : le mot de passe ne passe jamais sur la ligne de commande (visible dans ps)."""
    env = dict(os.environ)
    for cle, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if config.get(cle):
            env[variable] = str(config[cle])
    env["PGDATABASE"] = config["NAME"]
    return env


def sauvegarder(*, dossier, url=None, garder_jours=None):
    config = configuration(url)
    dossier = Path(dossier)
    dossier.mkdir(parents=True, exist_ok=True)
    os.chmod(dossier, 0o700)
    horodatage = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    if config["type"] == "postgresql":
        fichier = dossier / f"{PREFIXE}{horodatage}.dump"
        partiel = fichier.with_suffix(".partiel")
        subprocess.run(
            [outil_postgresql("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={partiel}"],
            env=env_postgresql(config),
            check=True,
        )
    else:
        source = Path(config["NAME"])
        if not source.exists():
            raise Erreur(f"Base SQLite introuvable : {source}")
        fichier = dossier / f"{PREFIXE}{horodatage}.sqlite3"
        partiel = fichier.with_suffix(".partiel")
        with ouvrir(source) as origine, ouvrir(partiel) as copie:
            origine.backup(copie)
            verifier_sqlite(copie)
    os.chmod(partiel, 0o600)
    partiel.rename(fichier)  # le fichier final n'existe que complet
    if garder_jours is not None:
        purger(dossier, garder_jours, garde=fichier)
    return fichier


def purger(dossier, jours, *, garde):
    limite = datetime.datetime.now().timestamp() - jours * 86400
    for ancien in Path(dossier).glob(f"{PREFIXE}*"):
        if ancien != garde and ancien.suffix in (".dump", ".sqlite3") and ancien.stat().st_mtime < limite:
            ancien.unlink()
            print(f"Sauvegarde de plus de {jours} jours supprimée : {ancien.name}", file=sys.stderr)


def ouvrir(chemin):
    """Connexion SQLite fermée en sortie de bloc (le `with` de sqlite3 ne fait que valider la transaction), avec
    la collation « francais » des noms (sans elle, SQLite refuse de vérifier leurs index)."""
    connexion = sqlite3.connect(chemin)
    connexion.create_collation(francais.COLLATION, francais.comparer)
    return contextlib.closing(connexion)


def verifier_sqlite(connexion):
    resultat = connexion.execute("PRAGMA integrity_check").fetchone()[0]
    if resultat != "ok":
        raise Erreur(f"Fichier SQLite corrompu : {resultat}")


def restaurer(fichier, *, url=None, url_cache=None):
    """Remplace la base de `url` (ou DATABASE_URL) par la sauvegarde, fait sauter les versions des données et vide
    le cache partagé : celui de `url_cache`, ou de CACHE_URL pour la base de DATABASE_URL (`url` non donnée). Rend
    True si un cache partagé a été vidé."""
    config = configuration(url)
    fichier = Path(fichier)
    if not fichier.is_file():
        raise Erreur(f"Fichier de sauvegarde introuvable : {fichier}")
    with open(fichier, "rb") as f:
        entete = f.read(16)
    if config["type"] == "postgresql":
        if not entete.startswith(MAGIE_PG):
            raise Erreur(f"{fichier} n'est pas une sauvegarde PostgreSQL (pg_dump --format=custom).")
        subprocess.run(
            [
                outil_postgresql("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={config['NAME']}",
                str(fichier),
            ],
            env=env_postgresql(config),
            check=True,
        )
    else:
        if entete != MAGIE_SQLITE:
            raise Erreur(f"{fichier} n'est pas une base SQLite.")
        with ouvrir(fichier) as source:
            verifier_sqlite(source)
            with ouvrir(config["NAME"]) as cible:
                source.backup(cible)
    sauter_versions(config)
    if url_cache is not None or url is None:
        return vider_cache_partage(url_cache)
    return False


def vider_cache_partage(url=None):
    """Le cache partagé de `url` (ou CACHE_URL) vidé, comme le fait `cache.clear()` de Django (FLUSHDB de sa base
    Redis). Les sessions y sont lues avant la base (`cached_db`) : sans cela, une session ouverte après la
    sauvegarde, absente de la base restaurée, resterait valable jusqu'à son échéance (et sa prolongation
    échouerait à chaque page). Sans CACHE_URL (cache local en mémoire de chaque processus, en développement) :
    rien à vider ici, les processus redémarrés repartent à vide. Rend True si un cache a été vidé."""
    if url is None:
        environ.Env.read_env(RACINE / ".env", overwrite=False)
        url = os.environ.get("CACHE_URL", "")
    if not url:
        return False
    reglage = environ.Env.cache_url_config(url)
    if not reglage["BACKEND"].endswith(".RedisCache"):
        return False
    import redis

    emplacements = reglage["LOCATION"]
    for emplacement in [emplacements] if isinstance(emplacements, str) else emplacements:
        try:
            redis.Redis.from_url(emplacement).flushdb()
        except redis.RedisError as exc:
            raise Erreur(
                f"La base est restaurée, mais le cache partagé ({sans_secret(emplacement)}) n'a pas pu être vidé : "
                f"{exc}. Videz-le (redis-cli -u URL flushdb) avant de rouvrir le service."
            ) from exc
    return True


def sans_secret(url):
    """L'adresse d'un service sans son mot de passe, pour un message (`redis://:***@hote:6379/1`)."""
    morceaux = urlsplit(url)
    if morceaux.password is None:
        return url
    hote = morceaux.hostname or ""
    port = f":{morceaux.port}" if morceaux.port else ""
    utilisateur = morceaux.username or ""
    return urlunsplit(morceaux._replace(netloc=f"{utilisateur}:***@{hote}{port}"))


# Les versions des données en cache (commun/versions.py) : après une restauration, chacune passe au-delà de toute
# valeur déjà servie (la base sauvegardée a pu continuer à écrire après la sauvegarde, et un cache partagé
# garde des pages calculées sous ces valeurs) : le temps présent en microsecondes, ou le maximum s'il est plus
# grand, plus un. Les incrémentations ordinaires (+1 par écriture validée) n'approchent pas cette échelle.
TABLE_VERSIONS = "commun_versioncache"
SQL_SAUTER = (
    f"UPDATE {TABLE_VERSIONS} SET valeur = (SELECT CASE WHEN max(valeur) > {{p}} THEN max(valeur) ELSE {{p}} END "
    f"FROM {TABLE_VERSIONS}) + 1"
)


def sauter_versions(config):
    maintenant = time.time_ns() // 1000
    if config["type"] == "postgresql":
        import psycopg

        params = {k.lower(): v for k, v in config.items() if k in ("HOST", "PORT", "USER", "PASSWORD") and v}
        with psycopg.connect(dbname=config["NAME"], autocommit=True, **params) as connexion:
            if connexion.execute("SELECT to_regclass(%s)", [TABLE_VERSIONS]).fetchone()[0] is not None:
                connexion.execute(SQL_SAUTER.format(p="%s"), [maintenant, maintenant])
    else:
        with ouvrir(config["NAME"]) as connexion:
            existe = connexion.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [TABLE_VERSIONS]
            ).fetchone()
            if existe:
                connexion.execute(SQL_SAUTER.format(p="?"), [maintenant, maintenant])
                connexion.commit()


def compter(url):
    """{table: nombre de lignes} de toutes les tables de la base ; pour PostgreSQL, aussi {séquence: valeur}."""
    config = configuration(url)
    resultat = {}
    if config["type"] == "postgresql":
        import psycopg

        params = {k.lower(): v for k, v in config.items() if k in ("HOST", "PORT", "USER", "PASSWORD") and v}
        with psycopg.connect(dbname=config["NAME"], **params) as connexion:
            tables = connexion.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
            for (table,) in tables:
                resultat[table] = connexion.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            for nom, valeur in connexion.execute(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
            ).fetchall():
                resultat[f"séquence {nom}"] = valeur
    else:
        with ouvrir(config["NAME"]) as connexion:
            tables = connexion.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            ).fetchall()
            for (table,) in tables:
                resultat[table] = connexion.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    return resultat


def comparer(url_a, url_b):
    """Rend la liste des différences (vide si les deux bases ont les mêmes tables et les mêmes comptes)."""
    a, b = compter(url_a), compter(url_b)
    differences = []
    for cle in sorted(set(a) | set(b)):
        if a.get(cle) != b.get(cle):
            differences.append(f"{cle} : {a.get(cle, 'absente')} ≠ {b.get(cle, 'absente')}")
    return differences, a


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sous = parser.add_subparsers(dest="action", required=True)
    p = sous.add_parser("sauvegarder", help="Sauvegarde la base de DATABASE_URL.")
    p.add_argument("--dossier", default=os.environ.get("SAUVEGARDE_DOSSIER", str(RACINE / "sauvegardes")))
    p.add_argument("--garder-jours", type=int, default=None, help="Supprime les sauvegardes plus anciennes.")
    p = sous.add_parser("restaurer", help="Remplace le contenu de la base de DATABASE_URL par FICHIER.")
    p.add_argument("fichier")
    p.add_argument("--oui", action="store_true", help="Ne pas demander de confirmation.")
    p = sous.add_parser("comparer", help="Compare le nombre de lignes de chaque table de deux bases.")
    p.add_argument("url_a")
    p.add_argument("url_b")
    args = parser.parse_args(argv)
    try:
        if args.action == "sauvegarder":
            fichier = sauvegarder(dossier=args.dossier, garder_jours=args.garder_jours)
            print(f"Sauvegarde écrite ({fichier.stat().st_size} octets) :", file=sys.stderr)
            print(fichier)
        elif args.action == "restaurer":
            config = configuration()
            cible = config["NAME"]
            if not args.oui and sys.stdin.isatty():
                question = (
                    f"La base « {cible} » sera remplacée par {args.fichier} (et le cache partagé vidé). "
                    "Continuer ? [o/N] "
                )
                reponse = input(question)
                if reponse.strip().lower() not in ("o", "oui"):
                    print("Restauration abandonnée.", file=sys.stderr)
                    return 1
            cache_vide = restaurer(args.fichier)
            print(f"Base « {cible} » restaurée depuis {args.fichier}.", file=sys.stderr)
            if cache_vide:
                print(
                    "Cache partagé (CACHE_URL) vidé : sessions et pages d'avant la restauration oubliées.",
                    file=sys.stderr,
                )
            else:
                print(
                    "Aucun cache partagé vidé (CACHE_URL absente ou pas Redis) : redémarrez les serveurs, dont le "
                    "cache en mémoire garde les sessions d'avant la restauration.",
                    file=sys.stderr,
                )
        else:
            differences, comptes = comparer(args.url_a, args.url_b)
            if differences:
                print("Les bases diffèrent :\n  " + "\n  ".join(differences), file=sys.stderr)
                return 1
            lignes = sum(v for k, v in comptes.items() if not k.startswith("séquence "))
            print(f"Bases identiques : {len(comptes)} tables et séquences, {lignes} lignes.", file=sys.stderr)
    except (Erreur, subprocess.CalledProcessError, sqlite3.Error) as exc:
        print(f"Échec : {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
