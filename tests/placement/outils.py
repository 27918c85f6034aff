"""Raccourcis des tests du placement : orienter, accepter, faire entrer en accompagnement."""

import datetime

from placement import services
from tests.beneficiaires.factories import BeneficiaireFactory

J0 = datetime.date(2018, 3, 1)


def personne_de(bassin):
    return BeneficiaireFactory(commune=bassin.commune_test)


def orienter(personne, referent, *, date=J0, lot=None):
    return services.orientation_proposer(beneficiaire=personne, par=referent, date=date, lot=lot)


def jusqu_a_entree(personne, referent, agent, *, date=J0):
    o = orienter(personne, referent, date=date)
    services.orientation_accepter(orientation=o, par=agent, date=date + datetime.timedelta(days=3))
    return services.orientation_demarrer_accompagnement(
        orientation=o, par=agent, date=date + datetime.timedelta(days=10)
    )


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def justificatif(nom="contrat.pdf", contenu=PDF):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(nom, contenu, content_type="application/pdf")


def declarer(orientation, agent, nature):
    return services.resultat_declarer(orientation=orientation, nature=nature, justificatif=justificatif(), par=agent)


def constater_resultats(orientation, agent, verificateur):
    """Déclare (avec un justificatif) puis fait valider tous les résultats acquis de l'orientation."""
    resultats = []
    for nature, _ in services.resultats_declarables(orientation):
        resultats.append(services.resultat_valider(resultat=declarer(orientation, agent, nature), par=verificateur))
    return resultats
