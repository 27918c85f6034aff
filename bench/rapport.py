"""Tableau Markdown d'un fichier de résultats du banc (pour docs/performance.md).

.venv/bin/python bench/rapport.py bench/resultats/2026-11-26-0240-loiret.json
"""

import json
import sys


def _n(v, chiffres=1):
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.{chiffres}f}".replace(".", ",")
    return str(v)


def rapport(chemin):
    d = json.loads(open(chemin, encoding="utf-8").read())
    lignes = [
        f"Échelle **{d['echelle']}**, {d['date']}, {d['machine']['processeurs']} processeurs, "
        f"gunicorn {d['machine']['gunicorn_workers']} processus sync, charge moyenne au départ "
        f"{_n(d['machine'].get('charge_moyenne_au_debut'))}.",
        "",
        "Volumes : " + ", ".join(f"{k} {v:,}".replace(",", " ") for k, v in d["volumes"].items()) + ".",
        "",
    ]
    niveaux = sorted({int(n) for p in d["pages"] for n in p["charge"]})
    entete = "| page | SQL (requêtes, ms) | " + " | ".join(
        f"{n} util. : req/s, p50, p95, p99 (ms), erreurs" for n in niveaux
    )
    lignes += [entete + " |", "|" + "---|" * (2 + len(niveaux))]
    for p in d["pages"]:
        if p["manque"]:
            lignes.append(f"| {p['libelle']} | absente : {p['manque']} |" + " |" * len(niveaux))
            continue
        sql = p["sql"] or {}
        cellules = [f"{p['libelle']}", f"{sql.get('requetes', '—')}, {_n(sql.get('sql_ms'))}"]
        for n in niveaux:
            c = p["charge"].get(str(n), {})
            cellules.append(
                f"{_n(c.get('rps'))}, {_n(c.get('p50_ms'))}, {_n(c.get('p95_ms'))}, {_n(c.get('p99_ms'))}, "
                f"{c.get('erreurs', '—')}"
            )
        lignes.append("| " + " | ".join(cellules) + " |")
    t = d.get("tableau") or {}
    if t and "sans_cache_ms" in t:
        lignes += [
            "",
            f"Tableau de bord (`tableau_calculer`, période {t['periode'][0]} – {t['periode'][1]}, tous les bassins) : "
            f"{t['requetes']} requêtes ; sans cache {_n(t['sans_cache_ms'])} ms ; avec cache "
            f"{_n(t['avec_cache_ms'], 2)} ms ; SQL seul {_n(t['sql_ms'])} ms"
            + (
                f" ; période jamais calculée, stocks à ce jour en cache : {_n(t['nouvelle_periode_ms'])} ms."
                if "nouvelle_periode_ms" in t
                else "."
            ),
        ]
    if d.get("import") and "premier_import_s" in d["import"]:
        i = d["import"]
        lignes += [
            "",
            f"Import de {i['lignes']:,} lignes".replace(",", " ")
            + f" : {_n(i['premier_import_s'])} s (créations), {_n(i['reimport_identique_s'])} s (réimport identique).",
        ]
    semis = d.get("semis") or {}
    if semis:
        lignes += ["", "Semis : " + json.dumps(semis, ensure_ascii=False)]
    r = d["ratios"]
    lignes += ["", "Ratios : débit / vue minimale " + json.dumps(r.get("debit_sur_minimal"), ensure_ascii=False)]
    lignes.append("; temps serveur / SQL " + json.dumps(r.get("temps_serveur_sur_sql"), ensure_ascii=False))
    for code, libelle in (("beneficiaires", "en cache"), ("beneficiaires_sans_cache", "sans cache")):
        if r.get(f"{code}_sur_admin") is not None:
            lignes.append(f"; liste des bénéficiaires ({libelle}) / administration {_n(r[f'{code}_sur_admin'], 2)}")
    if r.get("tableau_sans_cache_sur_sql") is not None:
        lignes.append(f"; tableau sans cache / son SQL {_n(r['tableau_sans_cache_sur_sql'], 2)}")
    lignes += ["", "Cibles :", ""]
    for libelle, atteinte, valeur in d["cibles"]:
        lignes.append(f"- {'atteinte' if atteinte else '**manquée**'} : {libelle} (mesuré : {valeur})")
    return "\n".join(lignes)


if __name__ == "__main__":
    print(rapport(sys.argv[1]))
