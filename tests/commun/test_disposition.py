"""La disposition promise par l'architecture, vérifiée sur le code : une seule façon de lire par application."""

import ast
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parents[2]
APPLICATIONS = ("beneficiaires", "contrats", "placement", "mobilite", "forums", "tableau_de_bord")


def appels(chemin, noms):
    """Les lignes où le module appelle une méthode de ce nom (`qs.annotate(...)`, `qs.aggregate(...)`)."""
    arbre = ast.parse(chemin.read_text(encoding="utf-8"))
    return sorted(
        n.lineno
        for n in ast.walk(arbre)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in noms
    )


@pytest.mark.parametrize("application", APPLICATIONS)
def test_les_lectures_composees_sont_dans_selecteurs(application):
    dossier = RACINE / application
    assert (dossier / "selecteurs.py").is_file()
    assert not (dossier / "selectors.py").exists()
    for vues in sorted(dossier.glob("views*.py")):  # views.py et views_rgpd.py
        assert appels(vues, {"annotate", "aggregate"}) == [], f"{vues} agrège : la lecture va dans selecteurs.py"
