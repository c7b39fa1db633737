/* logicmap interactive logic model: Cytoscape.js view, side panel, filters, keyboard list.
   Data comes from the JSON block #lm-data written by logicmap.report.interactive. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("lm-data").textContent);
  var studies = data.studies, quotes = data.quotes;
  var nodeById = {}, edgeById = {};
  data.nodes.forEach(function (n) { nodeById[n.id] = n; });
  data.edges.forEach(function (e) { edgeById[e.id] = e; });
  var lastTrigger = null;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k]; else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }
  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

  var elements = [];
  data.nodes.forEach(function (n) {
    elements.push({ group: "nodes", data: { id: n.id, display: n.id + " " + n.label + "\n(n=" + n.n + ")",
      kind: n.kind, w: n.w, h: n.h, tw: n.w - 10 }, position: { x: n.x, y: n.y }, classes: n.kind });
  });
  data.edges.forEach(function (e) {
    elements.push({ group: "edges", data: { id: e.id, source: e.source, target: e.target, width: e.width,
      colour: e.colour, opacity: e.opacity }, classes: e.n ? "evidence" : "hyp" });
  });
  var fills = data.kindFills, strokes = data.kindStrokes;
  var style = [
    { selector: "node", style: { shape: "round-rectangle", width: "data(w)", height: "data(h)", label: "data(display)",
      "text-wrap": "wrap", "text-max-width": "data(tw)", "font-size": 15, "text-valign": "center", "text-halign": "center",
      "border-width": 1.5, "font-family": "DejaVu Sans, Arial, sans-serif" } },
    { selector: "edge", style: { width: "data(width)", "line-color": "data(colour)", "target-arrow-color": "data(colour)",
      "target-arrow-shape": "triangle", "curve-style": "bezier", opacity: "data(opacity)", "arrow-scale": 0.8 } },
    { selector: "edge.hyp", style: { "line-style": "dashed" } },
    { selector: ".faded", style: { opacity: 0.12 } },
    { selector: "node.match", style: { "border-width": 4, "border-color": "#000" } },
    { selector: ":selected", style: { "overlay-color": "#0072B2", "overlay-opacity": 0.25, "overlay-padding": 4 } },
    { selector: "edge:selected", style: { opacity: 1, "z-index": 9999, "underlay-color": "#000000",
      "underlay-opacity": 0.35, "underlay-padding": 3 } },
    { selector: ".gone", style: { display: "none" } }
  ];
  Object.keys(fills).forEach(function (k) {
    style.splice(1, 0, { selector: "node." + k, style: { "background-color": fills[k], "border-color": strokes[k] } });
  });
  var cy = cytoscape({ container: document.getElementById("cy"), elements: elements, style: style,
    layout: { name: "preset", fit: true, padding: 16 }, autoungrabify: true, boxSelectionEnabled: false,
    minZoom: 0.2, maxZoom: 4 });

  /* ---- filters ---- */
  var fTyp = document.getElementById("f-typology"), fDom = document.getElementById("f-domain"),
    fDes = document.getElementById("f-design"), fSearch = document.getElementById("f-search"),
    fHyp = document.getElementById("f-hyp");
  data.filters.typologies.forEach(function (t) { fTyp.appendChild(el("option", { value: t[0], text: t[0] + " " + t[1] })); });
  data.filters.domains.forEach(function (d) { fDom.appendChild(el("option", { value: d, text: d })); });
  data.filters.designs.forEach(function (d) { fDes.appendChild(el("option", { value: d, text: d })); });

  function studyOk(sid) {
    var s = studies[sid];
    if (fDes.value && s.f !== fDes.value && s.d !== fDes.value) return false;
    if (fTyp.value && s.ty.indexOf(fTyp.value) < 0) return false;
    if (fDom.value && s.dom.indexOf(fDom.value) < 0) return false;
    return true;
  }
  function studyFilterOn() { return !!(fDes.value || fTyp.value || fDom.value); }
  function nodeOk(n) {
    if (fTyp.value && n.kind === "typology" && n.id !== fTyp.value) return false;
    if (fDom.value && n.kind === "outcome" && n.group !== fDom.value) return false;
    return true;
  }
  function edgeOk(e) {
    if (!nodeOk(nodeById[e.source]) || !nodeOk(nodeById[e.target])) return false;
    if (!e.n) return fHyp.checked;
    if (!studyFilterOn()) return true;
    return e.studies.some(function (s) { return studyOk(s[0]); });
  }
  function matches(text, q) { return !q || text.toLowerCase().indexOf(q) >= 0; }

  function applyFilters() {
    var q = fSearch.value.trim().toLowerCase(), shownE = 0, shownN = 0;
    cy.batch(function () {
      data.nodes.forEach(function (n) {
        var ok = nodeOk(n), node = cy.getElementById(n.id);
        node.toggleClass("gone", !ok);
        node.toggleClass("match", !!q && ok && matches(n.id + " " + n.label, q));
        document.getElementById("btn-n-" + n.id).parentNode.hidden = !ok || !matches(n.id + " " + n.label, q);
        if (ok) shownN++;
      });
      data.edges.forEach(function (e) {
        var ok = edgeOk(e), edge = cy.getElementById(e.id);
        var text = e.id + " " + nodeById[e.source].label + " " + nodeById[e.target].label;
        edge.toggleClass("gone", !ok);
        edge.toggleClass("faded", ok && !!q && !matches(text, q));
        document.getElementById("btn-e-" + e.id).parentNode.hidden = !ok || !matches(text, q);
        if (ok) shownE++;
      });
    });
    document.getElementById("status").textContent =
      "Showing " + plural(shownE, "link", "links") + " and " + plural(shownN, "node", "nodes") +
      (studyFilterOn() ? " (links backed by studies that match the filters)" : "") + ".";
  }
  [fTyp, fDom, fDes, fHyp].forEach(function (x) { x.addEventListener("change", applyFilters); });
  fSearch.addEventListener("input", applyFilters);
  document.getElementById("f-reset").addEventListener("click", function () {
    fTyp.value = fDom.value = fDes.value = fSearch.value = ""; fHyp.checked = true; applyFilters();
  });

  /* ---- side panel ---- */
  var panel = document.getElementById("panel"), title = document.getElementById("panel-title"),
    body = document.getElementById("panel-body");

  function dirSpan(d) { return el("span", { "class": "dir dir-" + d, text: data.directionLabels[d] || d }); }
  function studyItem(sid, direction, basis, quoteIds) {
    var s = studies[sid];
    var meta = [s.d || "design not reported"];
    if (s.co) meta.push(s.co);
    if (basis) meta.push(basis === "explicit" ? "link stated explicitly" : "codes co-occur in the study");
    var li = el("li", {}, [el("strong", { text: s.c }), " ", el("span", { text: s.t }),
      el("div", { "class": "meta" }, [meta.join(" · ") + " · direction: ", dirSpan(direction || "not_measured")])]);
    (quoteIds || []).forEach(function (qi) {
      li.appendChild(el("blockquote", { text: "“" + quotes[qi][1] + "” (" + quotes[qi][0] + ")" }));
    });
    if (!quoteIds || !quoteIds.length) li.appendChild(el("div", { "class": "meta", text: "No quoted sentence coded." }));
    return li;
  }
  function openPanel(heading, parts, trigger) {
    lastTrigger = trigger || document.activeElement;
    title.textContent = heading;
    body.textContent = "";
    parts.forEach(function (p) { body.appendChild(p); });
    panel.hidden = false;
    cy.resize(); cy.fit(undefined, 16);
    panel.focus();
  }
  function closePanel() {
    if (panel.hidden) return;
    panel.hidden = true;
    cy.resize(); cy.fit(undefined, 16);
    cy.elements().unselect();
    if (lastTrigger && document.body.contains(lastTrigger)) lastTrigger.focus();
  }
  function openEdge(id, trigger) {
    var e = edgeById[id], src = nodeById[e.source], dst = nodeById[e.target];
    var parts = [];
    var v = e.votes;
    var summary = e.n ? plural(e.n, "study", "studies") + " · " + e.grade + " evidence · " + e.basis +
      " · votes: " + v.benefit + " benefit, " + v.no_difference + " no difference, " + v.harm + " harm, " + v.mixed +
      " mixed" + (e.p === null ? "" : " · sign test p = " + e.p) : "Hypothesis from the codebook: no study supports this link yet.";
    parts.push(el("p", {}, [summary + (e.n ? " · direction: " : ""), e.n ? dirSpan(e.direction) : ""]));
    if (e.note) parts.push(el("p", { "class": "meta", text: e.note }));
    if (e.actsOn && e.actsOn.length) parts.push(el("p", { "class": "meta", text: "Moderates: " + e.actsOn.join(", ") }));
    var rows = e.studies.filter(function (s) { return !studyFilterOn() || studyOk(s[0]); });
    if (studyFilterOn() && rows.length < e.studies.length)
      parts.push(el("p", { "class": "meta", text: rows.length + " of " + e.n + " studies match the filters." }));
    var list = el("ol", { "class": "studies", "aria-label": "Supporting studies" });
    rows.forEach(function (s) { list.appendChild(studyItem(s[0], s[1], s[2], s[3])); });
    if (rows.length) parts.push(list);
    cy.elements().unselect(); cy.getElementById(id).select();
    openPanel(src.id + " " + src.label + " → " + dst.id + " " + dst.label, parts, trigger);
  }
  function openNode(id, trigger) {
    var n = nodeById[id], parts = [];
    parts.push(el("p", { "class": "meta", text: n.kind + (n.group ? " · " + n.group.replace("_", " ") : "") +
      " · " + plural(n.n, "coded study", "coded studies") }));
    if (n.definition) parts.push(el("p", { text: n.definition }));
    var links = data.edges.filter(function (e) { return (e.source === id || e.target === id) && edgeOk(e); });
    if (links.length) {
      var ul = el("ul", { "aria-label": "Links of this node" });
      links.forEach(function (e) {
        var b = el("button", { type: "button", text: e.id + " (" + plural(e.n, "study", "studies") + ")" });
        b.addEventListener("click", function () { openEdge(e.id, b); });
        ul.appendChild(el("li", {}, [b]));
      });
      parts.push(el("h3", { text: "Links" }), ul);
    }
    var rows = n.studies.filter(function (s) { return !studyFilterOn() || studyOk(s[0]); });
    var list = el("ol", { "class": "studies", "aria-label": "Studies coded with " + id });
    rows.forEach(function (s) { list.appendChild(studyItem(s[0], s[1], null, s[2])); });
    if (rows.length) parts.push(el("h3", { text: "Studies" }), list);
    cy.elements().unselect(); cy.getElementById(id).select();
    openPanel(n.id + " " + n.label, parts, trigger);
  }
  document.getElementById("panel-close").addEventListener("click", closePanel);
  document.addEventListener("keydown", function (ev) { if (ev.key === "Escape") closePanel(); });
  cy.on("tap", "node", function (ev) { openNode(ev.target.id(), null); });
  cy.on("tap", "edge", function (ev) { openEdge(ev.target.id(), null); });

  /* ---- keyboard lists ---- */
  var edgeList = document.getElementById("edge-list"), nodeList = document.getElementById("node-list");
  data.edges.forEach(function (e) {
    var label = e.id + ": " + nodeById[e.source].label + " → " + nodeById[e.target].label + ", " +
      (e.n ? plural(e.n, "study", "studies") + ", " + (data.directionLabels[e.direction] || e.direction) + ", " + e.grade
        : "hypothesis");
    var b = el("button", { type: "button", id: "btn-e-" + e.id, "aria-label": label, title: label },
      [el("span", { "class": "swatch", style: "background:" + e.colour, "aria-hidden": "true" }),
        e.id + " (" + (e.n ? e.n : "hyp.") + ")"]);
    b.addEventListener("click", function () { openEdge(e.id, b); });
    edgeList.appendChild(el("li", {}, [b]));
  });
  data.nodes.forEach(function (n) {
    var label = n.id + " " + n.label + ", " + n.kind + ", " + plural(n.n, "study", "studies");
    var b = el("button", { type: "button", id: "btn-n-" + n.id, "aria-label": label, title: label },
      [n.id + " " + n.label + " (" + n.n + ")"]);
    b.addEventListener("click", function () { openNode(n.id, b); });
    nodeList.appendChild(el("li", {}, [b]));
  });
  applyFilters();
  window.logicmapView = { cy: cy, applyFilters: applyFilters, openEdge: openEdge, openNode: openNode, closePanel: closePanel };
})();
