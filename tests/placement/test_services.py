import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from beneficiaires.models import StatutParcours
from placement import services
from placement.models import MaintienEmploi, MotifRefus, Orientation, ResultatPaye, Sortie, TypeSortie
from tests.placement.factories import LotFactory
from tests.placement.outils import J0, declarer, jusqu_a_entree, orienter, personne_de
from tests.referentiel.factories import StructureFactory

pytestmark = pytest.mark.django_db

J = datetime.timedelta(days=1)


# --- Proposition ----------------------------------------------------------------------------------------


def test_proposer_choisit_le_lot_du_bassin_de_la_personne(personne, referent, lot_orleans, lot_gien):
    o = orienter(personne, referent)
    assert o.lot == lot_orleans
    assert o.statut == Orientation.Statut.PROPOSEE
    assert o.prescripteur == referent
    assert o.observations == ""


def test_proposer_sans_lot_en_vigueur_est_refuse(personne, referent, lot_gien):
    with pytest.raises(ValidationError) as exc:
        orienter(personne, referent)
    assert "Aucun lot" in str(exc.value)


def test_proposer_hors_periode_du_lot_est_refuse(personne, referent, lot_orleans):
    with pytest.raises(ValidationError, match="Aucun lot"):
        orienter(personne, referent, date=lot_orleans.date_debut - J)


def test_proposer_vers_un_lot_d_un_autre_bassin_est_refuse(personne, referent, lot_orleans, lot_gien):
    with pytest.raises(ValidationError, match="ne couvre pas"):
        orienter(personne, referent, lot=lot_gien)


def test_une_seule_orientation_ouverte_par_personne(personne, referent, lot_orleans):
    orienter(personne, referent)
    with pytest.raises(ValidationError, match="déjà une orientation en cours"):
        orienter(personne, referent, date=J0 + J)
    assert Orientation.objects.filter(beneficiaire=personne).count() == 1


def test_apres_un_refus_la_personne_peut_etre_reorientee(personne, referent, lot_orleans, agent_a):
    o = orienter(personne, referent)
    services.orientation_refuser(orientation=o, par=agent_a, motif=MotifRefus.INJOIGNABLE, date=J0 + J)
    nouvelle = orienter(personne, referent, date=J0 + 2 * J)
    assert nouvelle.pk != o.pk


def test_apres_une_sortie_la_personne_peut_etre_reorientee(personne, referent, lot_orleans, agent_a):
    o = jusqu_a_entree(personne, referent, agent_a)
    services.sortie_enregistrer(orientation=o, par=agent_a, type=TypeSortie.ABANDON, date=J0 + 20 * J)
    assert orienter(personne, referent, date=J0 + 21 * J).statut == Orientation.Statut.PROPOSEE


def test_personne_archivee_ne_peut_etre_orientee(personne, referent, lot_orleans):
    personne.statut_parcours = StatutParcours.ARCHIVE
    personne.save()
    with pytest.raises(ValidationError, match="archivée"):
        orienter(personne, referent)


def test_date_de_proposition_future_refusee(personne, referent, lot_orleans):
    with pytest.raises(ValidationError) as exc:
        orienter(personne, referent, date=datetime.date.today() + 2 * J)
    assert exc.value.message_dict == {"date_proposition": ["La date de proposition ne peut être dans le futur."]}


def test_plusieurs_lots_sur_le_bassin_demandent_un_choix(personne, referent, marche, bassins):
    # Deux lots d'un même bassin sur des périodes disjointes : seul celui de la date convient.
    l1 = LotFactory(marche=marche, bassins=[bassins["Orléans"]], date_fin=datetime.date(2018, 12, 31))
    l2 = LotFactory(marche=marche, bassins=[bassins["Orléans"]], date_debut=datetime.date(2019, 1, 1))
    assert orienter(personne, referent, date=datetime.date(2019, 2, 1)).lot == l2
    assert l1 != l2


def test_un_bassin_ne_peut_etre_couvert_par_deux_lots_en_meme_temps(marche, bassins, lot_orleans):
    with pytest.raises(ValidationError, match="déjà couvert"):
        services.lot_creer(
            marche=marche,
            numero=9,
            prestataire=StructureFactory(prestataire=True),
            bassins=[bassins["Orléans"]],
            capacite=5,
            prix_entree=Decimal(1),
            prix_sortie_positive=Decimal(1),
            prix_maintien_6_mois=Decimal(1),
        )


