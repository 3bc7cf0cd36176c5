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

  // A live count under each text box with a limit (the limit itself is stated in the page).
  // The language switcher, by contrast, waits for its button: submitting on change would switch
  // the page's language as soon as a keyboard user moves through the options.
  document.querySelectorAll(".char-count[data-count-for]").forEach(function (counter) {
    var box = document.getElementById(counter.getAttribute("data-count-for"));
    var limit = box && parseInt(box.getAttribute("maxlength"), 10);
    if (!limit) return;
    var lang = document.documentElement.lang;
    function update() {
      counter.textContent = counter.getAttribute("data-template")
        .replace("{count}", box.value.length.toLocaleString(lang))
        .replace("{limit}", limit.toLocaleString(lang));
      counter.classList.toggle("char-count-near", box.value.length > limit * 0.9);
    }
    counter.hidden = false;
    box.addEventListener("input", update);
    update();
  });
})();
