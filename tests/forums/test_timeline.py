import datetime

import pytest

from beneficiaires.fiche import actions_pour
from beneficiaires.timeline import evenements
from forums import services
from forums.timeline import forums as source_forums
from tests.beneficiaires.factories import BeneficiaireFactory

from .factories import ExposantFactory, ForumFactory

pytestmark = pytest.mark.django_db
JOUR = datetime.date(2018, 3, 15)


def parcours_complet(beneficiaire, par):
    forum = ForumFactory(date=JOUR, titre="Forum des métiers de la propreté")
    exposant = ExposantFactory(forum=forum)
    services.invitations_envoyer(forum=forum, beneficiaires=[beneficiaire], par=par)
    services.participation_inscrire(forum=forum, beneficiaire=beneficiaire, par=par)
    p = forum.participations.get()
    services.participation_pointer(participation=p, par=par, jour=JOUR)
    services.entretien_enregistrer(exposant=exposant, participations=[p], par=par, jour=JOUR)
    p.refresh_from_db()
    services.embauche_enregistrer(
        participation=p,
        exposant=exposant,
        type_contrat="cdi",
        date_debut=JOUR + datetime.timedelta(days=10),
        par=par,
        jour=JOUR,
    )
    return forum, exposant


def test_le_fil_montre_invitation_inscription_presence_entretiens_embauche(admin_user, bassins):
    b = BeneficiaireFactory(commune=bassins["Orléans"].commune_test)
    _, exposant = parcours_complet(b, admin_user)
    titres = [e.titre for e in evenements(b, admin_user) if e.categorie == "forums"]
    assert any(t.startswith("Invitation au forum") for t in titres)
    assert any(t.startswith("Inscription au forum") for t in titres)
    assert any(t.startswith("Présente au forum") for t in titres)
    assert any(t.startswith("1 entretien au forum") for t in titres)
    embauche = [e for e in evenements(b, admin_user) if e.titre.startswith("Embauche")]
    assert embauche and exposant.structure.nom in embauche[0].detail


def test_le_fil_respecte_le_perimetre(admin_user, referent_gien, bassins):
    b = BeneficiaireFactory(commune=bassins["Orléans"].commune_test)
    parcours_complet(b, admin_user)
    assert source_forums(b, referent_gien) == []


def test_le_fil_en_nombre_constant_de_requetes(admin_user, bassins, django_assert_max_num_queries):
    b = BeneficiaireFactory(commune=bassins["Orléans"].commune_test)
    for _ in range(4):
        parcours_complet(b, admin_user)
    with django_assert_max_num_queries(2):
        assert len(source_forums(b, admin_user)) == 4 * 5


def test_action_inviter_a_un_forum_sur_la_fiche(referent, pilotage, bassins):
    b = BeneficiaireFactory(commune=bassins["Orléans"].commune_test)
    libelles = [a["libelle"] for a in actions_pour(b, referent)]
    assert "Inviter à un forum" in libelles
    url = next(a["url"] for a in actions_pour(b, referent) if a["libelle"] == "Inviter à un forum")
    assert url.endswith(f"?beneficiaire={b.pk}")
    assert "Inviter à un forum" not in [a["libelle"] for a in actions_pour(b, pilotage)]