def test_lot_hors_periode_du_marche_refuse(marche, bassins):
    with pytest.raises(ValidationError, match="celle du marché"):
        services.lot_creer(
            marche=marche,
            numero=9,
            prestataire=StructureFactory(prestataire=True),
            bassins=[bassins["Gien"]],
            capacite=5,
            prix_entree=Decimal(1),
            prix_sortie_positive=Decimal(1),
            prix_maintien_6_mois=Decimal(1),
            date_fin=marche.date_fin + J,
        )


def test_le_titulaire_d_un_lot_est_un_prestataire(marche, bassins):
    with pytest.raises(ValidationError, match="prestataire"):
        services.lot_creer(
            marche=marche,
            numero=9,
            prestataire=StructureFactory(),
            bassins=[bassins["Gien"]],
            capacite=5,
            prix_entree=Decimal(1),
            prix_sortie_positive=Decimal(1),
            prix_maintien_6_mois=Decimal(1),
        )


# --- Réponse du prestataire et capacité ------------------------------------------------------------------


def test_accepter_occupe_une_place(personne, referent, lot_orleans, agent_a):
    o = orienter(personne, referent)
    services.orientation_accepter(orientation=o, par=agent_a, date=J0 + 2 * J)
    o.refresh_from_db()
    assert o.statut == Orientation.Statut.ACCEPTEE
    assert o.date_reponse == J0 + 2 * J
    from placement.models import Lot

    assert Lot.objects.avec_occupation().get(pk=lot_orleans.pk).places_occupees == 1


def test_capacite_du_lot_ne_peut_etre_depassee(bassins, referent, lot_orleans, agent_a):
    lot_orleans.capacite = 2
    lot_orleans.save()
    orientations = [orienter(personne_de(bassins["Orléans"]), referent) for _ in range(3)]
    services.orientation_accepter(orientation=orientations[0], par=agent_a, date=J0)
    services.orientation_accepter(orientation=orientations[1], par=agent_a, date=J0)
    with pytest.raises(ValidationError, match="capacité du lot est atteinte"):
        services.orientation_accepter(orientation=orientations[2], par=agent_a, date=J0)
    orientations[2].refresh_from_db()
    assert orientations[2].statut == Orientation.Statut.PROPOSEE


def test_les_sorties_comptent_encore_dans_la_capacite(bassins, referent, lot_orleans, agent_a):
    lot_orleans.capacite = 1
    lot_orleans.save()
    o = jusqu_a_entree(personne_de(bassins["Orléans"]), referent, agent_a)
    services.sortie_enregistrer(orientation=o, par=agent_a, type=TypeSortie.ABANDON, date=J0 + 30 * J)
    autre = orienter(personne_de(bassins["Orléans"]), referent)
    with pytest.raises(ValidationError, match="capacité"):
        services.orientation_accepter(orientation=autre, par=agent_a, date=J0 + 31 * J)


def test_les_refus_ne_comptent_pas_dans_la_capacite(bassins, referent, lot_orleans, agent_a):
    lot_orleans.capacite = 1
    lot_orleans.save()
    refusee = orienter(personne_de(bassins["Orléans"]), referent)
    services.orientation_refuser(orientation=refusee, par=agent_a, motif=MotifRefus.PROFIL, date=J0)
    o = orienter(personne_de(bassins["Orléans"]), referent)
    services.orientation_accepter(orientation=o, par=agent_a, date=J0)
    o.refresh_from_db()
    assert o.statut == Orientation.Statut.ACCEPTEE


def test_accepter_deux_fois_est_refuse(personne, referent, lot_orleans, agent_a):
    o = orienter(personne, referent)
    services.orientation_accepter(orientation=o, par=agent_a, date=J0)
    with pytest.raises(ValidationError, match="accepter"):
        services.orientation_accepter(orientation=o, par=agent_a, date=J0)


def test_acceptation_avant_la_proposition_refusee(personne, referent, lot_orleans, agent_a):
    o = orienter(personne, referent)
    with pytest.raises(ValidationError):
        services.orientation_accepter(orientation=o, par=agent_a, date=J0 - J)


