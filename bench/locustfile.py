"""Charge HTTP du banc (locust sans interface), lancée par bench/lancer.py ; jamais vers autre chose que 127.0.0.1.

Chaque utilisateur virtuel se connecte par le formulaire de connexion (jeton CSRF), puis attend que tous
soient connectés : la mesure commence ensemble (les connexions, volontairement lentes, ne la faussent pas),
dure BENCH_DUREE secondes, et chaque réponse autre que 200 (redirection vers la connexion comprise) compte
comme une erreur. Les mesures brutes sont écrites en JSON dans BENCH_SORTIE.

Échauffement (BENCH_ECHAUFFEMENT tours, 0 par défaut) : avant d'annoncer sa connexion, chaque utilisateur demande
sa part des chemins, autant de fois ; ces requêtes ne sont pas mesurées. Les pages dont le corps est en cache
(fiche : 200 personnes) sont ainsi mesurées en cache dans chaque processus gunicorn, comme une fiche rouverte.

Temps CPU pendant la mesure (BENCH_PID_SERVEUR : le maître gunicorn ; BENCH_PID_ECRIVAIN facultatif) : relevé au
début et à la fin de la fenêtre mesurée pour le serveur (maître et processus), PostgreSQL, Redis, la charge (ce
processus), l'écrivain, et la machine entière ; rendu en millisecondes de CPU par requête mesurée : où va le temps
de la machine sous la charge, page par page.

Variables : BENCH_CHEMINS (fichier d'une liste JSON de chemins, tirés au hasard), BENCH_NOM, BENCH_IDENTIFIANT,
BENCH_MOT_DE_PASSE, BENCH_UTILISATEURS, BENCH_DUREE, BENCH_SORTIE, BENCH_ECHAUFFEMENT, BENCH_PID_SERVEUR,
BENCH_PID_ECRIVAIN.
"""

import json
import os
import random
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import gevent
import gevent.event
import gevent.pool
import psutil
from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser

CHEMINS = (
    json.loads(Path(os.environ["BENCH_CHEMINS"]).read_text(encoding="utf-8"))
    if os.environ.get("BENCH_CHEMINS")
    else ["/bench/minimal/"]
)
NOM = os.environ.get("BENCH_NOM", "page")
IDENTIFIANT = os.environ.get("BENCH_IDENTIFIANT", "admin")
MOT_DE_PASSE = os.environ.get("BENCH_MOT_DE_PASSE", "plan-emploi-demo")
UTILISATEURS = int(os.environ.get("BENCH_UTILISATEURS", "1"))
DUREE = float(os.environ.get("BENCH_DUREE", "10"))
SORTIE = os.environ.get("BENCH_SORTIE")
ECHAUFFEMENT = int(os.environ.get("BENCH_ECHAUFFEMENT", "0"))
PID_SERVEUR = int(os.environ.get("BENCH_PID_SERVEUR") or 0)
PID_ECRIVAIN = int(os.environ.get("BENCH_PID_ECRIVAIN") or 0)

_tous_connectes = gevent.event.Event()
_etat = {"connectes": 0, "echecs_connexion": 0, "t0": None, "rangs": 0}
_mesures = []  # (début, durée ms, erreur)
_cache = {"trouve": 0, "calcule": 0}
_cpu = {}  # "debut" / "fin" : relevés de _releve_cpu()


def _famille(pid):
    try:
        parent = psutil.Process(pid)
        return [parent, *parent.children(recursive=True)]
    except psutil.Error:
        return []


