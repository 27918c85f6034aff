"""Banc de mesure de plan-emploi : `make bench` (échelle Loiret) ou `make bench BENCH_ARGS="--echelle national"`.

1. Crée sa propre base PostgreSQL (pe_bench_loiret ou pe_bench_national) sur le serveur de DATABASE_URL.
2. Sème les données en masse et chronomètre : Loiret par `manage.py demo --echelle loiret` ;
   national (2 000 000 de personnes par défaut, --personnes) par COPY (bench/semer_national.py).
3. Mesure dans le processus le SQL de chaque page (requêtes capturées puis rejouées seules) et le calcul
   du tableau de bord (sans cache, avec cache, SQL seul) ; avec `--replique`, le tableau est calculé sur une
   réplique en streaming, à travers le routeur, après le rejeu du semis, et ses requêtes comptées par base.
4. Lance gunicorn (réglages de production, DEBUG désactivé, 3 processus sync comme en production) sur 127.0.0.1 et
   le charge avec locust (sessions authentifiées par le formulaire), 1 puis 20 utilisateurs par page.
5. Chronomètre l'import d'un fichier de 30 000 bénéficiaires, l'aperçu d'une liste de 100 000 personnes (et son
   rechargement), le chargement d'un référentiel national de 35 000 communes, le refus d'une bombe XLSX
   (bench/importation.py). `--seulement-imports` : ces mesures seules, sur le référentiel du Loiret.
6. Imprime le tableau et les rapports, écrit bench/resultats/<date>-<échelle>.json, supprime la base.
"""

import argparse
import datetime as dt
import json
import os
import platform
import re
import runpy
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.base import (  # noqa: E402
    BIN,
    PYTHON,
    RACINE,
    ErreurBanc,
    Processus,
    attendre_http,
    cloner_base,
    creer_base,
    empreinte_demo,
    empreinte_schema,
    enregistrer_modele,
    lire_modele,
    port_libre,
    supprimer_base,
    url_avec_base,
    url_postgresql,
    url_replique,
)

RESULTATS = RACINE / "bench" / "resultats"
REGLAGES_GUNICORN = RACINE / "plan_emploi" / "gunicorn.conf.py"
MOT_DE_PASSE_DEMO = "plan-emploi-demo"


def lire_arguments(argv=None):
    p = argparse.ArgumentParser(description="Banc de mesure de plan-emploi (PostgreSQL).")
    p.add_argument("--echelle", choices=("loiret", "national"), default="loiret")
    p.add_argument(
        "--personnes", type=int, default=2_000_000, help="échelle nationale : nombre de personnes (défaut 2 000 000)"
    )
    p.add_argument("--duree", type=float, default=8.0, help="secondes de charge par page et par niveau (défaut 8)")
    p.add_argument("--utilisateurs", default="1,20", help="niveaux de concurrence, séparés par des virgules")
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="processus gunicorn (sync) ; par défaut ceux de la production (plan_emploi/gunicorn.conf.py : 3, ou "
        "GUNICORN_WORKERS)",
    )
    p.add_argument("--pages", default="", help="codes des pages à charger (toutes par défaut)")
    p.add_argument("--import-lignes", type=int, default=30_000, help="lignes du fichier importé (0 : pas d'import)")
    p.add_argument("--apercu-lignes", type=int, default=100_000, help="lignes de la liste prévisualisée (0 : non)")
    p.add_argument("--communes", type=int, default=35_000, help="communes du référentiel national (0 : non)")
    p.add_argument(
        "--seulement-imports",
        action="store_true",
        help="seulement les mesures d'import (référentiel du Loiret, sans démo ni pages ni charge)",
    )
    p.add_argument("--sans-charge", action="store_true", help="ne pas lancer gunicorn ni locust")
    p.add_argument("--reutiliser", action="store_true", help="garder la base existante (pas de semis)")
    p.add_argument(
        "--sans-modele",
        action="store_true",
        help="semer à neuf même si une base modèle de même empreinte existe (elle est alors remplacée)",
    )
    p.add_argument("--garder", action="store_true", help="ne pas supprimer la base à la fin")
    p.add_argument(
        "--prefixe-base",
        default="pe_bench",
        help="préfixe des bases du banc (défaut pe_bench ; pe_<nom>_bench pour une base à soi)",
    )
    p.add_argument(
        "--mixte-utilisateurs",
        type=int,
        default=20,
        help="charge mixte : utilisateurs qui ouvrent des adresses nouvelles (0 : pas de charge mixte ; défaut 20)",
    )
    p.add_argument(
        "--ecritures-par-s", type=float, default=1.0, help="charge mixte : écritures réelles par seconde (défaut 1)"
    )
    p.add_argument(
        "--replique",
        default="",
        metavar="URL",
        help="serveur d'une réplique en streaming du serveur de DATABASE_URL (postgres://hôte:port/...) : le "
        "tableau de bord y est calculé à travers le routeur, sur la base du banc (le nom de base de l'URL est "
        "remplacé par le sien), après le rejeu du semis",
    )
    p.add_argument("--graine", type=int, default=2017)
    args = p.parse_args(argv)
    if args.workers is None:  # ce que sert la production, lu dans ses propres réglages
        args.workers = runpy.run_path(str(REGLAGES_GUNICORN))["workers"]
    return args