def test_un_refus_doit_etre_motive(personne, referent, lot_orleans, agent_a):
    o = orienter(personne, referent)
    with pytest.raises(ValidationError) as exc:
        services.orientation_refuser(orientation=o, par=agent_a, motif="", date=J0)
    assert "motif_refus" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.orientation_refuser(orientation=o, par=agent_a, motif="parce-que", date=J0)
    o.refresh_from_db()
    assert o.statut == Orientation.Statut.PROPOSEE
    services.orientation_refuser(orientation=o, par=agent_a, motif=MotifRefus.REFUS_PERSONNE, date=J0)
    o.refresh_from_db()
    assert (o.statut, o.motif_refus, o.date_reponse) == (Orientation.Statut.REFUSEE, "refus_personne", J0)


def test_on_ne_refuse_pas_une_orientation_deja_acceptee(personne, referent, lot_orleans, agent_a):
    o = orienter(personne, referent)
    services.orientation_accepter(orientation=o, par=agent_a, date=J0)
    with pytest.raises(ValidationError):
        services.orientation_refuser(orientation=o, par=agent_a, motif=MotifRefus.AUTRE, date=J0)


# --- Entrée, suivis ------------------------------------------------------------------------------------


def test_entree_en_accompagnement_declarable_une_fois(personne, referent, lot_orleans, agent_a):
    o = jusqu_a_entree(personne, referent, agent_a)
    assert o.statut == Orientation.Statut.EN_ACCOMPAGNEMENT
    assert not ResultatPaye.objects.exists()  # rien n'est dû sur la seule saisie du prestataire
    r = declarer(o, agent_a, "entree")
    assert (r.nature, r.prix_unitaire, r.date) == ("entree", Decimal("400.00"), J0 + 10 * J)
    with pytest.raises(ValidationError):
        services.orientation_demarrer_accompagnement(orientation=o, par=agent_a, date=J0 + 11 * J)
    with pytest.raises(ValidationError, match="déjà déclaré"):
        declarer(o, agent_a, "entree")
    assert ResultatPaye.objects.filter(orientation=o).count() == 1


def test_entree_exige_une_acceptation(personne, referent, lot_orleans, agent_a):
    o = orienter(personne, referent)
    with pytest.raises(ValidationError, match="démarrer"):
        services.orientation_demarrer_accompagnement(orientation=o, par=agent_a, date=J0)


def test_prix_fige_a_la_declaration(personne, referent, lot_orleans, agent_a):
    o = jusqu_a_entree(personne, referent, agent_a)
    declarer(o, agent_a, "entree")
    lot_orleans.prix_entree = Decimal("999.00")
    lot_orleans.save()
    assert ResultatPaye.objects.get(orientation=o).prix_unitaire == Decimal("400.00")


def test_suivi_enregistre(personne, referent, lot_orleans, agent_a):
    o = jusqu_a_entree(personne, referent, agent_a)
    s = services.suivi_enregistrer(
        orientation=o, par=agent_a, date=J0 + 15 * J, nature="entretien", note="CV revu", prochaine_etape="Candidater"
    )
    assert (s.auteur, s.orientation) == (agent_a, o)


def test_suivi_impossible_sur_une_orientation_proposee(personne, referent, lot_orleans, agent_a):
    o = orienter(personne, referent)
    with pytest.raises(ValidationError):
        services.suivi_enregistrer(orientation=o, par=agent_a, date=J0, nature="entretien", note="x")


# --- Sorties -------------------------------------------------------------------------------------------

POSITIVES = [
    (TypeSortie.CDI, None, True),
    (TypeSortie.CDD_6_MOIS_PLUS, 6, True),
    (TypeSortie.CDD_6_MOIS_PLUS, None, True),
    (TypeSortie.CDD_MOINS_6_MOIS, 5, False),
    (TypeSortie.INTERIM, 6, True),
    (TypeSortie.INTERIM, 5, False),
    (TypeSortie.CREATION, None, True),
    (TypeSortie.FORMATION, None, True),
    (TypeSortie.ABANDON, None, False),
    (TypeSortie.DEMENAGEMENT, None, False),
    (TypeSortie.AUTRE, None, False),
]


