"""Tâches planifiées : chacune fait son travail une fois (rejouée, elle n'envoie rien de plus), dans le périmètre
de ce qu'elle doit traiter ; exécution dans le processus (SQLite) avec essais limités ; avancement des tâches
longues montré à celui qui les a lancées."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from commun.models import Message, Objet, Progression
from commun.services import progression_avancer, progression_demarrer, progression_terminer
from commun.taches import app, differer, executer_en_processus
from contrats.taches import prevenir_fins
from forums import services as services_forums
from forums.taches import relancer_invitations
from mobilite.taches import rappeler_restitutions
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.contrats.factories import ContratAideFactory
from tests.forums.factories import ForumFactory, ParticipationFactory
from tests.mobilite.factories import LocationFactory

JOUR = timezone.localdate()


def jours(n):
    return JOUR + datetime.timedelta(days=n)


def joignable(bassin, **champs):
    return BeneficiaireFactory(
        commune=bassin.commune_test, email="p@example.org", canal_prefere="email", consentement_email=True, **champs
    )


def test_toutes_les_taches_sont_declarees():
    noms = set(app.tasks)
    assert {
        "commun.envoyer_message",
        "forums.inviter",
        "forums.relancer_invitations",
        "mobilite.rappeler_restitutions",
        "contrats.prevenir_fins",
        "beneficiaires.appliquer_conservation",
    } <= noms
    periodiques = {t.task.name for t in app.periodic_registry.periodic_tasks.values()}
    assert periodiques == {
        "forums.relancer_invitations",
        "mobilite.rappeler_restitutions",
        "contrats.prevenir_fins",
        "beneficiaires.appliquer_conservation",
    }


def test_invitation_envoyee_par_une_tache(bassins, referent, mailoutbox, django_capture_on_commit_callbacks):
    forum = ForumFactory(date=jours(20), commune=bassins["Orléans"].commune_test)
    invitee = joignable(bassins["Orléans"])
    with django_capture_on_commit_callbacks(execute=True):
        services_forums.invitations_envoyer(forum=forum, beneficiaires=[invitee], par=referent)
    assert [m.objet for m in Message.objects.all()] == [Objet.INVITATION_FORUM]
    assert forum.titre in mailoutbox[0].subject


def test_relance_une_seule_fois(bassins, settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.RELANCE_INVITATION_JOURS = 7
    forum = ForumFactory(date=jours(20))
    vieille = ParticipationFactory(
        forum=forum, beneficiaire=joignable(bassins["Orléans"]), invite=True,
        date_invitation=timezone.now() - datetime.timedelta(days=8),
    )  # fmt: skip
    ParticipationFactory(forum=forum, beneficiaire=joignable(bassins["Orléans"]), invite=True)  # trop récente
    ParticipationFactory(
        forum=forum, beneficiaire=joignable(bassins["Orléans"]),
        date_invitation=timezone.now() - datetime.timedelta(days=8),
    )  # fmt: skip  # inscrite : elle a répondu
    ParticipationFactory(
        forum=ForumFactory(date=jours(-1)), beneficiaire=joignable(bassins["Orléans"]), invite=True,
        date_invitation=timezone.now() - datetime.timedelta(days=30),
    )  # fmt: skip  # forum passé
    for _ in range(2):  # rejouée (le lendemain, ou après un échec) : pas de seconde relance
        with django_capture_on_commit_callbacks(execute=True):
            relancer_invitations(timestamp=0)
    relances = Message.objects.filter(objet=Objet.RELANCE_FORUM)
    assert relances.count() == 1 and relances.get().id_destinataire == vieille.beneficiaire_id
    assert len(mailoutbox) == 1


def test_rappel_la_veille_du_retour(bassins, mailoutbox, django_capture_on_commit_callbacks):
    demain = LocationFactory(beneficiaire=joignable(bassins["Orléans"]), debut=jours(-3), fin=jours(1), en_cours=True)
    LocationFactory(beneficiaire=joignable(bassins["Orléans"]), debut=jours(-3), fin=jours(2), en_cours=True)
    LocationFactory(beneficiaire=joignable(bassins["Orléans"]), debut=jours(1), fin=jours(1))  # pas encore partie
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            rappeler_restitutions(timestamp=0)
    rappel = Message.objects.get(objet=Objet.RAPPEL_LOCATION)
    assert rappel.id_destinataire == demain.beneficiaire_id and len(mailoutbox) == 1
    assert f"{jours(1):%d/%m/%Y}" in mailoutbox[0].subject


def test_fin_de_contrat_prevenue_une_fois(bassins, mailoutbox, django_capture_on_commit_callbacks):
    proche = ContratAideFactory(
        beneficiaire=joignable(bassins["Orléans"]), signe=True, date_debut=jours(-300), date_fin=jours(20)
    )
    ContratAideFactory(
        beneficiaire=joignable(bassins["Orléans"]), signe=True, date_debut=jours(-300), date_fin=jours(60)
    )
    ContratAideFactory(beneficiaire=joignable(bassins["Orléans"]), date_debut=jours(-300), date_fin=jours(20))
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            prevenir_fins(timestamp=0)
    message = Message.objects.get(objet=Objet.FIN_CONTRAT)
    assert message.id_destinataire == proche.beneficiaire_id and len(mailoutbox) == 1


def test_en_processus_les_essais_sont_limites(caplog):
    appels = []

    @app.task(name="essai.toujours_en_echec", retry=2)
    def toujours_en_echec(*, n):
        appels.append(n)
        raise RuntimeError("panne")

    assert executer_en_processus(toujours_en_echec, {"n": 1}) is None
    assert appels == [1, 1, 1]  # le premier essai et deux relances, puis l'échec est journalisé
    assert "en échec après 3 essais" in caplog.text


def test_un_refus_de_l_application_n_est_pas_rejoue(caplog):
    """Une ValidationError se répéterait à l'identique : la stratégie du projet (`RELANCES`) ne la relance pas, ni
    chez un ouvrier (décision de Procrastinate : la tâche finit « failed ») ni dans le processus ; une autre erreur
    l'est, jusqu'au nombre d'essais de la stratégie."""
    from django.core.exceptions import ValidationError

    from commun.taches import RELANCES, contexte_essai, sera_reessayee

    appels = []

    @app.task(name="essai.refusee", retry=RELANCES)
    def refusee(*, n):
        appels.append(n)
        raise ValidationError("Ce fichier a déjà été importé ou abandonné.")

    assert executer_en_processus(refusee, {"n": 1}) is None
    assert appels == [1] and "en échec après 1 essai (" in caplog.text
    contexte = contexte_essai(refusee, {"n": 1}, 0)
    assert not sera_reessayee(contexte, ValidationError("refus"))
    assert sera_reessayee(contexte, RuntimeError("panne"))
    assert not sera_reessayee(contexte_essai(refusee, {"n": 1}, RELANCES.max_attempts), RuntimeError("panne"))


