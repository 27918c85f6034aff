"""Écritures réelles pendant la charge mixte du banc (lancé par bench/lancer.py, dans son propre processus).

Au rythme BENCH_ECRITURES_PAR_S (1 par seconde par défaut), alternativement : une évaluation enregistrée pour une
personne du bassin du référent (`evaluation_realiser`, avec un frein mobilité tiré au hasard) et une orientation
proposée à laquelle le prestataire répond (`orientation_refuser`, motif « personne injoignable » : un refus ne
prend pas de place de lot, le banc peut en répondre autant qu'il en trouve). Par les services, donc avec leurs
signaux : chaque écriture validée incrémente les versions de son application (commun/versions.py), comme en
production. Écrit en JSON (BENCH_SORTIE) le nombre d'écritures faites, refusées et leur durée moyenne.
"""

import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main():
    import django

    django.setup()
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from beneficiaires.models import Beneficiaire
    from beneficiaires.services import evaluation_realiser
    from comptes.models import User
    from placement.models import MotifRefus, Orientation
    from placement.services import orientation_refuser

    rythme = float(os.environ.get("BENCH_ECRITURES_PAR_S", "1"))
    duree = float(os.environ.get("BENCH_DUREE", "10"))
    alea = random.Random(int(os.environ.get("BENCH_GRAINE", "2017")))
    referent = User.objects.get(username="referent")
    personnes = list(
        Beneficiaire.objects.visibles_par(referent)
        .exclude(statut_parcours="archive")
        .values_list("pk", flat=True)[:2000]
    )
    orientations = list(
        Orientation.objects.filter(statut=Orientation.Statut.PROPOSEE).values_list("pk", flat=True)[:5000]
    )
    alea.shuffle(orientations)
    bilan = {"ecritures": 0, "refusees": 0, "evaluations": 0, "orientations": 0, "duree_moyenne_ms": None}
    durees = []
    fin = time.monotonic() + duree
    prochaine = time.monotonic()
    n = 0
    while rythme > 0 and time.monotonic() < fin:
        attente = prochaine - time.monotonic()
        if attente > 0:
            time.sleep(attente)
        prochaine += 1 / rythme
        t = time.perf_counter()
        try:
            if n % 2 == 0 or not orientations:
                personne = Beneficiaire.objects.get(pk=alea.choice(personnes))
                evaluation_realiser(
                    par=referent,
                    beneficiaire=personne,
                    evaluateur=referent,
                    date=timezone.localdate(),
                    frein_mobilite=alea.randint(0, 3),
                )
                bilan["evaluations"] += 1
            else:
                orientation = Orientation.objects.get(pk=orientations.pop())
                prestataire = User.objects.filter(structure_id=orientation.lot.prestataire_id).first() or referent
                orientation_refuser(orientation=orientation, par=prestataire, motif=MotifRefus.INJOIGNABLE)
                bilan["orientations"] += 1
            bilan["ecritures"] += 1
        except (ValidationError, Beneficiaire.DoesNotExist, Orientation.DoesNotExist):
            bilan["refusees"] += 1
        durees.append((time.perf_counter() - t) * 1000)
        n += 1
    if durees:
        bilan["duree_moyenne_ms"] = round(sum(durees) / len(durees), 1)
    if os.environ.get("BENCH_SORTIE"):
        Path(os.environ["BENCH_SORTIE"]).write_text(json.dumps(bilan), encoding="utf-8")


if __name__ == "__main__":
    main()
