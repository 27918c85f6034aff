"""Sauvegarde et restauration (scripts/sauvegarde.py) : SQLite toujours, PostgreSQL quand la suite y tourne."""

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.beneficiaires.factories import BeneficiaireFactory

RACINE = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(RACINE / "scripts"))
import sauvegarde  # noqa: E402


def base_sqlite(chemin, n):
    with sqlite3.connect(chemin) as c:
        c.execute("CREATE TABLE IF NOT EXISTS personne (id INTEGER PRIMARY KEY, nom TEXT)")
        c.executemany("INSERT INTO personne (nom) VALUES (?)", [(f"p{i}",) for i in range(n)])
    return f"sqlite:///{chemin}"


def test_aller_retour_sqlite(tmp_path):
    url = base_sqlite(tmp_path / "base.sqlite3", 5)
    fichier = sauvegarde.sauvegarder(dossier=tmp_path / "sauvegardes", url=url)
    assert fichier.name.startswith("plan-emploi-") and fichier.suffix == ".sqlite3"
    assert stat.S_IMODE(fichier.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "sauvegardes").stat().st_mode) == 0o700
    base_sqlite(tmp_path / "base.sqlite3", 3)  # la base change après la sauvegarde
    assert sauvegarde.compter(url) == {"personne": 8}
    sauvegarde.restaurer(fichier, url=url)
    assert sauvegarde.compter(url) == {"personne": 5}
    differences, _ = sauvegarde.comparer(url, f"sqlite:///{fichier}")
    assert differences == []


def test_comparer_signale_les_differences(tmp_path):
    a = base_sqlite(tmp_path / "a.sqlite3", 2)
    b = base_sqlite(tmp_path / "b.sqlite3", 3)
    differences, _ = sauvegarde.comparer(a, b)
    assert differences == ["personne : 2 ≠ 3"]


def test_restauration_refuse_un_fichier_qui_n_est_pas_une_sauvegarde(tmp_path):
    url = base_sqlite(tmp_path / "base.sqlite3", 2)
    faux = tmp_path / "faux.sqlite3"
    faux.write_text("ceci n'est pas une base")
    with pytest.raises(sauvegarde.Erreur, match="n'est pas une base SQLite"):
        sauvegarde.restaurer(faux, url=url)
    with pytest.raises(sauvegarde.Erreur, match="introuvable"):
        sauvegarde.restaurer(tmp_path / "absent.sqlite3", url=url)
    assert sauvegarde.compter(url) == {"personne": 2}


def test_purge_des_sauvegardes_anciennes(tmp_path):
    url = base_sqlite(tmp_path / "base.sqlite3", 1)
    dossier = tmp_path / "s"
    dossier.mkdir()
    ancienne = dossier / "plan-emploi-20200101-000000.sqlite3"
    ancienne.write_bytes(b"x")
    os.utime(ancienne, (0, 0))
    autre = dossier / "notes.txt"
    autre.write_text("garder")
    os.utime(autre, (0, 0))
    fichier = sauvegarde.sauvegarder(dossier=dossier, url=url, garder_jours=30)
    assert sorted(p.name for p in dossier.iterdir()) == sorted([fichier.name, "notes.txt"])


