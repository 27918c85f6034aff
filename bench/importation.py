"""Mesures du banc pour les imports : référentiel national (~35 000 communes synthétiques, aux formes réelles),
aperçu d'une liste de 100 000 personnes (puis son rechargement), refus d'une bombe XLSX.

Appelées par bench/lancer.py ; chacune s'exécute dans une transaction annulée (la base du banc reste telle
quelle pour les autres mesures).
"""

import io
import random
import time
import tracemalloc
import zipfile

from django.db import transaction

SYLLABES = ["mont", "val", "bois", "ville", "court", "fontaine", "lac", "roche", "pré", "é", "saint", "neuf", "lès"]


class Annulation(Exception):
    pass


def fichier_communes_national(n=35_000, *, graine=2017):
    """CSV du format de docs/formats.md : codes INSEE de tous les Départements (2A/2B compris), noms composés et
    accentués, communes à plusieurs codes postaux, Paris et ses 21 codes postaux, ~300 bassins."""
    alea = random.Random(graine)
    departements = [f"{d:02d}" for d in range(1, 96) if d != 20] + ["2A", "2B"]
    lignes = ["code_insee,nom,codes_postaux,population,departement,epci_siren,epci_nom,bassin_emploi"]
    paris = " ".join([f"750{i:02d}" for i in range(1, 21)] + ["75116"])
    lignes.append(f'75056,Paris,"{paris}",2133111,75,200054781,Métropole du Grand Paris,Paris')
    par_departement = n // len(departements) + 1
    for d in departements:
        prefixe_cp = {"2A": "20", "2B": "20"}.get(d, d)
        for i in range(1, par_departement + 1):
            if len(lignes) > n or (d == "75" and i == 56):
                continue
            code = f"{d}{i:03d}"
            nom = "-".join(alea.choice(SYLLABES).capitalize() for _ in range(alea.choice([1, 1, 2, 3])))
            nom = f"{nom}-sur-{alea.choice(['Loire', 'Seine', 'Rhône', 'Garonne'])}" if alea.random() < 0.1 else nom
            cps = " ".join(f"{prefixe_cp}{alea.randint(0, 999):03d}" for _ in range(alea.choice([1] * 9 + [2, 4])))
            bassin = f"Bassin {d}-{i % 3 + 1}"
            epci = f"2{alea.randint(0, 99_999_999):08d}"
            lignes.append(f'{code},"{nom}","{cps}",{alea.randint(50, 40_000)},{d},{epci},CC {d}-{i % 20},{bassin}')
    return ("\n".join(lignes) + "\n").encode("utf-8")


def mesurer_referentiel_national(n=35_000):
    from referentiel.services import communes_charger

    contenu = fichier_communes_national(n)
    resultat = {"communes": contenu.count(b"\n") - 1, "octets": len(contenu)}
    try:
        with transaction.atomic():
            t, cpu = time.perf_counter(), time.process_time()
            bilan = communes_charger(contenu=contenu)
            resultat["chargement_s"] = round(time.perf_counter() - t, 2)
            resultat["chargement_cpu_s"] = round(time.process_time() - cpu, 2)
            resultat["bilan"] = str(bilan)
            raise Annulation
    except Annulation:
        pass
    return resultat


def fichier_liste(lignes, *, graine=2017):
    """Une liste aux en-têtes d'un autre logiciel (UTF-8 avec BOM, point-virgule), dans les communes chargées."""
    from referentiel.models import Commune

    alea = random.Random(graine)
    villes = [f"{c.liste_codes_postaux()[0]} {c.nom.upper()}" for c in Commune.objects.all()[:2000]]
    villes += ["75007 PARIS", "59402 NICE", "45044 ORLEANS CEDEX 1"]
    sortie = io.StringIO()
    sortie.write("\ufeffCivilité;Prénom bénéficiaire;Nom bénéficiaire;Adresses Mails;N° Téléphones;")
    sortie.write("Date de Naissance;CP Ville;N° CAF;ID Iodas;Référent;Role\n")
    for i in range(lignes):
        sortie.write(
            f"{alea.choice(['Mme', 'M.', 'Monsieur'])};Prénom{i % 997};NOM{i % 4999};"
            f"{alea.choice(['inès.dupont@exemple.fr', 'x@exemple.fr', ''])};"
            f"{alea.choice(['06 12 34 56 78', '+33 6 12 34 56 78', '06.12.34.56.78'])};"
            f"{1 + i % 28:02d}/{1 + i % 12:02d}/{1950 + i % 50};{alea.choice(villes)};{80_000_000 + i};"
            f"IOD-{i};{alea.choice(['', 'inconnu@exemple.fr'])};{alea.choice(['', 'DEM'])}\n"
        )
    return sortie.getvalue().encode("utf-8")


def mesurer_apercu(lignes=100_000):
    """Dépôt puis aperçu (lecture, contrôle, essai à blanc) comme sur la page d'import, puis rechargement."""
    from beneficiaires import services
    from comptes.models import Role, User

    contenu = fichier_liste(lignes)
    resultat = {"lignes": lignes, "octets": len(contenu)}
    try:
        with transaction.atomic():
            par = User.objects.filter(role=Role.ADMINISTRATEUR).first() or User.objects.create(
                username="bench.import", role=Role.ADMINISTRATEUR
            )
            t = time.perf_counter()
            depot = services.import_deposer(par=par, fichier_nom="liste.csv", contenu=contenu, source="Banc")
            resultat["depot_s"] = round(time.perf_counter() - t, 2)
            t, cpu = time.perf_counter(), time.process_time()
            bilan = services.import_apercevoir(depot=depot, par=par)
            resultat["apercu_s"] = round(time.perf_counter() - t, 2)
            # Temps processeur du processus Django (hors PostgreSQL) : la durée sur une machine non chargée, à
            # peu près ; la durée murale dépend de la charge des autres processus.
            resultat["apercu_cpu_s"] = round(time.process_time() - cpu, 2)
            t = time.perf_counter()
            services.import_apercevoir(depot=depot, par=par)
            resultat["rechargement_s"] = round(time.perf_counter() - t, 2)
            resultat["bilan"] = {
                k: bilan[k] for k in ("crees", "modifies", "rejetes", "a_rattacher", "nb_avertissements")
            }
            raise Annulation
    except Annulation:
        pass
    return resultat


def bombe_xlsx(decompresse=1024**3):
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as flux:
            bloc = b"\0" * (4 * 1024 * 1024)
            for _ in range(decompresse // len(bloc)):
                flux.write(bloc)
    return tampon.getvalue()


def mesurer_bombe():
    """Un classeur de quelques Mo qui s'étendrait à 1 Go : refusé d'après le répertoire central de l'archive."""
    from beneficiaires.importation import ImportImpossible, verifier_fichier

    bombe = bombe_xlsx()
    tracemalloc.start()
    t = time.perf_counter()
    try:
        verifier_fichier(bombe)
        refuse = False
    except ImportImpossible:
        refuse = True
    duree = time.perf_counter() - t
    _courant, pic = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"octets": len(bombe), "refuse": refuse, "refus_ms": round(duree * 1000, 1), "pic_memoire_ko": pic // 1024}