def hote_port(url):
    """hôte:port d'une URL de base, sans l'utilisateur ni le mot de passe (pour le journal et le rapport)."""
    morceaux = urlsplit(url)
    return f"{morceaux.hostname}:{morceaux.port or 5432}"


def journal(message):
    print(f"[{dt.datetime.now(dt.UTC):%H:%M:%S} UTC] {message}", flush=True)


# --- Semis ------------------------------------------------------------------------------------------------


def semer(args):
    from django.core.management import call_command
    from django.db import connection

    temps = {}
    t = time.perf_counter()
    call_command("migrate", "--noinput", verbosity=0)
    temps["migrations_s"] = round(time.perf_counter() - t, 1)
    journal(f"migrations : {temps['migrations_s']} s")

    class Sortie:
        lignes = []

        def write(self, texte, *a, **k):
            self.lignes.append(texte)

        def flush(self):
            pass

    sortie = Sortie()
    t = time.perf_counter()
    if args.echelle == "loiret":
        call_command("demo", echelle="loiret", graine=args.graine, stdout=sortie)
    else:
        call_command("demo", echelle="petite", graine=args.graine, stdout=sortie)
    temps["demo_s"] = round(time.perf_counter() - t, 1)
    temps["demo_par_generateur_s"] = {
        m.group(1): float(m.group(2))
        for ligne in sortie.lignes
        if (m := re.search(r"\[([^\]]+)\] ([0-9.]+) s", str(ligne)))
    }
    journal(f"démo ({'loiret' if args.echelle == 'loiret' else 'petite'}) : {temps['demo_s']} s")
    if args.echelle == "national":
        from bench.semer_national import semer_national

        t = time.perf_counter()
        temps["national_par_table_s"] = semer_national(personnes=args.personnes, graine=args.graine, journal=journal)
        temps["national_s"] = round(time.perf_counter() - t, 1)
        journal(f"semis national ({args.personnes} personnes) : {temps['national_s']} s")
    t = time.perf_counter()
    with connection.cursor() as c:
        c.execute("VACUUM ANALYZE")
    temps["vacuum_analyze_s"] = round(time.perf_counter() - t, 1)
    try:
        from tableau_de_bord.services import tableau_invalider

        tableau_invalider()
    except ImportError:
        pass
    return temps


# --- Serveur et charge ------------------------------------------------------------------------------------


def environnement_production(url_base, static_root):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "BENCH_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.reglages",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        DATABASE_URL=url_base,
        BENCH_STATIC_ROOT=str(static_root),
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(RACINE),
    )
    return env


