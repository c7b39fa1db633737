/* logicmap interactive logic model: view switcher, strength controls, zoom, side panel, keyboard list,
   context profile.
   The drawings are the SVGs logicmap.report.model_svg writes (one <div class="view"> each); the data
   comes from the JSON block #lm-data written by logicmap.report.interactive. No library is loaded. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("lm-data").textContent);
  var studies = data.studies || {}, quotes = data.quotes || {}, views = {};
  /* Large models keep their study lists in part files beside the page (data.partDir), loaded with a
     <script> element when a link or box opens (works from file://); each calls lmPart(name, part). */
  var loadedParts = {}, waiting = {};
  window.lmPart = function (name, part) {
    Object.keys(part.studies || {}).forEach(function (k) { studies[k] = part.studies[k]; });
    Object.keys(part.quotes || {}).forEach(function (k) { quotes[k] = part.quotes[k]; });
    loadedParts[name] = part;
    (waiting[name] || []).forEach(function (f) { f(); });
    delete waiting[name];
  };
  function need(names, done) {
    var missing = names.filter(function (n) { return n && !loadedParts[n]; }), left = missing.length;
    if (!left) { done(); return; }
    missing.forEach(function (n) {
      var fresh = !waiting[n];
      (waiting[n] = waiting[n] || []).push(function () { if (--left === 0) done(); });
      if (!fresh) return;
      var s = document.createElement("script");
      s.src = data.partDir + "/" + n + ".js";
      s.onerror = function () {
        show("Study list missing", [el("p", { text: "The study list " + s.getAttribute("src") +
          " was not found next to this page; keep the page's folder together." })], null);
      };
      document.head.appendChild(s);
    });
  }
  function rowsOf(entry) { return entry.part ? loadedParts[entry.part].rows : entry.studies; }
  function viewStudies(edgeId) {
    return current.part ? loadedParts[current.part].edges[edgeId] : current.edges[edgeId].studies;
  }
  data.views.forEach(function (v) { views[v.key] = v; });
  var GRADE_RANK = { hypothesised: 0, limited: 1, moderate: 2, strong: 3 };
  var KINDS = { typology: "intervention typology", mechanism: "mechanism", process: "process", outcome: "outcome",
    moderator: "moderator (a condition on links)" };
  var graph = document.getElementById("graph"), panel = document.getElementById("panel"),
    title = document.getElementById("panel-title"), body = document.getElementById("panel-body"),
    fView = document.getElementById("f-view"), fStrength = document.getElementById("f-strength"),
    fMin = document.getElementById("f-min");
  var current = null, zoom = 1, lastTrigger = null;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k]; else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }
  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }
  function viewDiv() { return graph.querySelector('.view[data-key="' + CSS.escape(current.key) + '"]'); }
  function svg() { return viewDiv().querySelector("svg"); }
  function edgeEl(id) { return svg().querySelector('g.edge[data-id="' + CSS.escape(id) + '"]'); }
  function label(id) { var n = current.nodes[id]; return id.indexOf("domain:") === 0 ? n.label : id + " " + n.label; }
  function short(id) { return id.indexOf("domain:") === 0 ? current.nodes[id].label : id; }

  /* ---- zoom: fit the width, never below 11 px text ---- */
  function minZoom() { return 11.05 / data.minFont; }  /* a hair above 11 px: widths are rounded */
  function applyZoom(z) {
    zoom = Math.max(minZoom(), Math.min(3, z));
    var s = svg();
    s.setAttribute("width", String(current.width * zoom));
    s.setAttribute("height", String(current.height * zoom));
  }
  function fit() { applyZoom(Math.min(1, (graph.clientWidth - 4) / current.width)); }
  document.getElementById("z-fit").addEventListener("click", fit);
  document.getElementById("z-in").addEventListener("click", function () { applyZoom(zoom * 1.25); });
  document.getElementById("z-out").addEventListener("click", function () { applyZoom(zoom / 1.25); });
  window.addEventListener("resize", fit);

  /* ---- strength controls: weakest grade shown, fewest studies per link ---- */
  var summaryMin = views.summary ? views.summary.minStudies : 1, most = 1;
  Object.keys(data.edges).forEach(function (k) { most = Math.max(most, data.edges[k].n); });
  for (var k = 1; k <= most; k++) fMin.appendChild(el("option", { value: String(k), text: plural(k, "study", "studies") }));
  fMin.value = String(summaryMin);
  function applyStrength() {
    var grade = Number(fStrength.value), min = Number(fMin.value), shown = 0, total = 0, fewer = 0;
    svg().querySelectorAll("g.edge").forEach(function (g) {
      var e = current.edges[g.getAttribute("data-id")];
      var few = e.n > 0 && e.n < min, ok = (grade === 0 || e.n > 0) && GRADE_RANK[e.grade] >= grade && !few;
      g.classList.toggle("below", !ok);
      document.getElementById("btn-e-" + g.getAttribute("data-id")).parentNode.hidden = !ok;
      total++; if (ok) shown++; if (few) fewer++;
    });
    var hidden = fewer + (current.hidden || 0), parts = [current.title + ": showing " + plural(shown, "link", "links") +
      " of " + total];
    if (total - shown - fewer > 0) parts.push((total - shown - fewer) + " below the chosen strength hidden");
    if (hidden) parts.push(plural(hidden, "link", "links") + " with fewer than " + plural(Math.max(min, current.minStudies || 1), "study", "studies") +
      " hidden (lower “Fewest studies per link” to show " + (hidden === 1 ? "it" : "them") + ")");
    document.getElementById("status").textContent = parts.join("; ") + ".";
    markContext();
  }
  fStrength.addEventListener("change", applyStrength);
  fMin.addEventListener("change", function () {
    var min = Number(fMin.value);
    if (current.key === "summary" && min < summaryMin && views["summary-all"]) showView("summary-all", true);
    else if (current.key === "summary-all" && min >= summaryMin) showView("summary", true);
    else applyStrength();
  });

  /* ---- side panel ---- */
  var stacked = window.matchMedia("(max-width: 1000px)");  // the CSS puts the panel under the drawing
  function dirSpan(d) { return el("span", { "class": "dir dir-" + d, text: data.directionLabels[d] || d }); }
  function studyItem(sid, direction, basis, quoteIds) {
    var s = studies[sid], meta = [s.d || "design not reported"];
    if (s.co) meta.push(s.co);
    if (basis) meta.push(data.studyBasisLabels[basis] || basis);
    var li = el("li", {}, [el("strong", { text: s.c }), " ", el("span", { text: s.t }),
      el("div", { "class": "meta" }, [meta.join(" · ") + " · direction: ", dirSpan(direction || "not_measured")])]);
    (quoteIds || []).forEach(function (qi) {
      li.appendChild(el("blockquote", { text: "“" + quotes[qi][1] + "” (" + quotes[qi][0] + ")" }));
    });
    if (!quoteIds || !quoteIds.length) li.appendChild(el("div", { "class": "meta", text: "No quoted sentence coded." }));
    return li;
  }
  function moderatorText(m) {
    if (typeof m !== "object" || m === null) return String(m);
    var head = [m.code, m.label].filter(Boolean).join(" ");
    var effect = m.effect || m.direction, who = m.citation || (studies[m.study] || {}).c || m.study;
    var how = [data.effectLabels[effect] || effect, who].filter(Boolean).join(", ");
    return (head || JSON.stringify(m)) + (how ? " (" + how + ")" : "") + (m.quote ? ": “" + m.quote + "”" : "");
  }
  function show(heading, parts, trigger, keepFocus) {
    lastTrigger = trigger || null;
    title.textContent = heading;
    body.textContent = "";
    parts.forEach(function (p) { body.appendChild(p); });
    panel.scrollTop = 0;
    if (!keepFocus) panel.focus({ preventScroll: true });
  }
  function reveal() { if (stacked.matches) panel.scrollIntoView({ block: "nearest" }); }  // opened: in view
  function clearSelection() {
    svg().classList.remove("focused");
    svg().querySelectorAll(".selected, .near").forEach(function (x) { x.classList.remove("selected", "near"); });
  }
  function intro() {
    clearSelection();
    var parts = [el("p", { text: "Click a link or a box in the drawing (or use the list under it) to see the studies " +
      "and the sentences behind it." })];
    if (current.note) parts.push(el("p", { "class": "meta", text: current.note }));
    show(current.title, parts, null);
  }
  function edgeParts(id, e) {
    var v = e.n ? plural(e.n, "study", "studies") + " · " + e.grade + " evidence · " + (data.basisLabels[e.basis] || e.basis)
      : "Hypothesis: from the codebook, no study yet.";
    var parts = [el("p", {}, [v + (e.n ? " · direction: " : ""), e.n ? dirSpan(e.direction) : ""])];
    if (e.members.length > 1) parts.push(el("p", { "class": "meta", text: "Brings together " +
      plural(e.members.length, "link", "links") + ": " + e.members.join(", ") + "." }));
    var wanted = {};
    viewStudies(id).forEach(function (s) { wanted[s] = true; });
    e.members.forEach(function (mid) {
      var m = data.edges[mid];
      if (e.members.length > 1) parts.push(el("h3", { text: mid }));
      if (m.note) parts.push(el("p", { "class": "meta", text: m.note }));
      if (m.moderators && m.moderators.length) {
        parts.push(el("h3", { text: "Moderators (conditions on this link)" }));
        parts.push(el("ul", { "class": "moderators" }, m.moderators.map(function (x) { return el("li", { text: moderatorText(x) }); })));
      }
      if (m.actsOn && m.actsOn.length) parts.push(el("p", { "class": "meta", text: "Moderates: " + m.actsOn.join(", ") }));
      var list = el("ol", { "class": "studies", "aria-label": "Supporting studies" });
      rowsOf(m).filter(function (s) { return wanted[s[0]]; }).forEach(function (s) { list.appendChild(studyItem(s[0], s[1], s[2], s[3])); });
      if (list.children.length) parts.push(list);
    });
    return parts;
  }
  function openEdge(id, trigger) {
    var e = current.edges[id], view = current;
    clearSelection();
    edgeEl(id).classList.add("selected");
    need([current.part].concat(e.members.map(function (m) { return data.edges[m].part; })), function () {
      if (current === view) { show(label(e.source) + " → " + label(e.target), edgeParts(id, e), trigger); reveal(); }
    });
  }
  function openNode(id, trigger) {
    var n = current.nodes[id], parts = [], model = data.nodes[id];
    clearSelection();
    var s = svg(), box = s.querySelector('g.node[data-id="' + CSS.escape(id) + '"]');
    box.classList.add("selected"); s.classList.add("focused");
    parts.push(el("p", { "class": "meta", text: (model ? (KINDS[model.kind] || model.kind) +
      (model.group ? " · " + model.group.replace("_", " ") : "") + " · " : "") +
      plural(n.n, "coded study", "coded studies") }));
    if (model && model.definition) parts.push(el("p", { text: model.definition }));
    if (n.members.length > 1) parts.push(el("p", { "class": "meta", text: "Outcomes: " + n.members.join(", ") }));
    var ul = el("ul", { "aria-label": "Links of this box" });
    Object.keys(current.edges).forEach(function (eid) {
      var e = current.edges[eid];
      if (e.source !== id && e.target !== id) return;
      edgeEl(eid).classList.add("near");
      var b = el("button", { type: "button", text: short(e.source) + " → " + short(e.target) + " (" + plural(e.n, "study", "studies") + ")" });
      b.addEventListener("click", function () { openEdge(eid, b); });
      ul.appendChild(el("li", {}, [b]));
    });
    if (ul.children.length) parts.push(el("h3", { text: "Links in this view" }), ul);
    var view = current;
    need([model && model.part], function () {
      if (current !== view) return;
      if (model) {
        var list = el("ol", { "class": "studies", "aria-label": "Studies coded with " + id });
        rowsOf(model).forEach(function (x) { list.appendChild(studyItem(x[0], x[1], null, x[2])); });
        if (list.children.length) parts.push(el("h3", { text: "Studies" }), list);
      }
      show(label(id), parts, trigger);
      reveal();
    });
  }
  document.getElementById("panel-close").addEventListener("click", function () { closePanel(); });
  function closePanel() {
    var t = lastTrigger;
    intro();
    if (t && document.body.contains(t)) t.focus();
  }
  document.addEventListener("keydown", function (ev) { if (ev.key === "Escape") closePanel(); });

  /* ---- context profile: the conditions of the reader's service, marked on the links they act on ---- */
  var MARKS = { weakened: "−", strengthened: "+", both: "±", unclear: "?" };
  var levels = document.getElementById("context-levels");
  data.moderatorLevels.forEach(function (lv) {
    var fs = el("fieldset", {}, [el("legend", { text: lv.title })]);
    lv.codes.forEach(function (c) {
      var box = el("input", { type: "checkbox", value: c.code, id: "ctx-" + c.code });
      if (data.context.indexOf(c.code) >= 0) box.checked = true;
      box.addEventListener("change", function () { markContext(); showContext(null, true); });
      fs.appendChild(el("label", { "for": "ctx-" + c.code }, [box, " " + c.code + " " + c.label]));
    });
    levels.appendChild(fs);
  });
  if (data.context.length) document.getElementById("context").open = true;
  function ticked() {
    return [].slice.call(levels.querySelectorAll("input:checked")).map(function (b) { return b.value; });
  }
  function conditionsOf(memberIds, codes) {
    var out = [];
    memberIds.forEach(function (mid) {
      (data.edges[mid].moderators || []).forEach(function (m) { if (codes.indexOf(m.code) >= 0) out.push(m); });
    });
    return out;
  }
  function effectOf(conds) {
    var w = conds.some(function (c) { return c.effect === "weakens"; }), s = conds.some(function (c) { return c.effect === "strengthens"; });
    return w && s ? "both" : w ? "weakened" : s ? "strengthened" : "unclear";
  }
  function markContext() {
    var codes = ticked();
    svg().querySelectorAll("g.edge").forEach(function (g) {
      var id = g.getAttribute("data-id"), e = current.edges[id], conds = codes.length ? conditionsOf(e.members, codes) : [];
      var old = g.querySelector(".ctx-mark");
      if (old) old.remove();
      ["ctx-weakened", "ctx-strengthened", "ctx-both", "ctx-unclear"].forEach(function (c) { g.classList.remove(c); });
      var btn = document.getElementById("btn-e-" + id), base = btn.getAttribute("data-label") || btn.getAttribute("aria-label");
      btn.setAttribute("data-label", base);
      btn.setAttribute("aria-label", base);
      if (!conds.length || g.classList.contains("below")) return;
      var effect = effectOf(conds), m = midpointLocal(g), ns = "http://www.w3.org/2000/svg";
      g.classList.add("ctx-" + effect);
      var mark = document.createElementNS(ns, "g"), circle = document.createElementNS(ns, "circle"), t = document.createElementNS(ns, "text");
      mark.setAttribute("class", "ctx-mark");
      circle.setAttribute("cx", m.x); circle.setAttribute("cy", m.y); circle.setAttribute("r", "10");
      t.setAttribute("x", m.x); t.setAttribute("y", m.y + 5); t.textContent = MARKS[effect];
      var tip = document.createElementNS(ns, "title");
      tip.textContent = "In your context: " + (data.effectLabels[effect] || effect);
      mark.appendChild(tip); mark.appendChild(circle); mark.appendChild(t); g.appendChild(mark);
      btn.setAttribute("aria-label", base + ", " + (data.effectLabels[effect] || effect) + " in your context");
    });
  }
  function midpointLocal(g) {
    var p = g.querySelector(".hit"), m = p.getPointAtLength(p.getTotalLength() / 2);
    return { x: m.x, y: m.y };
  }
  function showContext(trigger, keepFocus) {
    var codes = ticked(), parts = [], found = [];
    if (!codes.length) {
      show("Your context", [el("p", { text: "Tick the conditions present in your service to see which links have " +
        "evidence of being weakened or strengthened there." })], trigger, keepFocus);
      return;
    }
    var order = { weakened: 0, both: 1, strengthened: 2, unclear: 3 };
    Object.keys(data.edges).forEach(function (id) {
      var conds = conditionsOf([id], codes);
      if (conds.length) found.push({ id: id, conds: conds, effect: effectOf(conds) });
    });
    found.sort(function (a, b) { return order[a.effect] - order[b.effect] || b.conds.length - a.conds.length || (a.id < b.id ? -1 : 1); });
    var names = codes.map(function (c) { return c + " " + data.nodes[c].label; }).join(", ");
    parts.push(el("p", {}, [found.length + (found.length === 1 ? " link has" : " links have") + " evidence of being weakened or strengthened where " + names +
      (codes.length === 1 ? " is" : " are") + " present."]));
    found.forEach(function (f) {
      var e = data.edges[f.id], inView = !!current.edges[f.id];
      var head = e.source + " " + data.nodes[e.source].label + " → " + e.target + " " + data.nodes[e.target].label +
        ": " + (data.effectLabels[f.effect] || f.effect);
      if (inView) {
        var b = el("button", { type: "button", text: head });
        b.addEventListener("click", function () { openEdge(f.id, b); });
        parts.push(el("h3", { "class": "ctx-link" }, [b]));
      } else {
        parts.push(el("h3", { "class": "ctx-link", text: head + " (not drawn in this view)" }));
      }
      parts.push(el("ul", { "class": "moderators" }, f.conds.map(function (c) { return el("li", { text: moderatorText(c) }); })));
    });
    show("Your context", parts, trigger, keepFocus);
    if (!keepFocus) reveal();
  }
  document.getElementById("context-show").addEventListener("click", function (ev) { showContext(ev.currentTarget); });

  /* ---- clicks: a box, else the link whose drawn midpoint is nearest among those under the pointer ---- */
  function midpoint(g) {
    var p = g.querySelector(".hit"), m = p.getPointAtLength(p.getTotalLength() / 2);
    var pt = svg().createSVGPoint(); pt.x = m.x; pt.y = m.y;
    return pt.matrixTransform(p.getScreenCTM());
  }
  graph.addEventListener("click", function (ev) {
    var hits = document.elementsFromPoint(ev.clientX, ev.clientY);
    var node = hits.map(function (h) { return h.closest("g.node"); }).filter(Boolean)[0];
    if (node) { openNode(node.getAttribute("data-id"), null); return; }
    var best = null, bestD = Infinity;
    hits.map(function (h) { return h.closest("g.edge"); }).filter(Boolean).forEach(function (g) {
      var m = midpoint(g), d = Math.hypot(m.x - ev.clientX, m.y - ev.clientY);
      if (d < bestD) { best = g; bestD = d; }
    });
    if (best) openEdge(best.getAttribute("data-id"), null);
  });

  /* ---- keyboard lists (rebuilt for each view) ---- */
  function buildLists() {
    var edgeList = document.getElementById("edge-list"), nodeList = document.getElementById("node-list");
    edgeList.textContent = ""; nodeList.textContent = "";
    Object.keys(current.edges).forEach(function (id) {
      var e = current.edges[id];
      var text = id + ": " + current.nodes[e.source].label + " → " + current.nodes[e.target].label + ", " +
        (e.n ? plural(e.n, "study", "studies") + ", " + (data.directionLabels[e.direction] || e.direction) + ", " + e.grade
          : "hypothesis from the codebook, no study yet");
      var b = el("button", { type: "button", id: "btn-e-" + id, "aria-label": text, title: text }, [short(e.source) + " → " + short(e.target) + " (" + (e.n ? plural(e.n, "study", "studies") : "hypothesis") + ")"]);
      b.addEventListener("click", function () { openEdge(id, b); });
      edgeList.appendChild(el("li", {}, [b]));
    });
    Object.keys(current.nodes).forEach(function (id) {
      var b = el("button", { type: "button", id: "btn-n-" + id }, [label(id) + " (" + current.nodes[id].n + ")"]);
      b.addEventListener("click", function () { openNode(id, b); });
      nodeList.appendChild(el("li", {}, [b]));
    });
  }

  /* ---- views ---- */
  var groups = {};
  data.views.forEach(function (v) {
    if (!groups[v.group]) { groups[v.group] = el("optgroup", { label: v.group }); fView.appendChild(groups[v.group]); }
    groups[v.group].appendChild(el("option", { value: v.key, text: v.title }));
  });
  function showView(key, keepMin) {
    current = views[key];
    fView.value = key;
    if (!keepMin) fMin.value = String(current.minStudies || 1);  /* each view opens at its own default */
    graph.querySelectorAll(".view").forEach(function (d) { d.hidden = d.getAttribute("data-key") !== key; });
    graph.scrollTop = 0; graph.scrollLeft = 0;
    buildLists(); fit(); applyStrength(); intro();
  }
  fView.addEventListener("change", function () { showView(fView.value, false); });
  showView(data.views[0].key);
  window.logicmapView = { show: showView, openEdge: openEdge, openNode: openNode, closePanel: closePanel, fit: fit,
    showContext: showContext, ticked: ticked,
    current: function () { return current; }, zoom: function () { return zoom; }, midpoint: midpoint };
})();