def _releve_cpu():
    """{pid: (groupe, secondes de CPU, création, secondes de temps système, défauts de page)} des processus qui
    servent la charge, et le CPU occupé de la machine (toutes les unités, hors attente)."""
    groupes = {}
    for groupe, processus in (
        ("serveur", _famille(PID_SERVEUR) if PID_SERVEUR else []),
        ("ecrivain", _famille(PID_ECRIVAIN) if PID_ECRIVAIN else []),
        ("charge", _famille(os.getpid())),
    ):
        for p in processus:
            groupes[p.pid] = (groupe, p)
    for p in psutil.process_iter(["name"]):
        nom = p.info["name"] or ""
        if p.pid not in groupes and (nom.startswith("postgres") or nom.startswith("redis-server")):
            groupes[p.pid] = ("postgresql" if nom.startswith("postgres") else "redis", p)
    releve = {}
    for pid, (groupe, p) in groupes.items():
        try:
            t = p.cpu_times()
            releve[pid] = (groupe, t.user + t.system, p.create_time(), t.system, _defauts_de_page(pid))
        except psutil.Error:
            continue
    # Comme psutil pour son pourcentage : « guest » est déjà compté dans « user » sous Linux, l'attente
    # d'entrées-sorties n'occupe pas le processeur.
    machine = psutil.cpu_times()
    total = sum(machine) - getattr(machine, "guest", 0) - getattr(machine, "guest_nice", 0)
    occupe = total - machine.idle - getattr(machine, "iowait", 0)
    return {"processus": releve, "machine": occupe, "instant": time.time()}