def demarrer_gunicorn(args, url_base, dossier):
    static_root = Path(dossier) / "static"
    env = environnement_production(url_base, static_root)
    t = time.perf_counter()
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=RACINE, env=env, check=True, timeout=300
    )
    journal(f"collectstatic : {time.perf_counter() - t:.1f} s")
    port = port_libre()
    commande = [
        str(BIN / "gunicorn"),
        "--config",  # les réglages de production (journal des accès compris) ; la ligne de commande les précise
        str(REGLAGES_GUNICORN),
        "--access-logfile",  # à part : les erreurs de démarrage restent lisibles à la fin de gunicorn.log
        str(Path(dossier) / "gunicorn-acces.log"),
        "plan_emploi.wsgi:application",
        "--workers",
        str(args.workers),
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "120",
        "--log-level",
        "warning",
    ]
    processus = Processus(commande, env=env, journal=Path(dossier) / "gunicorn.log")
    attendre_http(f"http://127.0.0.1:{port}/sante/", processus=processus)
    journal(f"gunicorn : {args.workers} processus sync sur 127.0.0.1:{port}")
    return processus, f"http://127.0.0.1:{port}"


def lancer_ecrivain(args, url_base, dossier, code):
    """bench/ecrivain.py dans son propre processus, pendant la charge mixte d'une page."""
    env = environnement_production(url_base, Path(dossier) / "static")
    sortie = Path(dossier) / f"ecrivain-{code}.json"
    env.update(
        BENCH_ECRITURES_PAR_S=str(args.ecritures_par_s),
        BENCH_DUREE=str(args.duree + 5),
        BENCH_SORTIE=str(sortie),
        BENCH_GRAINE=str(args.graine),
    )
    processus = subprocess.Popen([PYTHON, "bench/ecrivain.py"], cwd=RACINE, env=env)
    return processus, sortie


def charger_mixte(args, pages, *, hote, url_base, dossier, pid_serveur):
    for p in pages:
        if p.manque:
            continue
        ecrivain, sortie = lancer_ecrivain(args, url_base, dossier, p.code)
        try:
            n = args.mixte_utilisateurs
            p.charge[n] = charger(
                p,
                hote=hote,
                utilisateurs=n,
                duree=args.duree,
                dossier=dossier,
                pids={"BENCH_PID_SERVEUR": pid_serveur, "BENCH_PID_ECRIVAIN": ecrivain.pid},
            )
        finally:
            ecrivain.wait(timeout=args.duree + 240)
        c = p.charge[n]
        c["ecritures"] = json.loads(sortie.read_text(encoding="utf-8")) if sortie.exists() else None
        journal(
            f"mixte {p.code} × {n} : {c.get('rps')} req/s, p50 {c.get('p50_ms')} ms, p95 {c.get('p95_ms')} ms, "
            f"cache {c.get('reussite_cache')}, écritures {c.get('ecritures')}, erreurs {c.get('erreurs')} "
            f"{c.get('exemples_erreurs', '')}, CPU par requête (ms) {c.get('cpu_ms_par_requete')}"
        )


def charger(page, *, hote, utilisateurs, duree, dossier, pids=None):
    sortie = Path(dossier) / f"locust-{page.code}-{utilisateurs}.json"
    # Dans un fichier : des milliers de chemins dépassent la taille permise d'une variable d'environnement.
    chemins = Path(dossier) / f"chemins-{page.code}.json"
    chemins.write_text(json.dumps(page.chemins), encoding="utf-8")
    env = dict(os.environ)
    env.update(
        BENCH_CHEMINS=str(chemins),
        BENCH_NOM=page.code,
        BENCH_IDENTIFIANT=page.identifiant,
        BENCH_MOT_DE_PASSE=MOT_DE_PASSE_DEMO,
        BENCH_UTILISATEURS=str(utilisateurs),
        BENCH_DUREE=str(duree),
        BENCH_SORTIE=str(sortie),
        # Pages en cache : chaque chemin demandé six fois avant la mesure (chacun des deux processus gunicorn
        # l'a alors reçu au moins une fois, sauf 1 fois sur 32) ; les pages « sans cache » sont mesurées à froid.
        BENCH_ECHAUFFEMENT="0" if page.sans_echauffement else "6",
        **{cle: str(pid) for cle, pid in (pids or {}).items()},
    )
    commande = [
        str(BIN / "locust"),
        "-f",
        "bench/locustfile.py",
        "--headless",
        "-u",
        str(utilisateurs),
        "-r",
        str(utilisateurs),
        "-t",
        f"{int(duree) + 120}s",
        "--host",
        hote,
        "--only-summary",
        "--loglevel",
        "ERROR",
        "--exit-code-on-error",
        "0",
    ]
    charge_machine = os.getloadavg()[0]
    with open(Path(dossier) / f"locust-{page.code}-{utilisateurs}.log", "w", encoding="utf-8") as log:
        subprocess.run(commande, cwd=RACINE, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=duree + 180)
    if not sortie.exists():
        return {"erreur": f"locust n'a rien écrit (voir {log.name})"}
    resultat = json.loads(sortie.read_text(encoding="utf-8"))
    resultat["charge_machine_1min"] = round(charge_machine, 2)  # autres processus : mesure à relativiser
    return resultat


