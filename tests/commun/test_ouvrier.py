"""Un vrai ouvrier Procrastinate (`manage.py procrastinate worker`, processus séparé) contre PostgreSQL : une
requête met une tâche en file, l'ouvrier l'exécute, son effet se voit dans la base."""

import datetime
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as reglages
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from commun.models import Message
from tests.beneficiaires.factories import BeneficiaireFactory

RACINE = Path(reglages.BASE_DIR)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_une_requete_met_en_file_un_ouvrier_reel_execute(postgresql_requis, client, referent, settings, tmp_path):
    settings.TACHES_EN_PROCESSUS = False  # la vraie file PostgreSQL
    personne = BeneficiaireFactory(
        commune=referent.bassins.first().communes.first(),
        referent=referent,
        telephone="06 98 76 54 32",
        canal_prefere="sms",
        consentement_sms=True,
    )
    client.force_login(referent)
    jour = timezone.localdate() + datetime.timedelta(days=8)  # une date à venir, quel que soit le jour du test
    reponse = client.post(
        reverse("beneficiaires:evaluation_planifier", args=[personne.pk]),
        {"date": jour.isoformat(), "heure": "10:15", "lieu": "Maison du Département, Gien", "evaluateur": referent.pk},
    )
    assert reponse.status_code == 302
    message = Message.objects.get()
    assert message.statut == Message.Statut.EN_ATTENTE  # la requête a mis en file, elle n'a pas envoyé
    with connection.cursor() as curseur:
        curseur.execute("SELECT task_name, status FROM procrastinate_jobs")
        assert curseur.fetchall() == [("commun.envoyer_message", "todo")]

    fichier_sms = tmp_path / "sms.jsonl"
    base = connection.settings_dict
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"postgres://{base['USER']}@{base['HOST']}:{base['PORT'] or 5432}/{base['NAME']}",
        "SMS_FOURNISSEUR": "fichier",
        "SMS_FICHIER": str(fichier_sms),
        "TACHES_EN_PROCESSUS": "0",
    }
    debut = time.monotonic()
    sortie = subprocess.run(
        [sys.executable, "manage.py", "procrastinate", "--verbosity", "1", "worker", "--one-shot", "-q", "messages"],
        cwd=RACINE,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    print(f"ouvrier : code {sortie.returncode} en {time.monotonic() - debut:.1f} s\n{sortie.stderr[-2000:]}")
    assert sortie.returncode == 0, sortie.stderr

    message.refresh_from_db()
    assert message.statut == Message.Statut.ENVOYE and message.tentatives == 1
    sms = json.loads(fichier_sms.read_text(encoding="utf-8").splitlines()[0])
    assert sms["numero"] == "+33698765432" and f"{jour:%d/%m/%Y}" in sms["texte"] and "10 h 15" in sms["texte"]
    with connection.cursor() as curseur:
        # Le travail mis en file par la requête a réussi. L'ouvrier peut avoir mis en file et exécuté une tâche
        # périodique dont l'heure vient de passer, de cette file (fins de contrat à 8 h, relances des invitations à
        # 9 h) ou d'une autre (la conservation à 2 h 30, qu'il n'exécute pas : `-q messages`) : aucune n'a échoué.
        curseur.execute("SELECT status FROM procrastinate_jobs WHERE task_name = 'commun.envoyer_message'")
        assert curseur.fetchall() == [("succeeded",)]
        curseur.execute("SELECT task_name, status FROM procrastinate_jobs WHERE queue_name = 'messages'")
        autres = [ligne for ligne in curseur.fetchall() if ligne[0] != "commun.envoyer_message"]
        assert all(statut == "succeeded" for _, statut in autres), autres
        assert {tache for tache, _ in autres} <= {"contrats.prevenir_fins", "forums.relancer_invitations"}, autres
    assert personne.evaluations.get().date == jour
