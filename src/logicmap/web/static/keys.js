// Keyboard shortcuts of every review page: a form marked data-key="d" is submitted by
// pressing d (ignored while typing in a field or with a modifier key held); e.g. screening's
// i include, e exclude (with the chosen reason), m maybe, u undo; dedupe's d, n, s. On a page
// with a #keys-help section, ? shows or hides it.
(function () {
  "use strict";
  var busy = false;
  function typing(target) {
    return target && target.closest && target.closest("input, textarea, select, [contenteditable]");
  }
  document.addEventListener("keydown", function (event) {
    var help = document.getElementById("keys-help");
    if (event.key === "?" && help && !event.ctrlKey && !event.metaKey && !event.altKey && !typing(event.target)) {
      event.preventDefault();
      help.hidden = !help.hidden;
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || busy || !/^[a-z]$/.test(event.key)) return;
    if (typing(event.target)) return;
    var form = document.querySelector('form[data-key="' + event.key + '"]');
    if (!form) return;
    event.preventDefault();
    busy = true;
    form.requestSubmit();
  });
  document.addEventListener("htmx:afterSwap", function () { busy = false; });
  document.addEventListener("htmx:responseError", function () { busy = false; });
  window.addEventListener("pageshow", function () { busy = false; });
})();