# --- Rapport ----------------------------------------------------------------------------------------------


def ratio(a, b, chiffres=2):
    if a is None or b in (None, 0):
        return None
    return round(a / b, chiffres)


def calculer_ratios_mixtes(mixtes, n):
    debit = {p.code: (p.charge.get(n) or {}).get("rps") for p in mixtes}
    return {
        "beneficiaires / admin": ratio(debit.get("mixte_beneficiaires"), debit.get("mixte_admin_beneficiaires")),
        "contrats / admin": ratio(debit.get("mixte_contrats"), debit.get("mixte_admin_contrats")),
        "beneficiaires / minimale": ratio(debit.get("mixte_beneficiaires"), debit.get("mixte_minimal")),
        "contrats / minimale": ratio(debit.get("mixte_contrats"), debit.get("mixte_minimal")),
        "fiche / minimale": ratio(debit.get("mixte_fiche"), debit.get("mixte_minimal")),
    }


def calculer_ratios(pages, tableau, niveaux):
    par_code = {p.code: p for p in pages}
    haut = max(niveaux)
    bas = min(niveaux)
    minimal = par_code["minimal"].charge.get(haut, {}).get("rps")
    admin = par_code["admin_beneficiaires"].charge.get(haut, {}).get("rps")
    ratios = {"debit_sur_minimal": {}, "temps_serveur_sur_sql": {}}
    for p in pages:
        if p.code == "minimal" or not p.charge:
            continue
        ratios["debit_sur_minimal"][p.code] = ratio(p.charge.get(haut, {}).get("rps"), minimal, 3)
        ratios["temps_serveur_sur_sql"][p.code] = ratio(
            p.charge.get(bas, {}).get("p50_ms"), (p.sql or {}).get("sql_ms"), 1
        )
    for code in ("beneficiaires", "beneficiaires_sans_cache"):
        if code in par_code and par_code[code].charge:
            ratios[f"{code}_sur_admin"] = ratio(par_code[code].charge.get(haut, {}).get("rps"), admin)
    if tableau and "sans_cache_ms" in tableau:
        ratios["tableau_sans_cache_sur_sql"] = ratio(tableau["sans_cache_ms"], tableau["sql_ms"])
    return ratios


PAGES_LISTES_ET_FICHES = (
    "beneficiaires",
    "beneficiaires_sans_cache",
    "fiche",
    "fiche_sans_cache",
    "contrats",
    "contrats_sans_cache",
    "vehicules",
)


