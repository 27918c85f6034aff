"""Test de mutation d'une application : chaque règle cassée exprès (mutant) doit faire échouer ses tests.

    python scripts/mutation.py contrats            # via `make mutation APP=contrats`
    python scripts/mutation.py contrats --fonctions contrat_signer 'verifier_*'
    python scripts/mutation.py beneficiaires --modules beneficiaires/rgpd.py --mutants 'beneficiaires.rgpd.x_a_*'

mutmut travaille dans une copie du projet (`.mutation/<application>/`, hors de git) : il y mute les modules de
règles de l'application (par défaut ses services, voir MODULES), puis lance, pour chaque mutant, les seuls
tests de l'application qui passent par la fonction mutée. Le score imprimé à la fin est tués / (tués +
survivants), les autres verdicts comptés à part ; la liste des survivants dit quelles règles aucun test ne garde.

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

# Les tests de chaque application, plus ceux qui gardent ses règles ailleurs : la conservation et l'export RGPD
# (beneficiaires/rgpd.py) sont testés dans tests/securite/, qu'aucun test de tests/beneficiaires/ n'exerce.
TESTS = {
    "beneficiaires": [
        "tests/beneficiaires/",
        "tests/securite/test_rgpd.py",
        "tests/securite/test_rgpd_applications.py",
    ],
}


def fichiers_suivis():
    """Les fichiers suivis par git et ceux pas encore ajoutés mais non ignorés : un test que l'on vient d'écrire
    pour tuer un mutant compte dès la relance, sans attendre le commit."""
    sortie = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=RACINE,
        check=True,
        capture_output=True,
    ).stdout
    return sorted({Path(f) for f in sortie.decode().split("\0") if f})


def sans_decorateurs(source):
    """Le module où chaque fonction décorée de premier niveau est réécrite sans décorateur, suivie de
    `f = d1(d2(f))` (même effet à l'appel).

    mutmut ne mute pas une fonction décorée ; or presque tous les services le sont (`@transaction.atomic`,
    `@attribue`) : sans cette réécriture, les règles qu'ils portent (signature, rupture, renouvellement...)
    échapperaient au test de mutation. La réécriture n'a lieu que dans la copie.
    """
    import libcst as cst

    module = cst.parse_module(source)
    corps = []
    for instruction in module.body:
        if isinstance(instruction, cst.FunctionDef) and instruction.decorators:
            nom = instruction.name.value
            appel = cst.Name(nom)
            for decorateur in reversed(instruction.decorators):
                appel = cst.Call(func=decorateur.decorator, args=[cst.Arg(appel)])
            affectation = cst.Assign(targets=[cst.AssignTarget(cst.Name(nom))], value=appel)
            corps += [instruction.with_changes(decorators=[]), cst.SimpleStatementLine(body=[affectation])]
        else:
            corps.append(instruction)
    return module.with_changes(body=corps).code


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


def deplier_decorateurs(dossier, modules):
    for module in modules:
        chemin = dossier / module
        chemin.write_text(sans_decorateurs(chemin.read_text(encoding="utf-8")), encoding="utf-8")


def ecrire_configuration(dossier, application, modules, tests):
    """mutmut copie les paquets Python (source_paths) dans mutants/ et n'en mute que `only_mutate`."""
    paquets = sorted(p.name for p in dossier.iterdir() if (p / "__init__.py").is_file() and p.name != "tests")
    autres = sorted(p.name for p in dossier.iterdir() if p.is_dir() and p.name not in paquets and p.name != "tests")
    lignes = ["[mutmut]", "source_paths ="]
    lignes += [f"    {p}/" for p in paquets]
    lignes += ["only_mutate ="] + [f"    {m}" for m in modules]
    lignes += ["also_copy ="] + [f"    {a}/" for a in autres] + ["    manage.py"]
    lignes += ["pytest_add_cli_args_test_selection ="] + [f"    {t}" for t in tests]
    # Base de test dans un fichier, migrée une fois puis réutilisée (--reuse-db) ; les tests transactionnels
    # (PostgreSQL seulement) et les parcours dans Chromium sont écartés : ils videraient la base partagée.
    lignes += ["pytest_add_cli_args ="] + [
        f"    {a}" for a in ("-p", "no:randomly", "-p", "no:xdist", "--reuse-db", "-m", "not e2e and not postgres")
    ]
    # Délai par mutant : la durée mesurée des tests x 15, plus une marge pour ouvrir la base de test.
    lignes += ["timeout_constant = 120"]
    (dossier / "setup.cfg").write_text("\n".join(lignes) + "\n", encoding="utf-8")


def statistiques(dossier, modules):
    """Le verdict de chaque mutant, lu dans les fichiers .meta de mutmut : {statut: [noms des mutants]}.

    Lus directement plutôt que par `export-cicd-stats`, qui ne compte ni les mutants non lancés (sélection par
    --fonctions, exécution interrompue) ni ceux écartés par un contrôle de types.
    """
    from mutmut.stats import status_by_exit_code

    verdicts = {}
    for module in modules:
        meta = dossier / "mutants" / (module + ".meta")
        if not meta.is_file():
            continue
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        for mutant, code in sorted(codes.items()):
            verdicts.setdefault(status_by_exit_code[code], []).append(mutant)
    return verdicts


def motifs_des_fonctions(modules, fonctions):
    """Noms de mutants mutmut (`paquet.module.x_fonction__mutmut_N`) des fonctions choisies (motifs glob)."""
    motifs = []
    for module in modules:
        prefixe = module.removesuffix(".py").replace("/", ".")
        motifs += [f"{prefixe}.x_{fonction}__mutmut_*" for fonction in fonctions]
    return motifs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("application", choices=sorted(MODULES))
    parser.add_argument("--modules", nargs="+", help="modules à muter (par défaut : ceux de MODULES)")
    parser.add_argument(
        "--fonctions",
        nargs="+",
        help="ne lancer que les mutants de ces fonctions (motifs glob : contrat_signer 'verifier_*') ; "
        "les autres sont comptés « non lancés »",
    )
    parser.add_argument(
        "--mutants", nargs="+", help="ne lancer que ces mutants (noms donnés par mutmut, motifs glob admis)"
    )
    parser.add_argument("--tests", nargs="+", help="tests à lancer (par défaut : tests/<application>/, voir TESTS)")
    parser.add_argument(
        "--enfants", type=int, default=1, help="processus de test en parallèle (SQLite : un seul écrivain à la fois)"
    )
    args = parser.parse_args()
    modules = args.modules or MODULES[args.application]
    dossier = RACINE / ".mutation" / args.application
    preparer_copie(dossier)
    deplier_decorateurs(dossier, modules)
    tests = args.tests or TESTS.get(args.application, [f"tests/{args.application}/"])
    ecrire_configuration(dossier, args.application, modules, tests)
    env = {**os.environ, "DEBUG": "1"}
    env.pop("DATABASE_URL", None)
    env["DATABASE_TEST_NAME"] = str(dossier / "test.sqlite3")
    choix = (args.mutants or []) + motifs_des_fonctions(modules, args.fonctions or [])
    commande = [sys.executable, "-m", "mutmut", "run", "--max-children", str(args.enfants), *choix]
    execution = subprocess.run(commande, cwd=dossier, env=env)
    verdicts = statistiques(dossier, modules)
    nombre = {statut: len(noms) for statut, noms in verdicts.items()}
    tues, survivants = nombre.get("killed", 0), nombre.get("survived", 0)
    autres = {s: n for s, n in sorted(nombre.items()) if s not in ("killed", "survived")}
    print(f"\nMutation de {args.application} ({', '.join(modules)}" + (f" ; {' '.join(choix)}" if choix else "") + ")")
    print(f"{sum(nombre.values())} mutants : {json.dumps(nombre, ensure_ascii=False)}")
    if tues + survivants:
        # Le score ne compte que les verdicts nets : un délai dépassé, un résultat douteux (suspicious), un
        # mutant sans test ou non lancé ne dit ni qu'une règle est gardée, ni qu'elle ne l'est pas.
        print(
            f"Score : {tues}/{tues + survivants} mutants tués ({100 * tues / (tues + survivants):.0f} %, "
            f"tués / (tués + survivants)) ; à part : "
            + (", ".join(f"{n} {s}" for s, n in autres.items()) or "aucun")
            + "."
        )
    for statut in ("survived", "timeout", "suspicious", "segfault"):
        for nom in verdicts.get(statut, []):
            print(f"  {statut} : {nom}")
    if verdicts.get("survived"):
        print(f"Voir un mutant : cd {dossier.relative_to(RACINE)} && DEBUG=1 mutmut show <nom>")
    return execution.returncode


if __name__ == "__main__":
    sys.exit(main())