@pytest.mark.parametrize(("type_sortie", "duree", "positive"), POSITIVES)
def test_caractere_positif_selon_le_type(personne, referent, lot_orleans, agent_a, type_sortie, duree, positive):
    o = jusqu_a_entree(personne, referent, agent_a)
    employeur = StructureFactory(entreprise=True)
    s = services.sortie_enregistrer(
        orientation=o, par=agent_a, type=type_sortie, date=J0 + 60 * J, employeur=employeur, duree_contrat_mois=duree
    )
    assert s.positive is positive
    o.refresh_from_db()
    assert (o.statut, o.date_sortie) == (Orientation.Statut.SORTIE, J0 + 60 * J)
    assert ("sortie_positive" in dict(services.resultats_declarables(o))) is positive


def test_interim_sans_duree_refuse(personne, referent, lot_orleans, agent_a):
    o = jusqu_a_entree(personne, referent, agent_a)
    with pytest.raises(ValidationError) as exc:
        services.sortie_enregistrer(
            orientation=o, par=agent_a, type=TypeSortie.INTERIM, date=J0 + 60 * J, employeur_nom="Intérim 45"
        )
    assert "duree_contrat_mois" in exc.value.message_dict


def test_sortie_en_emploi_nomme_l_employeur(personne, referent, lot_orleans, agent_a):
    o = jusqu_a_entree(personne, referent, agent_a)
    with pytest.raises(ValidationError, match="employeur"):
        services.sortie_enregistrer(orientation=o, par=agent_a, type=TypeSortie.CDI, date=J0 + 60 * J)
    s = services.sortie_enregistrer(
        orientation=o, par=agent_a, type=TypeSortie.CDI, date=J0 + 60 * J, employeur_nom="Boulangerie Dupont"
    )
    assert s.nom_employeur == "Boulangerie Dupont"


def test_sortie_close_l_orientation_et_ne_se_saisit_qu_une_fois(personne, referent, lot_orleans, agent_a):
    o = jusqu_a_entree(personne, referent, agent_a)
    services.sortie_enregistrer(orientation=o, par=agent_a, type=TypeSortie.FORMATION, date=J0 + 60 * J)
    assert not Orientation.objects.ouvertes().filter(pk=o.pk).exists()
    with pytest.raises(ValidationError):
        services.sortie_enregistrer(orientation=o, par=agent_a, type=TypeSortie.CDI, date=J0 + 61 * J)
    assert Sortie.objects.filter(orientation=o).count() == 1
    declarer(o, agent_a, "sortie_positive")
    assert ResultatPaye.objects.filter(orientation=o, nature="sortie_positive").count() == 1


def test_sortie_positive_sans_entree_n_est_pas_payee(personne, referent, lot_orleans, agent_a):
    o = orienter(personne, referent)
    services.orientation_accepter(orientation=o, par=agent_a, date=J0)
    s = services.sortie_enregistrer(orientation=o, par=agent_a, type=TypeSortie.FORMATION, date=J0 + 5 * J)
    assert s.positive
    assert services.resultats_declarables(o) == []
    with pytest.raises(ValidationError, match="pas acquis"):
        declarer(o, agent_a, "sortie_positive")


def test_sortie_avant_l_entree_refusee(personne, referent, lot_orleans, agent_a):
    o = jusqu_a_entree(personne, referent, agent_a)
    with pytest.raises(ValidationError):
        services.sortie_enregistrer(orientation=o, par=agent_a, type=TypeSortie.ABANDON, date=J0 + 9 * J)


def test_sortie_sur_orientation_proposee_refusee(personne, referent, lot_orleans, agent_a):
    o = orienter(personne, referent)
    with pytest.raises(ValidationError):
        services.sortie_enregistrer(orientation=o, par=agent_a, type=TypeSortie.ABANDON, date=J0 + 9 * J)


def test_le_prestataire_n_est_pas_l_employeur(personne, referent, lot_orleans, agent_a, prestataire_a):
    o = jusqu_a_entree(personne, referent, agent_a)
    with pytest.raises(ValidationError):
        services.sortie_enregistrer(
            orientation=o, par=agent_a, type=TypeSortie.CDI, date=J0 + 60 * J, employeur=prestataire_a
        )


# --- Suivi dans l'emploi ---------------------------------------------------------------------------------