def _defauts_de_page(pid):
    """Défauts de page mineurs du processus depuis son départ (Linux : /proc/<pid>/stat, 10e champ), ou None."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return int(f.read().rsplit(")", 1)[1].split()[7])
    except (OSError, ValueError, IndexError):
        return None


def _noyau_du_serveur(requetes):
    """Par requête mesurée, le temps système (noyau) des processus du serveur et leurs défauts de page : ce que
    coûtait, sans l'enveloppe de commun/pile.py, la pile de l'interpréteur réservée et rendue à chaque appel."""
    debut, fin = _cpu.get("debut"), _cpu.get("fin")
    if not debut or not fin or not requetes:
        return None
    systeme, defauts = 0.0, 0
    for pid, (groupe, _, creation, sys_fin, defauts_fin) in fin["processus"].items():
        avant = debut["processus"].get(pid)
        if groupe != "serveur" or avant is None or avant[2] != creation:
            continue
        systeme += max(sys_fin - avant[3], 0.0)
        if defauts_fin is not None and avant[4] is not None:
            defauts += max(defauts_fin - avant[4], 0)
    return {"systeme_ms": round(systeme * 1000 / requetes, 2), "defauts_de_page": round(defauts / requetes, 1)}


def _cpu_par_requete(requetes):
    """Millisecondes de CPU par requête mesurée, par groupe ; « autres » : le reste du CPU occupé de la machine
    (autres services, et les processus du banc terminés pendant la mesure, dont le relevé final manque)."""
    debut, fin = _cpu.get("debut"), _cpu.get("fin")
    if not debut or not fin or not requetes:
        return None
    totaux = {}
    for pid, (groupe, secondes, creation, *_) in fin["processus"].items():
        avant = debut["processus"].get(pid)
        if avant is not None and avant[2] == creation:  # le même processus (un numéro peut être repris)
            depense = secondes - avant[1]
        elif creation >= debut["instant"]:
            depense = secondes  # né pendant la mesure
        else:
            continue
        totaux[groupe] = totaux.get(groupe, 0.0) + max(depense, 0.0)
    totaux["autres"] = max(0.0, fin["machine"] - debut["machine"] - sum(totaux.values()))
    return {g: round(v * 1000 / requetes, 2) for g, v in sorted(totaux.items())}


def _arreter(environment):
    _cpu["fin"] = _releve_cpu()
    environment.runner.quit()


def _jeton_csrf(html):
    trouve = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return trouve.group(1) if trouve else ""


class Visiteur(FastHttpUser):
    wait_time = between(0, 0)
    connection_timeout = 30.0
    network_timeout = 60.0

    def on_start(self):
        page = self.client.get("/comptes/connexion/", name="connexion")
        reponse = self.client.post(
            "/comptes/connexion/",
            data={
                "username": IDENTIFIANT,
                "password": MOT_DE_PASSE,
                "csrfmiddlewaretoken": _jeton_csrf(page.text or ""),
                "next": "/",
            },
            headers={"Referer": f"{self.host}/comptes/connexion/"},
            name="connexion",
            allow_redirects=False,
        )
        if reponse.status_code != 302 or "connexion" in (reponse.headers.get("Location") or ""):
            _etat["echecs_connexion"] += 1
        rang, _etat["rangs"] = _etat["rangs"], _etat["rangs"] + 1
        # Par huit requêtes simultanées : un seul client séquentiel tomberait presque toujours sur le même
        # processus gunicorn (celui qui attend le premier la connexion suivante), l'autre resterait froid.
        groupe = gevent.pool.Pool(8)
        for _ in range(ECHAUFFEMENT):
            for chemin in CHEMINS[rang::UTILISATEURS]:
                groupe.spawn(self.client.get, chemin, name="echauffement", allow_redirects=False)
        groupe.join()
        _etat["connectes"] += 1
        if _etat["connectes"] >= UTILISATEURS:
            _cpu["debut"] = _releve_cpu()
            _etat["t0"] = time.perf_counter()
            # Arrêt par un greenlet à part : un utilisateur qui arrête le runner se tuerait lui-même en chemin.
            gevent.spawn_later(DUREE, _arreter, self.environment)
            _tous_connectes.set()
        _tous_connectes.wait()

    @task
    def page(self):
        if time.perf_counter() - _etat["t0"] >= DUREE:
            gevent.sleep(0.5)
            return
        chemin = random.choice(CHEMINS)
        debut = time.perf_counter()
        erreur = None
        with self.client.get(chemin, name=NOM, allow_redirects=False, catch_response=True) as reponse:
            if reponse.status_code != 200:
                erreur = f"{reponse.status_code} {urlsplit(chemin).path}"
                reponse.failure(erreur)
            else:
                reponse.success()
            etat_cache = reponse.headers.get("X-Corps-Cache")
            if etat_cache in _cache and _etat["t0"] is not None:
                _cache[etat_cache] += 1
        _mesures.append((debut, (time.perf_counter() - debut) * 1000, erreur))


def _centile(valeurs, p):
    if not valeurs:
        return None
    rang = max(0, min(len(valeurs) - 1, round(p / 100 * len(valeurs) + 0.5) - 1))
    return valeurs[rang]


@events.quitting.add_listener
def _ecrire(environment, **_kwargs):
    if not SORTIE:
        return
    t0 = _etat["t0"]
    mesures = [m for m in _mesures if t0 is not None and m[0] >= t0]
    durees = sorted(m[1] for m in mesures)
    fin = max((m[0] + m[1] / 1000 for m in mesures), default=t0 or 0)
    fenetre = (fin - t0) if t0 is not None else 0
    erreurs = [m[2] for m in mesures if m[2]]
    resultat = {
        "page": NOM,
        "utilisateurs": UTILISATEURS,
        "requetes": len(mesures),
        "erreurs": len(erreurs),
        "exemples_erreurs": sorted(set(erreurs))[:5],
        "echecs_connexion": _etat["echecs_connexion"],
        "fenetre_s": round(fenetre, 3),
        "rps": round(len(mesures) / fenetre, 1) if fenetre > 0 else 0,
        "p50_ms": _arrondi(_centile(durees, 50)),
        "p95_ms": _arrondi(_centile(durees, 95)),
        "p99_ms": _arrondi(_centile(durees, 99)),
        "moyenne_ms": _arrondi(sum(durees) / len(durees)) if durees else None,
        "max_ms": _arrondi(durees[-1]) if durees else None,
        # Pages à corps en cache : part des réponses servies du cache (None : page sans corps en cache).
        "reussite_cache": round(_cache["trouve"] / sum(_cache.values()), 3) if sum(_cache.values()) else None,
        # Requêtes de la fenêtre, terminées ou non à son relevé final : même dénominateur que le débit.
        "cpu_ms_par_requete": _cpu_par_requete(len(mesures)),
        "serveur_noyau_par_requete": _noyau_du_serveur(len(mesures)),
    }
    with open(SORTIE, "w", encoding="utf-8") as f:
        json.dump(resultat, f, ensure_ascii=False, indent=1)


def _arrondi(v):
    return None if v is None else round(v, 1)
