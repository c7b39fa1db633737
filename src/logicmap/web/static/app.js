// Keyboard shortcuts of the screening page: i include, e exclude (with the chosen reason),
// m maybe, u undo. Ignored while typing in a field or with a modifier key held.
(function () {
  "use strict";
  var FORMS = { i: "form-include", e: "form-exclude", m: "form-maybe", u: "form-undo" };
  var busy = false;
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || busy) return;
    var target = event.target;
    if (target && target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
    var form = document.getElementById(FORMS[event.key] || "");
    if (!form) return;
    event.preventDefault();
    busy = true;
    form.requestSubmit();
  });
  // a new page (htmx swap or full load) takes keys again
  document.addEventListener("htmx:afterSwap", function () { busy = false; });
  document.addEventListener("htmx:responseError", function () { busy = false; });
  window.addEventListener("pageshow", function () { busy = false; });
})();