@pytest.fixture
def sortie_cdi(personne, referent, lot_orleans, agent_a):
    o = jusqu_a_entree(personne, referent, agent_a)
    return services.sortie_enregistrer(
        orientation=o, par=agent_a, type=TypeSortie.CDI, date=datetime.date(2018, 8, 31), employeur_nom="ACME"
    )


def test_ajouter_mois_fin_de_mois():
    assert services.ajouter_mois(datetime.date(2018, 8, 31), 6) == datetime.date(2019, 2, 28)
    assert services.ajouter_mois(datetime.date(2018, 12, 15), 1) == datetime.date(2019, 1, 15)


def test_maintien_a_6_mois_paye_une_fois(sortie_cdi, agent_a):
    services.maintien_en_emploi_enregistrer(
        sortie=sortie_cdi, par=agent_a, echeance=1, en_emploi=True, date_constat=datetime.date(2018, 10, 1)
    )
    assert "maintien_6_mois" not in dict(services.resultats_declarables(sortie_cdi.orientation))
    services.maintien_en_emploi_enregistrer(
        sortie=sortie_cdi, par=agent_a, echeance=6, en_emploi=True, date_constat=datetime.date(2019, 2, 28)
    )
    r = declarer(sortie_cdi.orientation, agent_a, "maintien_6_mois")
    assert (r.prix_unitaire, r.date) == (Decimal("800.00"), datetime.date(2019, 2, 28))
    with pytest.raises(ValidationError, match="déjà enregistré"):
        services.maintien_en_emploi_enregistrer(
            sortie=sortie_cdi, par=agent_a, echeance=6, en_emploi=True, date_constat=datetime.date(2019, 3, 5)
        )
    assert ResultatPaye.objects.filter(nature="maintien_6_mois").count() == 1


def test_maintien_avant_l_echeance_refuse(sortie_cdi, agent_a):
    with pytest.raises(ValidationError) as exc:
        services.maintien_en_emploi_enregistrer(
            sortie=sortie_cdi, par=agent_a, echeance=6, en_emploi=True, date_constat=datetime.date(2019, 2, 27)
        )
    assert "28/02/2019" in str(exc.value)


def test_plus_en_emploi_a_6_mois_n_est_pas_paye(sortie_cdi, agent_a):
    services.maintien_en_emploi_enregistrer(
        sortie=sortie_cdi, par=agent_a, echeance=6, en_emploi=False, date_constat=datetime.date(2019, 3, 1)
    )
    assert MaintienEmploi.objects.count() == 1
    assert "maintien_6_mois" not in dict(services.resultats_declarables(sortie_cdi.orientation))


def test_maintien_reserve_aux_sorties_en_emploi(personne, referent, lot_orleans, agent_a):
    o = jusqu_a_entree(personne, referent, agent_a)
    s = services.sortie_enregistrer(orientation=o, par=agent_a, type=TypeSortie.FORMATION, date=J0 + 30 * J)
    with pytest.raises(ValidationError, match="sorties en emploi"):
        services.maintien_en_emploi_enregistrer(
            sortie=s, par=agent_a, echeance=1, en_emploi=True, date_constat=J0 + 90 * J
        )


# --- Attente de plus de 15 jours --------------------------------------------------------------------------


@pytest.mark.parametrize(("jours", "signalee"), [(14, False), (15, True), (16, True)])
def test_attente_de_plus_de_15_jours(bassins, referent, lot_orleans, jours, signalee):
    aujourdhui = datetime.date(2018, 6, 30)
    o = orienter(personne_de(bassins["Orléans"]), referent, date=aujourdhui - datetime.timedelta(days=jours))
    assert Orientation.objects.en_attente_longue(aujourdhui).filter(pk=o.pk).exists() is signalee
    assert Orientation.objects.avec_attente(aujourdhui).get(pk=o.pk).attente_longue is signalee


def test_une_orientation_repondue_n_est_plus_en_attente(personne, referent, lot_orleans, agent_a):
    o = orienter(personne, referent, date=datetime.date(2018, 1, 5))
    assert Orientation.objects.en_attente_longue().filter(pk=o.pk).exists()
    services.orientation_accepter(orientation=o, par=agent_a, date=datetime.date(2018, 3, 1))
    assert not Orientation.objects.en_attente_longue().filter(pk=o.pk).exists()
