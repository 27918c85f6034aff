"""Aucun « (s) » dans ce que lit une personne : gabarits, messages et sorties des commandes s'accordent au nombre
(commun.francais.compte, est_pluriel ; filtres de gabarit compte, pluriel, nombre)."""

import ast
import re
from pathlib import Path

from django.template import Context, Template

RACINE = Path(__file__).resolve().parents[2]
DOSSIERS_EXCLUS = {".venv", "tests", "migrations", "node_modules", "bench", "scripts", "captures", "static"}
# « %(s)s » des formats de journal de gunicorn n'est pas un accord.
MOTIF = re.compile(r"[a-zà-ÿ]\((s|es|x)\)", re.IGNORECASE)


def _sources():
    for chemin in RACINE.rglob("*"):
        if chemin.suffix not in {".py", ".html", ".txt"} or DOSSIERS_EXCLUS & set(chemin.relative_to(RACINE).parts):
            continue
        if chemin.name == "activite.py" or chemin.name == "gunicorn.conf.py":
            continue
        yield chemin


def _textes(chemin):
    """(ligne, texte) : tout le gabarit ; pour Python, les chaînes du code hors docstrings et commentaires."""
    source = chemin.read_text(encoding="utf-8")
    if chemin.suffix != ".py":
        yield from enumerate(source.splitlines(), 1)
        return
    arbre = ast.parse(source)
    docstrings = {id(n.value) for n in ast.walk(arbre) if isinstance(n, ast.Expr)}
    for noeud in ast.walk(arbre):
        if isinstance(noeud, ast.Constant) and isinstance(noeud.value, str) and id(noeud) not in docstrings:
            yield noeud.lineno, noeud.value


def test_aucun_pluriel_entre_parentheses():
    trouves = [
        f"{chemin.relative_to(RACINE)}:{numero}: {texte.strip()[:100]}"
        for chemin in _sources()
        for numero, texte in _textes(chemin)
        if MOTIF.search(texte)
    ]
    assert not trouves, "« (s) » à accorder :\n" + "\n".join(trouves)


def test_compteur_d_une_liste_accorde_et_groupe():
    gabarit = Template("{% load francais %}<span>{{ n|nombre }}</span> entretien{{ n|pluriel }}.")
    assert [gabarit.render(Context({"n": n})) for n in (1, 23239)] == [
        "<span>1</span> entretien.",
        "<span>23\xa0239</span> entretiens.",
    ]
