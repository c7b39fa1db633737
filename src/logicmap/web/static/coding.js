// The coding page: text selected inside a .codable field fills the "Apply a code" form with
// the field, the selection's character offsets in that field's text, and the quote.
(function () {
  "use strict";
  function offsetIn(field, node, offset) {
    var range = document.createRange();
    range.selectNodeContents(field);
    range.setEnd(node, offset);
    return range.toString().length;
  }
  document.addEventListener("selectionchange", function () {
    var form = document.getElementById("apply-code");
    var selection = window.getSelection();
    if (!form || !selection || selection.rangeCount === 0 || selection.isCollapsed) return;
    var range = selection.getRangeAt(0);
    var start = range.startContainer.nodeType === 1 ? range.startContainer : range.startContainer.parentElement;
    var field = start && start.closest(".codable");
    if (!field || !field.contains(range.endContainer)) return;
    var from = offsetIn(field, range.startContainer, range.startOffset);
    var to = offsetIn(field, range.endContainer, range.endOffset);
    if (to <= from) return;
    form.querySelector("#sel-field").value = field.dataset.field;
    form.querySelector("#sel-start").value = from;
    form.querySelector("#sel-end").value = to;
    form.querySelector("#sel-quote").value = field.textContent.slice(from, to);
  });
  // a typed quote is looked up in the texts instead of a selection's offsets
  document.addEventListener("input", function (event) {
    if (event.target && event.target.id === "sel-quote") {
      ["#sel-field", "#sel-start", "#sel-end"].forEach(function (id) { document.querySelector(id).value = ""; });
    }
  });
})();
