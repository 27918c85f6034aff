// « Tout cocher » : la case d'en-tête (data-tout-cocher="<nom des cases>") coche ou décoche toutes les cases de
// la page. Sans ce script, elle reste cachée : chaque case se coche une à une.
(function () {
  "use strict";
  document.querySelectorAll("input[data-tout-cocher]").forEach(function (tout) {
    var nom = tout.getAttribute("data-tout-cocher");
    function cases() {
      return Array.prototype.slice.call(document.querySelectorAll('input[type="checkbox"][name="' + nom + '"]'));
    }
    function accorder() {
      var toutes = cases();
      var cochees = toutes.filter(function (c) { return c.checked; }).length;
      tout.checked = toutes.length > 0 && cochees === toutes.length;
      tout.indeterminate = cochees > 0 && cochees < toutes.length;
    }
    tout.hidden = false;
    tout.addEventListener("change", function () {
      cases().forEach(function (c) { c.checked = tout.checked; });
      tout.indeterminate = false;
    });
    document.addEventListener("change", function (evenement) {
      if (evenement.target.name === nom) { accorder(); }
    });
    accorder();
  });
})();