def test_relances_espacees_de_10_s_doublees_a_chaque_essai():
    """10 s, 20 s, 40 s, 80 s, 160 s, puis plus rien : une panne passagère repart dans les cinq minutes (la croissance
    exponentielle de Procrastinate, 10 ** (essais + 1), les aurait espacées jusqu'à 27 h)."""
    import datetime

    from django.utils import timezone

    from commun.taches import RELANCES, contexte_essai

    @app.task(name="essai.en_panne", retry=RELANCES)
    def en_panne():
        raise RuntimeError("panne")

    attentes = []
    for deja_faits in range(RELANCES.max_attempts + 1):
        job = contexte_essai(en_panne, {}, deja_faits).job
        avant = timezone.now()
        decision = RELANCES.get_retry_decision(exception=RuntimeError("panne"), job=job)
        if decision is None:
            attentes.append(None)
            continue
        attente = (decision.retry_at - avant) / datetime.timedelta(seconds=1)
        attentes.append(round(attente))
    assert attentes == [10, 20, 40, 80, 160, None]


def test_en_processus_une_strategie_sans_limite_ne_relance_pas_sans_fin(caplog):
    appels = []

    @app.task(name="essai.sans_limite", retry=True)
    def sans_limite():
        appels.append(1)
        raise RuntimeError("panne")

    assert executer_en_processus(sans_limite, {}) is None
    assert appels == [1] and "en échec après 1 essai" in caplog.text


def test_differer_attend_la_validation(db, django_capture_on_commit_callbacks):
    appels = []

    @app.task(name="essai.noter")
    def noter(*, valeur):
        appels.append(valeur)

    with django_capture_on_commit_callbacks(execute=False) as rappels:
        differer(noter, valeur=3)
        assert appels == []  # rien tant que la transaction n'est pas validée
    for rappel in rappels:
        rappel()
    assert appels == [3]


def test_avancement_montre_a_celui_qui_a_lance(client, referent, referent_gien):
    avancement = progression_demarrer(utilisateur=referent, libelle="Import de la liste", total=200)
    progression_avancer(progression_id=avancement.pk, fait=50)
    client.force_login(referent)
    reponse = client.get(reverse("commun:progression", args=[avancement.pk]))
    contenu = reponse.content.decode()
    assert reponse.status_code == 200 and 'value="25"' in contenu and 'http-equiv="refresh"' in contenu
    progression_terminer(progression_id=avancement.pk, resultat="200 personnes importées", url_resultat="/")
    contenu = client.get(reverse("commun:progression", args=[avancement.pk])).content.decode()
    assert "200 personnes importées" in contenu and 'http-equiv="refresh"' not in contenu
    client.force_login(referent_gien)
    assert client.get(reverse("commun:progression", args=[avancement.pk])).status_code == 404


def test_avancement_ne_depasse_pas_le_total(referent):
    from django.core.exceptions import ValidationError

    avancement = progression_demarrer(utilisateur=referent, libelle="Import", total=10)
    with pytest.raises(ValidationError):
        progression_avancer(progression_id=avancement.pk, fait=11)
    assert Progression.objects.get(pk=avancement.pk).fait == 0
