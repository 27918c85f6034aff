"""Code QR d'enrôlement rendu en SVG dans la page (paquet qrcode) : aucune image externe, aucun script."""

import io

import qrcode
import qrcode.image.svg


def qr_svg(donnees):
    """Le SVG (texte) du code QR de `donnees`, sans déclaration XML, prêt à être inséré dans le HTML."""
    image = qrcode.make(donnees, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    tampon = io.BytesIO()
    image.save(tampon)
    svg = tampon.getvalue().decode()
    if svg.startswith("<?xml"):
        svg = svg.split("?>", 1)[1].lstrip()
    return svg.replace(
        "<svg ",
        '<svg role="img" aria-label="Code QR à scanner avec l\'application d\'authentification" class="qr-code" ',
        1,
    )
