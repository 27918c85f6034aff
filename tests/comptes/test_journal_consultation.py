from datetime import timedelta

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from comptes.models import JournalConsultation, JournalExport
from comptes.services import consultation_journaliser, export_journaliser, journaux_purger
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.comptes.factories import UserFactory


@pytest.mark.django_db
def test_consultation_journalisee_sans_donnee_personnelle(referent):
    personne = BeneficiaireFactory(nom="Martin", prenoms="Éloïse")
    entree = consultation_journaliser(par=referent, objet=personne)
    assert entree.utilisateur == referent
    assert entree.objet == personne
    assert entree.date is not None
    assert entree.libelle == f"bénéficiaire n° {personne.pk}"
    assert "Martin" not in entree.libelle and "Éloïse" not in str(entree)
    assert list(JournalConsultation.objects.pour(personne)) == [entree]


@pytest.mark.django_db
def test_consultation_exige_un_utilisateur_connecte():
    from django.contrib.auth.models import AnonymousUser

    personne = BeneficiaireFactory()
    with pytest.raises(ValidationError):
        consultation_journaliser(par=AnonymousUser(), objet=personne)
    with pytest.raises(ValidationError):
        consultation_journaliser(par=None, objet=personne)
    assert JournalConsultation.objects.count() == 0


@pytest.mark.django_db
def test_chaque_consultation_est_une_entree(referent, pilotage):
    personne, autre = BeneficiaireFactory(), BeneficiaireFactory()
    consultation_journaliser(par=referent, objet=personne)
    consultation_journaliser(par=pilotage, objet=personne)
    consultation_journaliser(par=referent, objet=autre)
    assert JournalConsultation.objects.pour(personne).count() == 2
    assert set(JournalConsultation.objects.pour(personne).values_list("utilisateur", flat=True)) == {
        referent.pk,
        pilotage.pk,
    }


@pytest.mark.django_db
def test_purge_des_journaux_anciens(referent):
    personne = BeneficiaireFactory()
    vieux = consultation_journaliser(par=referent, objet=personne)
    recent = consultation_journaliser(par=referent, objet=personne)
    export = export_journaliser(par=referent, vue="x", filtres="", format="csv", lignes=3)
    JournalConsultation.objects.filter(pk=vieux.pk).update(date=timezone.now() - timedelta(days=400))
    JournalExport.objects.filter(pk=export.pk).update(date=timezone.now() - timedelta(days=400))
    from axes.models import AccessLog

    vieux_log = AccessLog.objects.create(username="x", ip_address="10.0.0.1", user_agent="t")
    AccessLog.objects.create(username="y", ip_address="10.0.0.2", user_agent="t")
    AccessLog.objects.filter(pk=vieux_log.pk).update(attempt_time=timezone.now() - timedelta(days=400))
    assert journaux_purger(avant=timezone.now() - timedelta(days=365)) == {
        "consultations": 1,
        "exports": 1,
        "connexions": 1,
    }
    assert AccessLog.objects.count() == 1
    assert list(JournalConsultation.objects.all()) == [recent]


@pytest.mark.django_db
def test_admin_journal_lecture_seule_pour_les_administrateurs(client, admin_user, referent):
    personne = BeneficiaireFactory(nom="Martin")
    entree = consultation_journaliser(par=referent, objet=personne)
    client.force_login(admin_user)
    liste = client.get(reverse("admin:comptes_journalconsultation_changelist"))
    assert liste.status_code == 200
    assert f"bénéficiaire n° {personne.pk}" in liste.content.decode()
    fiche = client.get(reverse("admin:comptes_journalconsultation_change", args=[entree.pk]))
    assert fiche.status_code == 200
    assert client.get(reverse("admin:comptes_journalconsultation_add")).status_code == 403
    assert client.post(reverse("admin:comptes_journalconsultation_delete", args=[entree.pk])).status_code == 403
    assert client.post(
        reverse("admin:comptes_journalconsultation_change", args=[entree.pk]), {"libelle": "modifié"}
    ).status_code in (302, 403)
    entree.refresh_from_db()
    assert entree.libelle == f"bénéficiaire n° {personne.pk}"
    assert JournalConsultation.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["pilotage", "referent", "prestataire", "agent_mobilite"])
def test_admin_journal_invisible_aux_autres_roles_meme_staff(client, role):
    user = UserFactory(role=role, is_staff=True, **({"prestataire": True} if role == "prestataire" else {}))
    client.force_login(user)
    reponse = client.get(reverse("admin:comptes_journalconsultation_changelist"))
    assert reponse.status_code == 403
    modele = site._registry[JournalConsultation]
    requete = type("R", (), {"user": user})()
    assert not modele.has_view_permission(requete)