def verifier_cibles(echelle, pages, tableau, ratios, niveaux):
    """Les cibles de l'issue : (libellé, atteinte ?, valeur mesurée)."""
    haut, bas = max(niveaux), min(niveaux)
    cibles = []
    metier = [p for p in pages if not p.reference and p.charge]
    if echelle == "loiret":
        for p in metier:
            if p.code in PAGES_LISTES_ET_FICHES:
                r = ratios["debit_sur_minimal"].get(p.code)
                cibles.append((f"{p.code} : débit ≥ 15 % de la vue minimale", r is not None and r >= 0.15, r))
        for code in ("beneficiaires", "beneficiaires_sans_cache"):
            r = ratios.get(f"{code}_sur_admin")
            if r is not None:
                cibles.append((f"{code} ≥ 3 × l'admin", r >= 3, r))
        for p in metier:
            r = ratios["temps_serveur_sur_sql"].get(p.code)
            cibles.append((f"{p.code} : temps serveur ≤ 3 × SQL", r is not None and r <= 3, r))
        for p in pages:
            if p.code.startswith("activite_") and p.sql and "rendu_dans_le_processus_ms" in p.sql:
                ms = p.sql["rendu_dans_le_processus_ms"]
                cibles.append((f"{p.code} : page rendue en < 300 ms", ms < 300, ms))
        for p in metier:
            p95 = p.charge.get(haut, {}).get("p95_ms")
            cibles.append((f"{p.code} : p95 < 200 ms à {haut} connexions", p95 is not None and p95 < 200, p95))
        for p in pages:
            for n, c in p.charge.items():
                if c.get("erreurs") or c.get("echecs_connexion") or "erreur" in c:
                    detail = c.get("exemples_erreurs") or c.get("erreur") or f"{c.get('echecs_connexion')} connexions"
                    cibles.append((f"{p.code} à {n} : aucune erreur", False, detail))
    else:
        if tableau and "sur_la_replique" in tableau:
            comptes = tableau["requetes_par_base"]["sans_cache"]
            cibles.append(
                (
                    "tableau calculé sur la réplique (aucune lecture de données sur la principale)",
                    tableau["sur_la_replique"],
                    {base: c["donnees"] for base, c in comptes.items()},
                )
            )
        if tableau and "sans_cache_ms" in tableau:
            cibles.append(("tableau sans cache < 500 ms", tableau["sans_cache_ms"] < 500, tableau["sans_cache_ms"]))
            r = ratios.get("tableau_sans_cache_sur_sql")
            cibles.append(("tableau sans cache ≤ 1,5 × son SQL", r is not None and r <= 1.5, r))
            cibles.append(("tableau en cache < 50 ms", tableau["avec_cache_ms"] < 50, tableau["avec_cache_ms"]))
        for p in metier:
            if p.code in ("beneficiaires", "beneficiaires_sans_cache", "contrats", "contrats_sans_cache", "vehicules"):
                p95 = p.charge.get(bas, {}).get("p95_ms")
                cibles.append((f"{p.code} : p95 < 300 ms à 1 utilisateur", p95 is not None and p95 < 300, p95))
    return cibles


def imprimer(resultat, pages, niveaux):
    print()
    print(f"Banc plan-emploi — échelle {resultat['echelle']} — {resultat['date']}")
    print("Volumes : " + ", ".join(f"{k} {v:,}".replace(",", " ") for k, v in resultat["volumes"].items()))
    print("Semis : " + json.dumps(resultat["semis"], ensure_ascii=False))
    entete = f"{'page':22} {'util.':>5} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'err.':>5} "
    entete += f"{'SQL ms':>8} {'nb SQL':>6} {'/minimal':>8} {'srv/SQL':>7}"
    print()
    print(entete)
    print("-" * len(entete))
    ratios = resultat["ratios"]
    for p in pages:
        if p.manque:
            print(f"{p.code:22} absente : {p.manque}")
            continue
        sql = p.sql or {}
        for n in niveaux:
            c = p.charge.get(n, {})
            print(
                f"{p.code:22} {n:>5} {_f(c.get('rps'))} {_f(c.get('p50_ms'))} {_f(c.get('p95_ms'))} "
                f"{_f(c.get('p99_ms'))} {c.get('erreurs', '-'):>5} {_f(sql.get('sql_ms'))} "
                f"{sql.get('requetes', '-'):>6} "
                f"{_f(ratios['debit_sur_minimal'].get(p.code) if n == max(niveaux) else None)} "
                f"{_f(ratios['temps_serveur_sur_sql'].get(p.code) if n == min(niveaux) else None, 7)}"
            )
    print()
    if resultat.get("tableau"):
        print(
            "Tableau de bord (calcul dans le processus) : "
            + json.dumps({k: v for k, v in resultat["tableau"].items() if k != "plus_lentes"}, ensure_ascii=False)
        )
    if resultat.get("import"):
        print("Import : " + json.dumps(resultat["import"], ensure_ascii=False))
    print("Ratios : " + json.dumps(ratios, ensure_ascii=False))
    mixte = resultat.get("mixte") or {}
    if mixte.get("pages"):
        print()
        print(
            f"Charge mixte ({mixte['utilisateurs']} utilisateurs, adresses jamais demandées, "
            f"{mixte['ecritures_par_s']} écriture(s) réelle(s) par seconde) :"
        )
        for code, c in mixte["pages"].items():
            c = c or {}
            ecritures = (c.get("ecritures") or {}).get("ecritures")
            print(
                f"  {code:28} {_f(c.get('rps'))} req/s  p50 {_f(c.get('p50_ms'))}  p95 {_f(c.get('p95_ms'))}  "
                f"err. {c.get('erreurs', '-')}  cache {c.get('reussite_cache')}  écritures {ecritures}"
            )
        print("  Ratios : " + json.dumps(mixte["ratios"], ensure_ascii=False))
        print("  CPU de la machine par requête mesurée (ms), par groupe de processus :")
        for code, c in mixte["pages"].items():
            cpu = (c or {}).get("cpu_ms_par_requete")
            if cpu:
                detail = "  ".join(f"{g} {v:.1f}" for g, v in cpu.items())
                noyau = (c or {}).get("serveur_noyau_par_requete") or {}
                print(
                    f"    {code:28} total {sum(cpu.values()):6.1f}  {detail}  (serveur : noyau "
                    f"{_f(noyau.get('systeme_ms'), 4)} ms, {_f(noyau.get('defauts_de_page'), 5)} défauts de page)"
                )
    print()
    print("Cibles :")
    for libelle, atteinte, valeur in resultat["cibles"]:
        print(f"  [{'ok' if atteinte else 'MANQUÉE'}] {libelle} (mesuré : {valeur})")


