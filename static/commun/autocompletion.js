/*
 * Autocomplétion accessible (motif « combobox » de l'ARIA Authoring Practices, liste de propositions) pour les
 * zones `input[data-autocompletion]` rendues par commun/autocompletion.py.
 *
 * Sans ce script, la zone envoie le texte saisi (le serveur le reconnaît). Avec lui : la zone devient une
 * combobox (role, aria-expanded, aria-controls, aria-activedescendant) ; un champ caché à part (nommé par
 * data-choix) porte l'identifiant du choix, vidé dès que le texte change ; la zone garde son nom et envoie
 * toujours le texte saisi, que le serveur cherche comme texte (jamais comme identifiant) ; les propositions viennent du point d'accès JSON (data-autocompletion?q=…) ;
 * Flèches bas/haut parcourent la liste, Entrée choisit, Échap ferme (puis efface), Tab quitte ; le nombre de
 * propositions est annoncé (role="status"). Un texte modifié sans choix est envoyé seul.
 */
(function () {
  "use strict";

  var compteur = 0;

  function annoncer(statut, n, suite) {
    if (n === 0) {
      statut.textContent = "Aucune proposition.";
    } else {
      statut.textContent = (suite ? "Plus de " : "") + n + " proposition" + (n > 1 ? "s" : "") +
        " : flèche bas pour les parcourir.";
    }
  }

  function ameliorer(saisie) {
    compteur += 1;
    var base = saisie.id || "autocompletion-" + compteur;
    var cache = document.createElement("input");
    cache.type = "hidden";
    cache.name = saisie.getAttribute("data-choix") || saisie.name + "_choix";
    cache.value = saisie.getAttribute("data-valeur") || "";
    saisie.after(cache);

    var liste = document.createElement("ul");
    liste.id = base + "-propositions";
    liste.className = "autocompletion-liste list-group shadow-sm";
    liste.setAttribute("role", "listbox");
    var libelle = saisie.labels && saisie.labels.length ? saisie.labels[0] : null;
    if (libelle) {
      if (!libelle.id) { libelle.id = base + "-libelle"; }
      liste.setAttribute("aria-labelledby", libelle.id);
    }
    liste.hidden = true;
    var statut = document.createElement("div");
    statut.className = "visually-hidden";
    statut.setAttribute("role", "status");
    var enveloppe = document.createElement("div");
    enveloppe.className = "autocompletion";
    saisie.parentNode.insertBefore(enveloppe, saisie);
    enveloppe.appendChild(saisie);
    enveloppe.appendChild(cache);
    enveloppe.appendChild(liste);
    enveloppe.appendChild(statut);

    saisie.setAttribute("role", "combobox");
    saisie.setAttribute("aria-autocomplete", "list");
    saisie.setAttribute("aria-expanded", "false");
    saisie.setAttribute("aria-controls", liste.id);

    var choisi = saisie.value;  // libellé du choix en cours
    var active = -1;
    var minuterie = null;
    var demande = 0;

    function options() { return liste.querySelectorAll("[role=option]"); }

    function fermer() {
      liste.hidden = true;
      saisie.setAttribute("aria-expanded", "false");
      saisie.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function activer(i) {
      var opts = options();
      if (!opts.length) { return; }
      active = (i + opts.length) % opts.length;
      for (var k = 0; k < opts.length; k += 1) {
        var oui = k === active;
        opts[k].setAttribute("aria-selected", oui ? "true" : "false");
        opts[k].classList.toggle("active", oui);
      }
      saisie.setAttribute("aria-activedescendant", opts[active].id);
      opts[active].scrollIntoView({ block: "nearest" });
    }

    function choisir(option) {
      cache.value = option.getAttribute("data-valeur");
      saisie.value = option.textContent;
      choisi = saisie.value;
      fermer();
    }

    function afficher(resultats, suite) {
      liste.textContent = "";
      resultats.forEach(function (r, i) {
        var li = document.createElement("li");
        li.id = base + "-option-" + i;
        li.className = "list-group-item list-group-item-action";
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.setAttribute("data-valeur", String(r.valeur));
        li.textContent = r.libelle;
        li.addEventListener("mousedown", function (e) { e.preventDefault(); });
        li.addEventListener("click", function () { choisir(li); });
        liste.appendChild(li);
      });
      active = -1;
      saisie.removeAttribute("aria-activedescendant");
      liste.hidden = resultats.length === 0;
      saisie.setAttribute("aria-expanded", resultats.length ? "true" : "false");
      annoncer(statut, resultats.length, suite);
    }

    function chercher() {
      demande += 1;
      var numero = demande;
      var adresse = saisie.getAttribute("data-autocompletion") + "?q=" + encodeURIComponent(saisie.value.trim());
      fetch(adresse, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { resultats: [], suite: false }; })
        .then(function (donnees) {
          if (numero === demande && document.activeElement === saisie) {
            afficher(donnees.resultats || [], donnees.suite);
          }
        })
        .catch(function () { statut.textContent = "Propositions indisponibles : saisissez le nom."; });
    }

    saisie.addEventListener("input", function () {
      if (saisie.value !== choisi) { cache.value = ""; }
      clearTimeout(minuterie);
      minuterie = setTimeout(chercher, 150);
    });

    saisie.addEventListener("keydown", function (e) {
      var ouverte = !liste.hidden;
      if (e.key === "ArrowDown") {
        e.preventDefault();
        if (ouverte) { activer(active + 1); } else { chercher(); }
      } else if (e.key === "ArrowUp") {
        if (ouverte) { e.preventDefault(); activer(active - 1); }
      } else if (e.key === "Enter") {
        if (ouverte && active >= 0) {
          e.preventDefault();
          choisir(options()[active]);
        }
      } else if (e.key === "Escape") {
        if (ouverte) { e.preventDefault(); fermer(); } else if (saisie.value) {
          e.preventDefault();
          saisie.value = "";
          cache.value = "";
          choisi = "";
        }
      } else if (e.key === "Tab") {
        fermer();
      }
    });

    saisie.addEventListener("blur", function () { fermer(); });

    if (saisie.form) {
      saisie.form.addEventListener("submit", function () {
        // Sans choix dans la liste, seul le texte saisi part (le serveur le cherche comme texte) : le champ caché
        // vide n'encombre pas l'adresse.
        cache.disabled = !cache.value;
      });
    }
  }

  function tout() {
    document.querySelectorAll("input[data-autocompletion]").forEach(ameliorer);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", tout);
  } else {
    tout();
  }
})();