def test_ligne_de_commande_sqlite(tmp_path):
    url = base_sqlite(tmp_path / "base.sqlite3", 4)
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("CACHE_URL", None)  # jamais le cache de celui qui lance les tests
    script = RACINE / "scripts" / "sauvegarde.py"
    sortie = subprocess.run(
        [sys.executable, script, "sauvegarder", "--dossier", tmp_path / "s"], env=env, capture_output=True, text=True
    )
    assert sortie.returncode == 0, sortie.stderr
    fichier = sortie.stdout.strip().splitlines()[-1]
    base_sqlite(tmp_path / "base.sqlite3", 1)
    retour = subprocess.run(
        [sys.executable, script, "restaurer", fichier, "--oui"], env=env, capture_output=True, text=True
    )
    assert retour.returncode == 0, retour.stderr
    assert "restaurée" in retour.stderr and "Aucun cache partagé vidé" in retour.stderr
    assert sauvegarde.compter(url) == {"personne": 4}
    echec = subprocess.run(
        [sys.executable, script, "restaurer", str(tmp_path / "absent"), "--oui"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert echec.returncode == 1 and "Échec" in echec.stderr


REDIS_ESSAI = "redis://127.0.0.1:6379/13"


def redis_joignable():
    import redis

    try:
        return redis.Redis.from_url(REDIS_ESSAI, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


def test_restauration_vide_le_cache_partage(tmp_path):
    """Les sessions sont lues dans le cache avant la base (`cached_db`) : une restauration vide le cache partagé
    (sa base Redis seulement), sans quoi une session absente de la base restaurée resterait ouverte."""
    import redis

    if not redis_joignable():
        if os.environ.get("CI"):
            pytest.fail("Redis injoignable sur 127.0.0.1:6379 : la CI le démarre, ce test doit y tourner")
        pytest.skip("Redis injoignable sur 127.0.0.1:6379 (la CI le démarre)")
    cache, voisin = redis.Redis.from_url(REDIS_ESSAI), redis.Redis.from_url("redis://127.0.0.1:6379/14")
    url = base_sqlite(tmp_path / "base.sqlite3", 2)
    fichier = sauvegarde.sauvegarder(dossier=tmp_path / "s", url=url)
    cache.set(":1:django.contrib.sessions.cached_dbabc", b"session ouverte apres la sauvegarde")
    voisin.set("autre-application", b"garde")
    try:
        assert sauvegarde.restaurer(fichier, url=url, url_cache=REDIS_ESSAI) is True
        assert cache.dbsize() == 0
        assert voisin.get("autre-application") == b"garde"
    finally:
        voisin.delete("autre-application")


def test_restauration_dit_quand_le_cache_n_a_pas_pu_etre_vide(tmp_path):
    url = base_sqlite(tmp_path / "base.sqlite3", 2)
    fichier = sauvegarde.sauvegarder(dossier=tmp_path / "s", url=url)
    base_sqlite(tmp_path / "base.sqlite3", 3)
    with pytest.raises(sauvegarde.Erreur, match="cache partagé .* n'a pas pu être vidé") as erreur:
        sauvegarde.restaurer(fichier, url=url, url_cache="redis://:secret-du-cache@127.0.0.1:1/0")
    assert "secret-du-cache" not in str(erreur.value) and "127.0.0.1:1" in str(erreur.value)
    assert sauvegarde.compter(url) == {"personne": 2}  # la base, elle, est restaurée
    assert sauvegarde.vider_cache_partage("locmemcache://plan-emploi") is False


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_aller_retour_postgresql(postgresql_requis, tmp_path):
    import psycopg

    BeneficiaireFactory.create_batch(3)
    reglages = connection.settings_dict
    parametres = {k.lower(): reglages[k] for k in ("HOST", "PORT", "USER", "PASSWORD") if reglages.get(k)}

    def url(nom):
        auth = reglages["USER"] + (f":{reglages['PASSWORD']}" if reglages.get("PASSWORD") else "")
        return f"postgres://{auth}@{reglages['HOST'] or '127.0.0.1'}:{reglages['PORT'] or 5432}/{nom}"

    copie = f"{reglages['NAME']}_restauree"
    with psycopg.connect(dbname="postgres", autocommit=True, **parametres) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{copie}"')
        admin.execute(f'CREATE DATABASE "{copie}"')
    try:
        fichier = sauvegarde.sauvegarder(dossier=tmp_path, url=url(reglages["NAME"]))
        assert fichier.read_bytes()[:5] == b"PGDMP"
        sauvegarde.restaurer(fichier, url=url(copie))
        differences, comptes = sauvegarde.comparer(url(reglages["NAME"]), url(copie))
        assert differences == []
        assert comptes["beneficiaires_beneficiaire"] == 3
        # Une deuxième restauration (--clean) sur une base déjà remplie donne le même résultat.
        sauvegarde.restaurer(fichier, url=url(copie))
        assert sauvegarde.comparer(url(reglages["NAME"]), url(copie))[0] == []
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **parametres) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{copie}" WITH (FORCE)')


def versions_sqlite(chemin):
    with sqlite3.connect(chemin) as c:
        return dict(c.execute("SELECT espace, valeur FROM commun_versioncache").fetchall())


def test_restauration_fait_sauter_les_versions_au_dela_de_toute_valeur_servie(tmp_path):
    """Après la sauvegarde, la base a continué d'écrire (versions 7 puis 900) et un cache partagé garde des pages
    sous ces valeurs : restaurée, chaque version les dépasse, et ne reprend aucune valeur déjà servie."""
    chemin = tmp_path / "base.sqlite3"
    with sqlite3.connect(chemin) as c:
        c.execute("CREATE TABLE commun_versioncache (espace TEXT PRIMARY KEY, valeur INTEGER)")
        c.executemany("INSERT INTO commun_versioncache VALUES (?, ?)", [("beneficiaires", 5), ("contrats", 2)])
    url = f"sqlite:///{chemin}"
    fichier = sauvegarde.sauvegarder(dossier=tmp_path / "sauvegardes", url=url)
    with sqlite3.connect(chemin) as c:
        c.execute("UPDATE commun_versioncache SET valeur = 900 WHERE espace = 'beneficiaires'")
        c.execute("UPDATE commun_versioncache SET valeur = 7 WHERE espace = 'contrats'")
    sauvegarde.restaurer(fichier, url=url)
    apres = versions_sqlite(chemin)
    assert min(apres.values()) > 900
    assert len(set(apres.values())) == 1  # toutes au même point, au-delà de toute valeur servie
    sauvegarde.restaurer(fichier, url=url)  # une seconde restauration saute encore plus loin
    assert min(versions_sqlite(chemin).values()) > max(apres.values())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_restauration_postgresql_fait_sauter_les_versions(postgresql_requis, tmp_path):
    import psycopg

    from commun import versions

    versions.ecritures_en_masse("beneficiaires")
    reglages = connection.settings_dict
    parametres = {k.lower(): reglages[k] for k in ("HOST", "PORT", "USER", "PASSWORD") if reglages.get(k)}
    auth = reglages["USER"] + (f":{reglages['PASSWORD']}" if reglages.get("PASSWORD") else "")
    hote = f"{reglages['HOST'] or '127.0.0.1'}:{reglages['PORT'] or 5432}"
    copie = f"{reglages['NAME']}_versions"
    with psycopg.connect(dbname="postgres", autocommit=True, **parametres) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{copie}"')
        admin.execute(f'CREATE DATABASE "{copie}"')
    try:
        fichier = sauvegarde.sauvegarder(dossier=tmp_path, url=f"postgres://{auth}@{hote}/{reglages['NAME']}")
        sauvegarde.restaurer(fichier, url=f"postgres://{auth}@{hote}/{copie}")
        with psycopg.connect(dbname=copie, **parametres) as c:
            restaurees = dict(c.execute("SELECT espace, valeur FROM commun_versioncache").fetchall())
        avant = int(versions.versions("beneficiaires").split("+")[0])
        assert restaurees["beneficiaires"] > avant + 10**9
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **parametres) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{copie}" WITH (FORCE)')


def test_sauvegarde_sqlite_avec_la_collation_des_noms(tmp_path):
    """Les noms sont rangés par la collation « francais » (index compris) : la vérification d'intégrité de la
    sauvegarde et de la restauration la connaît."""
    from commun.francais import COLLATION, comparer

    chemin = tmp_path / "base.sqlite3"
    with sqlite3.connect(chemin) as c:
        c.create_collation(COLLATION, comparer)
        c.execute(f'CREATE TABLE personne (id INTEGER PRIMARY KEY, nom TEXT COLLATE "{COLLATION}")')
        c.execute("CREATE INDEX personne_nom ON personne (nom)")
        c.executemany("INSERT INTO personne (nom) VALUES (?)", [("Chuelles",), ("Châlette",), ("BÈGUE",)])
    url = f"sqlite:///{chemin}"
    fichier = sauvegarde.sauvegarder(dossier=tmp_path / "sauvegardes", url=url)
    sauvegarde.restaurer(fichier, url=url)
    assert sauvegarde.compter(url) == {"personne": 3}
