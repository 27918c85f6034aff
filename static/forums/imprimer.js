// Bouton « Imprimer » des lettres et de la feuille d'émargement (aucun script en ligne : CSP).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-imprimer]").forEach(function (bouton) {
    bouton.addEventListener("click", function () { window.print(); });
  });
});
