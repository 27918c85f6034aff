"""Temps serveur d'une page CALCULÉE (adresse jamais demandée) contre le temps de son SQL, dans un seul processus.

Sans charge : le client de test de Django ouvre, pour chaque page, `--requetes` adresses distinctes (filtres,
tris, pages, fiches différents ; aucune en cache), chronomètre chaque requête et, dans le même temps, le SQL
(temps passé dans `execute`, relevé par un enveloppeur de connexion). Imprime les médianes et leur rapport, et
la liste de l'administration Django avec les mêmes filtres en référence. Imprime aussi le temps CPU du processus
Django (`time.process_time`, sans l'attente de PostgreSQL) : la mesure qui reste juste sur une machine chargée.

    DEBUG=1 DJANGO_SETTINGS_MODULE=bench.reglages_processus DATABASE_URL=postgres://…/base \
        .venv/bin/python -m bench.calcule [--requetes 20] [--profil beneficiaires]
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time


def _chronometre_sql(compteur):
    def enveloppe(execute, sql, params, many, context):
        debut = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            compteur[0] += time.perf_counter() - debut
            compteur[1] += 1

    return enveloppe


def pages(n):
    from datetime import timedelta

    from django.urls import reverse
    from django.utils import timezone

    from bench.mesures import pages_mixtes
    from referentiel.models import BassinEmploi

    mixtes = {p.code: p for p in pages_mixtes()}
    bassin = BassinEmploi.objects.filter(nom="Orléans").first() or BassinEmploi.objects.order_by("pk").first()
    jour = timezone.localdate()
    vehicules = [
        f"{reverse('mobilite:recherche')}?debut={(jour + timedelta(days=d)).isoformat()}"
        f"&fin={(jour + timedelta(days=d + k)).isoformat()}&bassin={bassin.pk}&vue={i}"
        for i, (d, k) in enumerate((d, k) for d in (1, 7, 14, 30, 45) for k in (1, 6, 30, 3))
    ]
    return [
        ("beneficiaires", "Liste des bénéficiaires", mixtes["mixte_beneficiaires"].chemins[: n + 2], "referent"),
        ("admin_beneficiaires", "Admin, mêmes filtres", mixtes["mixte_admin_beneficiaires"].chemins[: n + 2], "admin"),
        ("contrats", "Liste des contrats", mixtes["mixte_contrats"].chemins[: n + 2], "referent"),
        ("admin_contrats", "Admin des contrats", mixtes["mixte_admin_contrats"].chemins[: n + 2], "admin"),
        ("fiche", "Fiche d'une personne", mixtes["mixte_fiche"].chemins[: n + 2], "referent"),
        ("vehicules", "Recherche de véhicules", vehicules[: n + 2], "referent"),
    ]


def mesurer(chemins, identifiant, profil=None):
    from django.db import connection

    from bench.mesures import client_connecte
    from commun.pile import dans_un_bloc

    client = client_connecte(identifiant)
    for chemin in chemins[:2]:  # échauffement (gabarits, plans), sur des adresses non mesurées
        assert client.get(chemin).status_code == 200, chemin
    serveur, sql, nombres, cpu = [], [], [], []
    for chemin in chemins[2:]:
        compteur = [0.0, 0]
        with connection.execute_wrapper(_chronometre_sql(compteur)):
            debut, debut_cpu = time.perf_counter(), time.process_time()
            if profil is not None:
                profil.enable()
            reponse = dans_un_bloc(client.get, chemin)  # comme sous le serveur (plan_emploi/wsgi.py)
            if profil is not None:
                profil.disable()
            duree, duree_cpu = time.perf_counter() - debut, time.process_time() - debut_cpu
        assert reponse.status_code == 200, (chemin, reponse.status_code)
        serveur.append(duree * 1000)
        sql.append(compteur[0] * 1000)
        nombres.append(compteur[1])
        cpu.append(duree_cpu * 1000)
    return statistics.median(serveur), statistics.median(sql), statistics.median(nombres), statistics.median(cpu)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--requetes", type=int, default=20)
    p.add_argument("--profil", help="code d'une page à profiler (cProfile, 30 fonctions les plus coûteuses)")
    p.add_argument("--pages", help="codes séparés par des virgules")
    args = p.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.reglages_processus")
    import django

    django.setup()
    resultats = {}
    for code, libelle, chemins, identifiant in pages(args.requetes):
        if args.pages and code not in args.pages.split(","):
            continue
        profil = cProfile.Profile() if args.profil == code else None
        serveur, sql, nombre, cpu = mesurer(chemins, identifiant, profil)
        resultats[code] = serveur, cpu
        print(
            f"{libelle:28} serveur {serveur:7.1f} ms  SQL {sql:6.1f} ms ({nombre:.0f} req.)  "
            f"rapport {serveur / sql:4.1f}  CPU du processus {cpu:6.1f} ms"
        )
        if profil is not None:
            stats = pstats.Stats(profil, stream=sys.stdout).sort_stats(os.environ.get("PROFIL_TRI", "cumulative"))
            stats.print_stats(os.environ.get("PROFIL_FILTRE", ""), 60)
    for code in ("beneficiaires", "contrats"):
        if code in resultats and f"admin_{code}" in resultats:
            (page, page_cpu), (admin, admin_cpu) = resultats[code], resultats[f"admin_{code}"]
            print(f"{code} : admin / page = {admin / page:.2f} (CPU du processus : {admin_cpu / page_cpu:.2f})")


if __name__ == "__main__":
    main()
