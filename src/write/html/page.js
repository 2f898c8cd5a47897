(function () {
  "use strict";
  var tools = document.getElementById("tools");
  var q = document.getElementById("q");
  var count = document.getElementById("count");
  if (!tools || !q || !count) return;
  var topics = Array.prototype.slice.call(document.querySelectorAll(".topic"));
  var n = topics.length;
  var index = new Map();
  topics.forEach(function (t, i) { index.set(t, i); });
  // For each topic: its parent topic (-1 for a tree's top), its own elements (the head, and
  // the extras that are not topics themselves) and their text in lower case.
  var parent = new Int32Array(n);
  var owns = [];
  var texts = [];
  topics.forEach(function (t, i) {
    var p = t.parentElement ? t.parentElement.closest(".topic") : null;
    parent[i] = p && index.has(p) ? index.get(p) : -1;
    var head = t.firstElementChild;
    var own = head ? [head] : [];
    var x = head ? head.nextElementSibling : null;
    if (x && x.classList.contains("x")) {
      for (var c = x.firstElementChild; c; c = c.nextElementSibling) {
        if (!c.classList.contains("topic")) own.push(c);
      }
    }
    owns.push(own);
    texts.push(own.map(function (e) { return e.textContent; }).join("\n").toLowerCase());
  });
  var details = Array.prototype.slice.call(document.querySelectorAll("details.topic"));
  var saved = null;
  var highlights = !!(window.CSS && CSS.highlights && typeof Highlight === "function");
  if (highlights) {
    // Added here rather than in the style sheet, whose checkers do not know ::highlight yet.
    try {
      var sheet = document.styleSheets[0];
      sheet.insertRule("::highlight(xmindconv-search){background-color:var(--mark);color:inherit}",
        sheet.cssRules.length);
    } catch (e) {
      highlights = false;
    }
  }

  function setAll(open) {
    details.forEach(function (d) { d.open = open; });
  }

  function mark(term, hits) {
    if (!highlights) return;
    var ranges = [];
    var elements = [];
    hits.forEach(function (h) { elements.push.apply(elements, owns[h]); });
    for (var k = 0; k < elements.length && ranges.length < 5000; k++) {
      var walker = document.createTreeWalker(elements[k], NodeFilter.SHOW_TEXT);
      for (var node = walker.nextNode(); node; node = walker.nextNode()) {
        var lower = node.data.toLowerCase();
        if (lower.length !== node.data.length) continue;
        for (var at = lower.indexOf(term); at >= 0; at = lower.indexOf(term, at + term.length)) {
          var r = new Range();
          r.setStart(node, at);
          r.setEnd(node, at + term.length);
          ranges.push(r);
        }
      }
    }
    if (ranges.length) CSS.highlights.set("xmindconv-search", new Highlight(...ranges));
    else CSS.highlights.delete("xmindconv-search");
  }

  function search() {
    var term = q.value.trim().toLowerCase();
    if (!term) {
      topics.forEach(function (t) { t.hidden = false; t.classList.remove("hit"); });
      if (saved) details.forEach(function (d, i) { d.open = saved[i]; });
      saved = null;
      count.textContent = "";
      mark("", []);
      return;
    }
    if (!saved) saved = details.map(function (d) { return d.open; });
    var keep = new Uint8Array(n);
    var below = new Uint8Array(n);
    var hits = [];
    for (var i = n - 1; i >= 0; i--) {
      var hit = texts[i].indexOf(term) >= 0;
      topics[i].classList.toggle("hit", hit);
      if (hit) { keep[i] = 1; hits.push(i); }
      if (keep[i] && parent[i] >= 0) { keep[parent[i]] = 1; below[parent[i]] = 1; }
    }
    hits.reverse();
    for (var j = 0; j < n; j++) {
      topics[j].hidden = !keep[j];
      if (below[j] && topics[j].tagName === "DETAILS") topics[j].open = true;
    }
    count.textContent = hits.length + " of " + n + " topics";
    mark(term, hits);
  }

  // Opens every collapsed branch around the element a link points at.
  function reveal(id) {
    var target = id && document.getElementById(id);
    if (!target) return;
    if (target.hidden && q.value) { q.value = ""; search(); }
    for (var e = target.parentElement; e; e = e.parentElement) {
      if (e.tagName === "DETAILS") e.open = true;
    }
    if (target.tagName === "DETAILS") target.open = true;
  }

  function fromHash() {
    try { reveal(decodeURIComponent(location.hash.slice(1))); } catch (e) { /* a bad hash */ }
  }

  tools.hidden = false;
  q.addEventListener("input", search);
  q.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { q.value = ""; search(); }
  });
  document.getElementById("expand").addEventListener("click", function () { setAll(true); });
  document.getElementById("collapse").addEventListener("click", function () { setAll(false); });
  document.addEventListener("click", function (e) {
    var a = e.target instanceof Element ? e.target.closest("a[href^='#']") : null;
    if (a) reveal(a.getAttribute("href").slice(1));
  });
  document.addEventListener("keydown", function (e) {
    var typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement;
    if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      q.focus();
    }
  });
  window.addEventListener("hashchange", fromHash);
  fromHash();
})();
