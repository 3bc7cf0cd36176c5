// Small enhancements only: every page works without this file.
(function () {
  "use strict";

  // Copy a clause's permanent address when its ¶ link is clicked (the link still navigates).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.clause-link");
    if (!link || !navigator.clipboard) return;
    navigator.clipboard.writeText(link.href).then(function () {
      link.setAttribute("data-copied", "true");
      link.title = document.documentElement.lang === "ru" ? "Ссылка скопирована" : "Link copied";
    }, function () {});
  });

  // A print link where printing makes sense (agreement pages).
  document.querySelectorAll(".print-link").forEach(function (link) {
    link.hidden = false;
    link.addEventListener("click", function (event) {
      event.preventDefault();
      window.print();
    });
  });

  // Share: copy the permanent address with one click (the field stays selectable without JS).
  document.querySelectorAll(".copy-link").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy-from"));
    if (!field || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        button.textContent = button.getAttribute("data-copied-label");
      }, function () { field.select(); });
    });
  });

  // Leaflets: a print button beside the size choice.
  document.querySelectorAll(".print-button").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  // The language switcher submits on change; its button stays for keyboard and no-JS users.
  document.querySelectorAll(".language-switcher select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