def _f(v, largeur=8):
    if v is None:
        return f"{'-':>{largeur}}"
    return f"{v:>{largeur}.3f}" if isinstance(v, float) and v < 1 else f"{v:>{largeur}.1f}"


def mesures_imports(args):
    from bench import importation

    resultat = {}
    if args.apercu_lignes:
        resultat["apercu"] = importation.mesurer_apercu(args.apercu_lignes)
        journal("aperçu : " + json.dumps(resultat["apercu"], ensure_ascii=False))
    if args.communes:
        resultat["referentiel_national"] = importation.mesurer_referentiel_national(args.communes)
        journal("référentiel national : " + json.dumps(resultat["referentiel_national"], ensure_ascii=False))
    resultat["bombe_xlsx"] = importation.mesurer_bombe()
    journal("bombe XLSX : " + json.dumps(resultat["bombe_xlsx"], ensure_ascii=False))
    return resultat


def mesurer_imports_seuls(args, url, nom_base):
    """Base neuve, migrations, référentiel du Loiret, puis les mesures d'import ; imprime et enregistre."""
    os.environ["DATABASE_URL"] = url_avec_base(url, nom_base)
    os.environ.setdefault("DEBUG", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.reglages"
    creer_base(url, nom_base)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    try:
        call_command("migrate", "--noinput", verbosity=0)
        call_command("charger_communes", str(RACINE / "referentiel" / "donnees" / "communes-45-loiret.csv"))
        resultat = {"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), **mesures_imports(args)}
        RESULTATS.mkdir(exist_ok=True)
        fichier = RESULTATS / f"{dt.datetime.now(dt.UTC):%Y-%m-%d-%H%M}-imports.json"
        fichier.write_text(json.dumps(resultat, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        print(json.dumps(resultat, ensure_ascii=False, indent=1, default=str))
    finally:
        connections.close_all()
        if not args.garder:
            supprimer_base(url, nom_base)
            journal(f"base {nom_base} supprimée")


# --- Programme --------------------------------------------------------------------------------------------


def main(argv=None):
    args = lire_arguments(argv)
    url = url_postgresql()
    if args.seulement_imports:
        return mesurer_imports_seuls(args, url, f"{args.prefixe_base}_imports")
    nom_base = f"{args.prefixe_base}_{args.echelle}"
    url_base = url_avec_base(url, nom_base)
    niveaux = sorted({int(n) for n in args.utilisateurs.split(",") if n.strip()})
    debut_total = time.perf_counter()
    charge_debut = os.getloadavg()[0]
    if charge_debut > (os.cpu_count() or 1) / 2:
        journal(f"attention : la machine est déjà chargée (charge moyenne {charge_debut:.1f}) ; mesures à relativiser")

    os.environ["DATABASE_URL"] = url_base
    # La réplique désigne la base du banc sur son serveur (une réplique en streaming réplique toutes les bases du
    # serveur principal, celle-ci comprise) ; sans --replique, une DATABASE_REPLICA_URL de l'environnement, qui
    # désigne une autre base, est ignorée : tout est lu sur la base principale. Gunicorn hérite de ce choix.
    if args.replique:
        os.environ["DATABASE_REPLICA_URL"] = url_avec_base(url_replique(args.replique), nom_base)
        journal(f"réplique : {hote_port(args.replique)}, base {nom_base}")
    elif os.environ.pop("DATABASE_REPLICA_URL", None):
        journal("DATABASE_REPLICA_URL ignorée (elle désigne une autre base) : --replique pour mesurer sur la réplique")
    os.environ.setdefault("DEBUG", "1")  # le processus du banc sème la démo ; gunicorn, lui, tourne sans DEBUG
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.reglages"  # réglages du projet + URL du banc
    nom_modele = f"{nom_base}_modele"
    schema = empreinte_schema(args.echelle, args.personnes if args.echelle == "national" else 0, args.graine)
    demo = empreinte_demo()
    # Avec une réplique, jamais de copie du modèle : une base faite par CREATE DATABASE … TEMPLATE arrive sur la
    # réplique avec une carte de visibilité vide (mesuré : 11 819 pages « toutes visibles » des personnes sur la
    # principale, 0 sur la réplique), si bien que les parcours d'index seuls y relisent la table (SQL du tableau
    # de bord 1,3 à 1,4 s au lieu de 0,43). Un semis neuf, suivi de VACUUM ANALYZE, y arrive entier.
    sans_copie = args.reutiliser or args.sans_modele or bool(args.replique)
    modele = None if sans_copie else lire_modele(url, nom_modele)
    if modele and modele.get("schema") != schema:
        journal(f"modèle {nom_modele} périmé (migrations ou paramètres différents) : nouveau semis")
        modele = None
    elif modele and modele.get("demo") != demo:
        journal(
            f"modèle {nom_modele} semé par une version antérieure des générateurs de démonstration (même schéma) : "
            "il est réutilisé ; --sans-modele pour resemer"
        )
        modele["semis"]["generateurs_anterieurs"] = True
    if modele:
        t = time.perf_counter()
        cloner_base(url, nom_modele, nom_base)
        journal(f"base {nom_base} : copie du modèle {nom_modele} en {time.perf_counter() - t:.1f} s")
    elif not args.reutiliser:
        journal(f"base {nom_base} : création")
        creer_base(url, nom_base)
    import django

    django.setup()
    from django.db import connections

    from bench import mesures

    serveur = None
    try:
        if modele:
            semis = {**modele["semis"], "copie_du_modele": True}
        elif args.reutiliser:
            semis = {}
        else:
            semis = semer(args)
            connections.close_all()
            t = time.perf_counter()
            enregistrer_modele(url, nom_base, nom_modele, {"schema": schema, "demo": demo, "semis": semis})
            journal(f"modèle {nom_modele} enregistré en {time.perf_counter() - t:.1f} s (passages suivants : copie)")
        rejeu = None
        if args.replique:
            # Le semis (ou la copie du modèle) rejoué par la réplique avant toute mesure : le retard attendu ici est
            # celui d'un chargement en masse ; le tableau attend de nouveau (à zéro près) juste avant son calcul.
            rejeu = mesures.attendre_replique()
            journal("réplique : semis rejoué, " + json.dumps(rejeu))
        volumes = mesures.compter()
        journal("volumes : " + json.dumps(volumes))
        pages = mesures.definir_pages(graine=args.graine)
        if args.pages:
            voulues = set(args.pages.split(","))
            pages = [p for p in pages if p.code in voulues or p.code in ("minimal", "admin_beneficiaires")]
        mixtes = mesures.pages_mixtes(graine=args.graine) if args.mixte_utilisateurs > 0 else []
        for p in pages + mixtes:
            if not p.manque:
                p.sql = mesures.mesurer_sql(p)
                journal(f"SQL {p.code} : {p.sql.get('requetes')} requêtes, {p.sql.get('sql_ms')} ms")
        tableau = mesures.mesurer_tableau(
            repetitions=1 if args.echelle == "national" else 3, replique=bool(args.replique)
        )
        journal("tableau de bord : " + json.dumps({k: v for k, v in tableau.items() if k != "plus_lentes"}))
        with tempfile.TemporaryDirectory(prefix="pe-bench-") as dossier:
            if not args.sans_charge:
                connections.close_all()
                serveur, hote = demarrer_gunicorn(args, url_base, dossier)
                try:
                    for p in pages:
                        if p.manque:
                            continue
                        for n in niveaux:
                            p.charge[n] = charger(p, hote=hote, utilisateurs=n, duree=args.duree, dossier=dossier)
                            c = p.charge[n]
                            journal(
                                f"charge {p.code} × {n} : {c.get('rps')} req/s, p50 {c.get('p50_ms')} ms, "
                                f"p95 {c.get('p95_ms')} ms, erreurs {c.get('erreurs')} {c.get('exemples_erreurs', '')}"
                            )
                    if mixtes:
                        charger_mixte(
                            args, mixtes, hote=hote, url_base=url_base, dossier=dossier, pid_serveur=serveur.popen.pid
                        )
                finally:
                    serveur.arreter()
        resultat_import = mesures.mesurer_import(lignes=args.import_lignes) if args.import_lignes else None
        if resultat_import:
            journal("import : " + json.dumps(resultat_import, ensure_ascii=False))
            resultat_import.update(mesures_imports(args))
        ratios = calculer_ratios(pages, tableau, niveaux)
        resultat = {
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "echelle": args.echelle,
            "machine": {
                "processeurs": os.cpu_count(),
                "python": platform.python_version(),
                "systeme": platform.platform(),
                "gunicorn_workers": args.workers,
                "charge_moyenne_au_debut": round(charge_debut, 2),
            },
            # L'URL de la réplique sans identifiants : hôte et port seulement.
            "parametres": {**vars(args), "replique": hote_port(args.replique) if args.replique else ""},
            "volumes": volumes,
            "semis": semis,
            "replique": {"serveur": hote_port(args.replique), "rejeu_du_semis": rejeu} if args.replique else None,
            "pages": [
                {
                    "code": p.code,
                    "libelle": p.libelle,
                    "reference": p.reference,
                    "manque": p.manque,
                    "chemin": p.chemins[0] if p.chemins else None,
                    "compte": p.identifiant,
                    "sql": p.sql,
                    "charge": {str(n): c for n, c in p.charge.items()},
                }
                for p in pages + mixtes
            ],
            "mixte": {
                "utilisateurs": args.mixte_utilisateurs,
                "ecritures_par_s": args.ecritures_par_s,
                "pages": {p.code: p.charge.get(args.mixte_utilisateurs) for p in mixtes},
                "ratios": calculer_ratios_mixtes(mixtes, args.mixte_utilisateurs),
            },
            "tableau": tableau,
            "import": resultat_import,
            "ratios": ratios,
        }
        resultat["cibles"] = verifier_cibles(args.echelle, pages, tableau, ratios, niveaux)
        resultat["duree_totale_s"] = round(time.perf_counter() - debut_total, 1)
        RESULTATS.mkdir(exist_ok=True)
        fichier = RESULTATS / f"{dt.datetime.now(dt.UTC):%Y-%m-%d-%H%M}-{args.echelle}.json"
        fichier.write_text(json.dumps(resultat, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        imprimer(resultat, pages, niveaux)
        print(f"\nRésultats : {fichier.relative_to(RACINE)} ; durée totale {resultat['duree_totale_s']} s")
    finally:
        if serveur is not None:
            serveur.arreter()
        connections.close_all()
        if not args.garder:
            supprimer_base(url, nom_base)
            journal(f"base {nom_base} supprimée")


if __name__ == "__main__":
    try:
        main()
    except ErreurBanc:
        raise
    except KeyboardInterrupt:
        raise SystemExit(130) from None
