"""Test de mutation d'une application : chaque règle cassée exprès (mutant) doit faire échouer ses tests.

    python scripts/mutation.py contrats            # via `make mutation APP=contrats`
    python scripts/mutation.py placement --modules placement/services.py --enfants 2

mutmut travaille dans une copie du projet (`.mutation/<application>/`, hors de git) : il y mute les modules de
règles de l'application (par défaut ses services, voir MODULES), puis lance, pour chaque mutant, les seuls
tests de l'application qui passent par la fonction mutée. Le score imprimé à la fin est la part des mutants
tués ; la liste des survivants (`mutmut results` dans la copie) dit quelles règles aucun test ne garde.

Lent (les tests de l'application qui couvrent la fonction, pour chaque mutant) : une application à la fois,
jamais en CI.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent

# Les modules qui portent les règles de chaque application (ceux que l'on mute).
MODULES = {
    "beneficiaires": ["beneficiaires/services.py", "beneficiaires/rgpd.py"],
    "contrats": ["contrats/services.py"],
    "forums": ["forums/services.py"],
    "mobilite": ["mobilite/services.py"],
    "placement": ["placement/services.py"],
}


def fichiers_suivis():
    sortie = subprocess.run(["git", "ls-files", "-z"], cwd=RACINE, check=True, capture_output=True).stdout
    return [Path(f) for f in sortie.decode().split("\0") if f]


def preparer_copie(dossier):
    """Copie propre des fichiers suivis par git (les mutants d'une exécution précédente sont écartés)."""
    if dossier.exists():
        shutil.rmtree(dossier)
    for fichier in fichiers_suivis():
        source = RACINE / fichier
        if source.is_file():
            cible = dossier / fichier
            cible.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, cible)


def ecrire_configuration(dossier, application, modules):
    """mutmut copie les paquets Python (source_paths) dans mutants/ et n'en mute que `only_mutate`."""
    paquets = sorted(p.name for p in dossier.iterdir() if (p / "__init__.py").is_file() and p.name != "tests")
    autres = sorted(p.name for p in dossier.iterdir() if p.is_dir() and p.name not in paquets and p.name != "tests")
    lignes = ["[mutmut]", "source_paths ="]
    lignes += [f"    {p}/" for p in paquets]
    lignes += ["only_mutate ="] + [f"    {m}" for m in modules]
    lignes += ["also_copy ="] + [f"    {a}/" for a in autres] + ["    manage.py"]
    lignes += ["pytest_add_cli_args_test_selection =", f"    tests/{application}/"]
    # Base de test dans un fichier, migrée une fois puis réutilisée (--reuse-db) ; les tests transactionnels
    # (PostgreSQL seulement) et les parcours dans Chromium sont écartés : ils videraient la base partagée.
    lignes += ["pytest_add_cli_args ="] + [
        f"    {a}" for a in ("-p", "no:randomly", "-p", "no:xdist", "--reuse-db", "-m", "not e2e and not postgres")
    ]
    # Délai par mutant : la durée mesurée des tests x 15, plus une marge pour ouvrir la base de test.
    lignes += ["timeout_constant = 120"]
    (dossier / "setup.cfg").write_text("\n".join(lignes) + "\n", encoding="utf-8")


def statistiques(dossier, env):
    """Les chiffres de mutmut (export-cicd-stats) : tués, survivants, sans test, délai dépassé..."""
    subprocess.run([sys.executable, "-m", "mutmut", "export-cicd-stats"], cwd=dossier, env=env, check=True)
    return json.loads((dossier / "mutants" / "mutmut-cicd-stats.json").read_text(encoding="utf-8"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("application", choices=sorted(MODULES))
    parser.add_argument("--modules", nargs="+", help="modules à muter (par défaut : ceux de MODULES)")
    parser.add_argument(
        "--enfants", type=int, default=1, help="processus de test en parallèle (SQLite : un seul écrivain à la fois)"
    )
    args = parser.parse_args()
    modules = args.modules or MODULES[args.application]
    dossier = RACINE / ".mutation" / args.application
    preparer_copie(dossier)
    ecrire_configuration(dossier, args.application, modules)
    env = {**os.environ, "DEBUG": "1"}
    env.pop("DATABASE_URL", None)
    env["DATABASE_TEST_NAME"] = str(dossier / "test.sqlite3")
    commande = [sys.executable, "-m", "mutmut", "run", "--max-children", str(args.enfants)]
    execution = subprocess.run(commande, cwd=dossier, env=env)
    chiffres = statistiques(dossier, env)
    tues = chiffres["killed"] + chiffres["timeout"]
    testes = chiffres["killed"] + chiffres["timeout"] + chiffres["survived"] + chiffres["suspicious"]
    print(f"\nMutation de {args.application} ({', '.join(modules)}) : {json.dumps(chiffres)}")
    if testes:
        print(
            f"Score : {tues}/{testes} mutants tués ({100 * tues / testes:.0f} %), {chiffres['no_tests']} sans test "
            f"qui les couvre. Survivants : cd {dossier.relative_to(RACINE)} && mutmut results"
        )
    return execution.returncode


if __name__ == "__main__":
    sys.exit(main())
