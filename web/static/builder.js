// builder.js: the visual segment builder of the segment editor page.
//
// It reads the definition in the editor's JSON textarea, shows its `where`
// as nested all / any / not groups of condition rows (the building blocks
// of journeys/segments.md), writes the JSON back on every change, re-reads
// it when the JSON is edited by hand and parses, and asks the server for a
// live count, sample and plain-sentence reading (debounced 500 ms). Every
// control is a labelled button, select or input, so it works with the
// keyboard. Without this script the page is the JSON editor it was.
(function () {
  "use strict";

  var root = document.getElementById("builder");
  var form = document.getElementById("segment-form");
  var text = document.getElementById("definition");
  if (!root || !form || !text || !window.fetch || !window.URLSearchParams) {
    return;
  }
  var csrf = form.querySelector("input[name=csrf]").value;
  var asOf = form.querySelector("input[name=as_of]");
  var pageName = root.getAttribute("data-name") || "";

  var vocab = {
    steps: [], events: [], props: [], traits: [], channels: [], campaigns: [], states: [],
    event_fields: { channel: "string", campaign: "string", device: "string", url: "string", product: "string", value: "number" },
    same_fields: ["product", "url", "campaign", "channel"],
    person_fields: { events: "number", last_event: "string", hmm_state: "string", hmm_state_p: "number", p_convert: "number", p_unsubscribe: "number" }
  };

  // The building blocks, in menu order: [type, label].
  var TYPES = [
    ["did", "did"], ["did_not", "did not"], ["count", "count of"], ["sequence", "sequence"],
    ["not_followed", "not followed by"], ["last_seen", "last seen"], ["first_seen", "first seen"],
    ["last", "last did"], ["rate", "rate"], ["state", "hidden state"], ["propensity", "propensity"],
    ["person", "person fields and traits"], ["people", "people list"], ["cluster", "behaviour cluster"]
  ];
  var WINDOWED = { did: 1, did_not: 1, count: 1, sequence: 1, not_followed: 1, rate: 1 };
  // The keys a block may carry besides its own; others are kept as JSON.
  var EXTRA = {
    did: ["within", "ago"], did_not: ["within", "ago"], count: ["within", "ago", "min", "max", "same"],
    sequence: ["within", "ago", "gap"], not_followed: ["within", "ago", "after", "gap"], last_seen: [], first_seen: [],
    last: ["more_than"], rate: ["within", "ago", "at_least", "at_most", "min_base"], state: [], states: [],
    propensity: ["at_least"], person: [], people: [], cluster: []
  };
  var OPS = [["eq", "is"], ["ne", "is not"], ["in", "is one of"], ["gt", ">"], ["gte", "≥"], ["lt", "<"], ["lte", "≤"],
    ["prefix", "starts with"], ["contains", "contains"]];

  var def = null;  // the definition: {name, description, min_size, where}
  var tree = null; // the builder's model of def.where (a group)

  // ---- JSON → model ----

  function matchOf(m) {
    if (typeof m === "string") {
      return m === "*" ? { by: "any", v: "", where: [] } : { by: "step", v: m, where: [] };
    }
    if (!m || typeof m !== "object" || Array.isArray(m)) {
      return null;
    }
    // One way of choosing events, and nothing the form cannot show.
    var keys = Object.keys(m), by = keys.filter(function (k) { return k !== "where"; });
    if (by.length !== 1 || ["step", "steps", "event", "events"].indexOf(by[0]) < 0) {
      return null;
    }
    var out = { by: "step", v: "", where: [] };
    if (m.step !== undefined) { out.v = m.step === "*" ? "" : m.step; out.by = m.step === "*" ? "any" : "step"; }
    else if (m.steps) { out.by = "steps"; out.v = m.steps.join(", "); }
    else if (m.event !== undefined) { out.by = "event"; out.v = m.event; }
    else if (m.events) { out.by = "events"; out.v = m.events.join(", "); }
    out.where = comparisonsOf(m.where);
    return out.where ? out : null;
  }

  // comparisonsOf reads {field: value or {op: value}}; null when the form
  // cannot show it.
  function comparisonsOf(obj) {
    var rows = [], ok = true;
    if (obj !== undefined && (!obj || typeof obj !== "object" || Array.isArray(obj))) {
      return null;
    }
    Object.keys(obj || {}).sort().forEach(function (k) {
      var v = obj[k], op = "eq";
      if (v && typeof v === "object" && !Array.isArray(v)) {
        var ops = Object.keys(v);
        op = ops[0];
        v = v[op];
        if (ops.length !== 1 || !OPS.some(function (o) { return o[0] === op; }) || (v && typeof v === "object" && !Array.isArray(v))) {
          ok = false;
        }
      }
      rows.push({ field: k, op: op, value: Array.isArray(v) ? v.join(", ") : String(v) });
    });
    return ok ? rows : null;
  }

  function blankMatch() { return { by: "step", v: "", where: [] }; }

  function windowOf(c) {
    if (c.ago) {
      return { mode: "ago", within: "", from: c.ago.from || "", to: c.ago.to || "" };
    }
    if (c.within !== undefined) {
      return { mode: "within", within: String(c.within), from: "", to: "" };
    }
    return { mode: "none", within: "", from: "", to: "" };
  }

  function str(v) { return v === undefined || v === null ? "" : String(v); }

  function toNode(c) {
    if (!c || typeof c !== "object" || Array.isArray(c)) {
      return { t: "raw", json: c };
    }
    if (c.all || c.any) {
      var op = c.all ? "all" : "any";
      return { t: "group", op: op, items: (c[op] || []).map(toNode) };
    }
    if (c.not) {
      var n = c.not, inner = n && n.any && Object.keys(n).length === 1 ? n.any : [n];
      return { t: "group", op: "not", items: inner.map(toNode) };
    }
    var type = null;
    TYPES.concat([["states"]]).forEach(function (t) {
      if (type === null && c[t[0]] !== undefined) { type = t[0]; }
    });
    if (type === null) {
      return { t: "raw", json: c };
    }
    var allowed = [type].concat(EXTRA[type]);
    if (Object.keys(c).some(function (k) { return allowed.indexOf(k) < 0; })) {
      return { t: "raw", json: c };
    }
    var b = { t: "block", type: type === "states" ? "state" : type, m: blankMatch(), m2: blankMatch(), seq: [],
      win: windowOf(c), min: str(c.min), max: str(c.max), same: c.same || "", gap: str(c.gap), after: c.after || "last",
      rec: "within", dur: "", atLeast: str(c.at_least), atMost: str(c.at_most), minBase: str(c.min_base),
      state: "", prop: "convert", cmp: [], people: "", cidx: "", cmodel: "", cscope: "" };
    var ok = true;
    function m(x) { var r = matchOf(x); if (!r) { ok = false; return blankMatch(); } return r; }
    switch (type) {
      case "did": case "did_not": case "count": b.m = m(c[type]); break;
      case "last": b.m = m(c.last); b.dur = str(c.more_than); break;
      case "sequence": b.seq = (c.sequence || []).map(m); break;
      case "not_followed": b.m = m((c.not_followed || {}).first); b.m2 = m((c.not_followed || {}).then); break;
      case "rate": b.m = m((c.rate || {}).of); b.m2 = m((c.rate || {}).per); break;
      case "last_seen": case "first_seen":
        var r = c[type] || {};
        b.rec = r.more_than !== undefined ? "more_than" : "within";
        b.dur = str(r.more_than !== undefined ? r.more_than : r.within);
        break;
      case "state": b.state = c.state; break;
      case "states": b.state = (c.states || []).join(", "); break;
      case "propensity": b.prop = c.propensity; break;
      case "person": b.cmp = comparisonsOf(c.person); ok = ok && b.cmp !== null; break;
      case "people": b.people = (c.people || []).join("\n"); break;
      case "cluster":
        var cl = c.cluster;
        ok = !!cl && typeof cl === "object" && !Array.isArray(cl) &&
          Object.keys(cl).every(function (k) { return ["index", "model", "scope"].indexOf(k) >= 0; });
        if (ok) { b.cidx = str(cl.index); b.cmodel = str(cl.model); b.cscope = str(cl.scope); }
        break;
    }
    return ok ? b : { t: "raw", json: c };
  }

  // ---- model → JSON ----

  function list(s) {
    return s.split(/[,\n]/).map(function (x) { return x.trim(); }).filter(function (x) { return x !== ""; });
  }

  function num(s) {
    var t = s.trim();
    return t !== "" && isFinite(Number(t)) ? Number(t) : t;
  }

  function value(kind, op, s) {
    var one = function (x) {
      if (kind === "number") { return num(x); }
      if (kind === "string") { return x; }
      if (x === "true" || x === "false") { return x === "true"; }
      return x.trim() !== "" && isFinite(Number(x)) ? Number(x) : x;
    };
    return op === "in" ? list(s).map(one) : one(op === "prefix" || op === "contains" ? s : s.trim());
  }

  function kindOf(fields, key) {
    return fields[key] || (key.indexOf("props.") === 0 || key.indexOf("traits.") === 0 ? "any" : "string");
  }

  function comparisonsJSON(rows, fields) {
    var out = {};
    rows.forEach(function (r) {
      if (r.field === "") { return; }
      var v = value(kindOf(fields, r.field), r.op, r.value), o = {};
      if (r.op === "eq") { out[r.field] = v; } else { o[r.op] = v; out[r.field] = o; }
    });
    return out;
  }

  function matchJSON(m) {
    if (m.by === "any" && m.where.length === 0) { return "*"; }
    if (m.by === "step" && m.where.length === 0) { return m.v.trim(); }
    var out = {};
    switch (m.by) {
      case "any": out.step = "*"; break;
      case "step": out.step = m.v.trim(); break;
      case "steps": out.steps = list(m.v); break;
      case "event": out.event = m.v.trim(); break;
      case "events": out.events = list(m.v); break;
    }
    if (m.where.length > 0) { out.where = comparisonsJSON(m.where, vocab.event_fields); }
    return out;
  }

  function setNum(out, key, s) {
    if (s.trim() !== "") { out[key] = num(s); }
  }

  function windowJSON(out, w) {
    if (w.mode === "within") { out.within = w.within.trim(); }
    if (w.mode === "ago") { out.ago = { from: w.from.trim(), to: w.to.trim() }; }
  }

  function blockJSON(b) {
    var out = {};
    switch (b.type) {
      case "did": case "did_not": case "count": out[b.type] = matchJSON(b.m); break;
      case "sequence": out.sequence = b.seq.map(matchJSON); break;
      case "not_followed": out.not_followed = { first: matchJSON(b.m), then: matchJSON(b.m2) }; break;
      case "rate": out.rate = { of: matchJSON(b.m), per: matchJSON(b.m2) }; break;
      case "last": out.last = matchJSON(b.m); out.more_than = b.dur.trim(); break;
      case "last_seen": case "first_seen": out[b.type] = {}; out[b.type][b.rec] = b.dur.trim(); break;
      case "state":
        var states = list(b.state);
        if (states.length > 1) { out.states = states; } else { out.state = states[0] || ""; }
        break;
      case "propensity": out.propensity = b.prop; break;
      case "person": out.person = comparisonsJSON(b.cmp, vocab.person_fields); break;
      case "people": out.people = list(b.people); break;
      case "cluster":
        out.cluster = {};
        setNum(out.cluster, "index", b.cidx);
        setNum(out.cluster, "model", b.cmodel);
        if (b.cscope.trim() !== "") { out.cluster.scope = b.cscope.trim(); }
        break;
    }
    if (b.type === "count") {
      if (b.same !== "") { out.same = b.same; }
      setNum(out, "min", b.min);
      setNum(out, "max", b.max);
    }
    if (b.type === "sequence" || b.type === "not_followed") {
      if (b.gap.trim() !== "") { out.gap = b.gap.trim(); }
    }
    if (b.type === "not_followed") { out.after = b.after; }
    if (b.type === "rate" || b.type === "propensity") { setNum(out, "at_least", b.atLeast); }
    if (b.type === "rate") {
      setNum(out, "at_most", b.atMost);
      setNum(out, "min_base", b.minBase);
    }
    if (WINDOWED[b.type]) { windowJSON(out, b.win); }
    return out;
  }

  // nodeJSON writes a node; the top group of one condition is that
  // condition.
  function nodeJSON(n, top) {
    if (n.t === "raw") { return n.json; }
    if (n.t === "block") { return blockJSON(n); }
    var items = n.items.map(function (x) { return nodeJSON(x, false); });
    if (n.op === "not") {
      return { not: items.length === 1 ? items[0] : { any: items } };
    }
    if (top && n.op === "all" && items.length === 1) { return items[0]; }
    var out = {};
    out[n.op] = items;
    return out;
  }

  // ---- DOM helpers ----

  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { e.textContent = attrs[k]; } else { e.setAttribute(k, attrs[k]); }
    });
    (kids || []).forEach(function (k) { if (k) { e.appendChild(k); } });
    return e;
  }

  function labelled(text, control) {
    return el("label", { "class": "b-field" }, [el("span", { text: text }), control]);
  }

  // select: options are [value, label]; onchange re-renders.
  function select(id, text, options, cur, onchange) {
    var s = el("select", { id: id });
    options.forEach(function (o) {
      var opt = el("option", { value: o[0], text: o[1] });
      if (o[0] === cur) { opt.selected = true; }
      s.appendChild(opt);
    });
    s.addEventListener("change", function () { onchange(s.value); changed(true); });
    return labelled(text, s);
  }

  // input: oninput keeps the rendering.
  function input(id, text, cur, oninput, attrs) {
    var a = { id: id, type: "text", value: cur, autocomplete: "off", spellcheck: "false" };
    Object.keys(attrs || {}).forEach(function (k) { a[k] = attrs[k]; });
    var i = el("input", a);
    i.addEventListener("input", function () { oninput(i.value); changed(false); });
    return labelled(text, i);
  }

  function button(id, text, cls, onclick) {
    var b = el("button", { id: id, type: "button", "class": "small " + cls, text: text });
    b.addEventListener("click", function () { onclick(); changed(true); });
    return b;
  }

  function datalist(id, values) {
    var d = el("datalist", { id: id });
    values.forEach(function (v) { d.appendChild(el("option", { value: v })); });
    return d;
  }

  // ---- rendering ----

  function renderMatch(m, id, text) {
    var box = el("span", { "class": "b-match" });
    box.appendChild(select(id + "-by", text + " by", [["step", "step"], ["steps", "any of steps"], ["event", "event name"],
      ["events", "any of event names"], ["any", "anything"]], m.by, function (v) { m.by = v; }));
    if (m.by !== "any") {
      var many = m.by === "steps" || m.by === "events";
      box.appendChild(input(id + "-v", text + (many ? " (comma-separated)" : ""), m.v, function (v) { m.v = v; },
        { list: m.by.indexOf("step") === 0 ? "b-steps" : "b-events", "class": "b-name" }));
    }
    renderComparisons(box, m.where, id + "-w", vocab.event_fields, vocab.props, "props.", "Add event filter");
    return box;
  }

  function renderComparisons(box, rows, id, fields, dynKeys, prefix, addText) {
    var keys = Object.keys(fields).sort().concat(dynKeys.map(function (k) { return prefix + k; }));
    rows.forEach(function (r, i) {
      var rid = id + "-" + i, opts = keys.slice();
      if (r.field !== "" && opts.indexOf(r.field) < 0) { opts.push(r.field); }
      var line = el("span", { "class": "b-cmp" }, [
        select(rid + "-f", "field", opts.map(function (k) { return [k, k]; }), r.field, function (v) { r.field = v; }),
        select(rid + "-op", "comparison", OPS, r.op, function (v) { r.op = v; }),
        input(rid + "-val", "value", r.value, function (v) { r.value = v; },
          { list: r.field === "channel" ? "b-channels" : r.field === "campaign" ? "b-campaigns" : r.field === "hmm_state" ? "b-states" : "" }),
        button(rid + "-rm", "Remove " + r.field, "secondary", function () { rows.splice(i, 1); })
      ]);
      box.appendChild(line);
    });
    box.appendChild(button(id + "-add", addText, "secondary", function () {
      rows.push({ field: keys[0] || "", op: "eq", value: "" });
    }));
  }

  function renderWindow(b, id) {
    var box = el("span", { "class": "b-window" });
    box.appendChild(select(id + "-win", "window", [["none", "any time"], ["within", "in the last"], ["ago", "between … ago"]],
      b.win.mode, function (v) { b.win.mode = v; if (v === "within" && b.win.within === "") { b.win.within = "7d"; } }));
    if (b.win.mode === "within") {
      box.appendChild(input(id + "-within", "within (7d, 12h)", b.win.within, function (v) { b.win.within = v; }, { size: "6" }));
    }
    if (b.win.mode === "ago") {
      box.appendChild(input(id + "-from", "from (ago)", b.win.from, function (v) { b.win.from = v; }, { size: "6" }));
      box.appendChild(input(id + "-to", "to (ago)", b.win.to, function (v) { b.win.to = v; }, { size: "6" }));
    }
    return box;
  }

  function renderBlock(b, id) {
    var row = el("div", { "class": "b-row" });
    row.appendChild(select(id + "-type", "condition", TYPES, b.type, function (v) {
      b.type = v;
      if (v === "sequence" && b.seq.length < 2) { b.seq = [b.m, b.m2]; }
    }));
    var num6 = { size: "6", inputmode: "decimal" };
    switch (b.type) {
      case "did": case "did_not":
        row.appendChild(renderMatch(b.m, id + "-m", "event"));
        break;
      case "count":
        row.appendChild(renderMatch(b.m, id + "-m", "event"));
        row.appendChild(input(id + "-min", "at least", b.min, function (v) { b.min = v; }, { size: "4", inputmode: "numeric" }));
        row.appendChild(input(id + "-max", "at most", b.max, function (v) { b.max = v; }, { size: "4", inputmode: "numeric" }));
        row.appendChild(select(id + "-same", "of the same", [["", "(anything)"]].concat(vocab.same_fields.map(function (f) { return [f, f]; })),
          b.same, function (v) { b.same = v; }));
        break;
      case "sequence":
        b.seq.forEach(function (m, i) {
          row.appendChild(renderMatch(m, id + "-s" + i, "step " + (i + 1)));
          if (b.seq.length > 2) {
            row.appendChild(button(id + "-s" + i + "-rm", "Remove step " + (i + 1), "secondary", function () { b.seq.splice(i, 1); }));
          }
        });
        if (b.seq.length < 5) {
          row.appendChild(button(id + "-s-add", "Add step", "secondary", function () { b.seq.push(blankMatch()); }));
        }
        row.appendChild(input(id + "-gap", "first to last within", b.gap, function (v) { b.gap = v; }, { size: "6" }));
        break;
      case "not_followed":
        row.appendChild(renderMatch(b.m, id + "-m", "first"));
        row.appendChild(renderMatch(b.m2, id + "-m2", "then"));
        row.appendChild(select(id + "-after", "after", [["last", "the last first"], ["any", "some first"], ["each", "every first"]],
          b.after, function (v) { b.after = v; }));
        row.appendChild(input(id + "-gap", "then within", b.gap, function (v) { b.gap = v; }, { size: "6" }));
        break;
      case "last_seen": case "first_seen":
        row.appendChild(select(id + "-rec", "when", [["within", "in the last"], ["more_than", "more than … ago"]], b.rec,
          function (v) { b.rec = v; }));
        row.appendChild(input(id + "-dur", "duration", b.dur, function (v) { b.dur = v; }, { size: "6" }));
        break;
      case "last":
        row.appendChild(renderMatch(b.m, id + "-m", "event"));
        row.appendChild(input(id + "-dur", "more than … ago", b.dur, function (v) { b.dur = v; }, { size: "6" }));
        break;
      case "rate":
        row.appendChild(renderMatch(b.m, id + "-m", "of"));
        row.appendChild(renderMatch(b.m2, id + "-m2", "per"));
        row.appendChild(input(id + "-atleast", "at least (0.3 = 30%)", b.atLeast, function (v) { b.atLeast = v; }, num6));
        row.appendChild(input(id + "-atmost", "at most", b.atMost, function (v) { b.atMost = v; }, num6));
        row.appendChild(input(id + "-minbase", "over at least (per events)", b.minBase, function (v) { b.minBase = v; }, { size: "4" }));
        break;
      case "state":
        row.appendChild(input(id + "-state", "state (several: comma-separated)", b.state, function (v) { b.state = v; }, { list: "b-states" }));
        break;
      case "propensity":
        row.appendChild(select(id + "-prop", "P of", [["convert", "convert"], ["unsubscribe", "unsubscribe"]], b.prop,
          function (v) { b.prop = v; }));
        row.appendChild(input(id + "-atleast", "at least", b.atLeast, function (v) { b.atLeast = v; }, num6));
        break;
      case "person":
        renderComparisons(row, b.cmp, id + "-p", vocab.person_fields, vocab.traits, "traits.", "Add person field");
        break;
      case "people":
        var ta = el("textarea", { id: id + "-people", rows: "3", spellcheck: "false" });
        ta.value = b.people;
        ta.addEventListener("input", function () { b.people = ta.value; changed(false); });
        row.appendChild(labelled("person ids (one a line)", ta));
        break;
      case "cluster":
        row.appendChild(input(id + "-cidx", "cluster number", b.cidx, function (v) { b.cidx = v; }, { size: "3", inputmode: "numeric" }));
        row.appendChild(input(id + "-cmodel", "model version (blank: current)", b.cmodel, function (v) { b.cmodel = v; }, { size: "4", inputmode: "numeric" }));
        row.appendChild(input(id + "-cscope", "of people whose id starts with", b.cscope, function (v) { b.cscope = v; }, { size: "10" }));
        break;
    }
    if (WINDOWED[b.type]) { row.appendChild(renderWindow(b, id)); }
    return row;
  }

  function renderNode(n, id, parent, index) {
    var box;
    if (n.t === "group") {
      box = el("fieldset", { "class": "b-group", id: id });
      var legend = el("legend", {});
      legend.appendChild(select(id + "-op", "people matching", [["all", "all of"], ["any", "any of"], ["not", "none of"]], n.op,
        function (v) { n.op = v; }));
      box.appendChild(legend);
      n.items.forEach(function (c, i) { box.appendChild(renderNode(c, id + "-" + i, n, i)); });
      box.appendChild(el("div", { "class": "b-actions" }, [
        button(id + "-add", "Add condition", "", function () {
          n.items.push({ t: "block", type: "did", m: blankMatch(), m2: blankMatch(), seq: [], win: { mode: "within", within: "7d", from: "", to: "" },
            min: "", max: "", same: "", gap: "", after: "last", rec: "within", dur: "", atLeast: "", atMost: "", minBase: "",
            state: "", prop: "convert", cmp: [], people: "", cidx: "", cmodel: "", cscope: "" });
        }),
        button(id + "-addgroup", "Add group", "secondary", function () { n.items.push({ t: "group", op: "any", items: [] }); })
      ]));
    } else if (n.t === "block") {
      box = renderBlock(n, id);
      box.id = id;
    } else {
      box = el("div", { "class": "b-row b-raw", id: id }, [
        el("span", { text: "kept as JSON (edit it in the text below): " }),
        el("code", { text: JSON.stringify(n.json) })
      ]);
    }
    if (parent) {
      box.appendChild(button(id + "-rm", n.t === "group" ? "Remove group" : "Remove condition", "secondary b-remove", function () {
        parent.items.splice(index, 1);
      }));
    }
    return box;
  }

  var tree_ = el("div", { "class": "b-tree" });
  var nameBox = el("div", { "class": "b-name-row" });
  var live = el("div", { "class": "b-live", id: "builder-live", role: "status", "aria-live": "polite" }, [
    el("p", {}, [el("strong", { id: "builder-count", text: "…" }), el("span", { id: "builder-people", text: " people" })]),
    el("p", { id: "builder-reading", "class": "b-reading" }),
    el("p", { id: "builder-propensity", "class": "b-reading" }),
    el("p", { id: "builder-problem", "class": "error", hidden: "hidden" }),
    el("ul", { id: "builder-sample", "class": "sample" })
  ]);
  var note = el("p", { id: "builder-note", "class": "muted", hidden: "hidden",
    text: "The JSON does not parse: the builder shows the last definition that did." });

  function render() {
    var focus = document.activeElement && document.activeElement.id;
    nameBox.textContent = "";
    if (!pageName) {
      nameBox.appendChild(input("builder-name", "Name", str(def.name), function (v) { def.name = v; }, { "class": "b-segname" }));
    }
    nameBox.appendChild(input("builder-description", "Description", str(def.description), function (v) {
      if (v === "") { delete def.description; } else { def.description = v; }
    }, { "class": "b-description" }));
    tree_.textContent = "";
    tree_.appendChild(renderNode(tree, "b", null, 0));
    if (focus && focus.indexOf("b") === 0) {
      // The control had focus before the rendering: give it to its new
      // self, or to the top group's first button when it went away.
      var again = document.getElementById(focus) || document.getElementById("b-add");
      if (again && again !== document.activeElement) { again.focus(); }
    }
  }

  // changed is called after every change made in the builder: it writes
  // the JSON, re-renders when the form's shape changed, and schedules the
  // live count.
  function changed(shape) {
    def.where = nodeJSON(tree, true);
    text.value = JSON.stringify(def, null, 2);
    note.hidden = true;
    if (shape) { render(); }
    schedule();
  }

  // load reads the textarea; false when it does not parse as an object.
  function load() {
    var d;
    try { d = JSON.parse(text.value); } catch (e) { return false; }
    if (!d || typeof d !== "object" || Array.isArray(d)) { return false; }
    def = d;
    var n = toNode(def.where === undefined ? { all: [] } : def.where);
    tree = n.t === "group" && n.op !== "not" ? n : { t: "group", op: "all", items: [n] };
    return true;
  }

  // ---- live count ----

  var timer = null, asked = 0;

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(preview, 500);
  }

  function preview() {
    var n = ++asked;
    var body = new URLSearchParams();
    body.set("csrf", csrf);
    body.set("definition", text.value);
    body.set("as_of", asOf ? asOf.value : "");
    if (pageName) { body.set("name", pageName); }
    live.setAttribute("aria-busy", "true");
    fetch(root.getAttribute("data-preview"), { method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (j) { if (n === asked) { show(j); } })
      .catch(function (e) { if (n === asked) { show({ error: { message: String(e) } }); } });
  }

  // expectation reads what a propensity threshold can be expected to give
  // (the preview's "propensity" entries, from the stored validation).
  function expectation(e) {
    var pct = function (x) { return Math.round(100 * x) + "%"; };
    return "P(" + e.target + ") ≥ " + e.at_least + ": expected precision " + pct(e.precision) +
      ", recall " + pct(e.recall) + " (validated out of time at " + e.threshold + " over " + e.horizon +
      ", " + (e.source === "model" ? "model v" + e.version : "chain-state score") + ")." + (e.note ? " " + e.note + "." : "");
  }

  function show(j) {
    live.removeAttribute("aria-busy");
    var problem = document.getElementById("builder-problem"), sample = document.getElementById("builder-sample");
    sample.textContent = "";
    if (j.error) {
      document.getElementById("builder-count").textContent = "–";
      document.getElementById("builder-reading").textContent = "";
      document.getElementById("builder-propensity").textContent = "";
      var msg = j.error.message || "preview failed";
      (j.error.details || []).forEach(function (d) { msg += "; " + d.field + ": " + d.problem; });
      problem.textContent = msg;
      problem.hidden = false;
      return;
    }
    problem.hidden = true;
    document.getElementById("builder-count").textContent = String(j.count);
    document.getElementById("builder-people").textContent = j.count === 1 ? " person" : " people";
    document.getElementById("builder-reading").textContent = j.reading ? "People who " + j.reading + "." : "";
    document.getElementById("builder-propensity").textContent = (j.propensity || []).map(expectation).join(" ");
    (j.sample || []).forEach(function (id) {
      sample.appendChild(el("li", {}, [el("a", { href: "/app/people?id=" + encodeURIComponent(id), text: id })]));
    });
  }

  // ---- start ----

  text.addEventListener("input", function () {
    if (load()) {
      note.hidden = true;
      render();
      schedule();
    } else {
      note.hidden = false;
    }
  });

  var lists = el("div", { hidden: "hidden" });
  root.appendChild(el("h3", { text: "Builder" }));
  root.appendChild(nameBox);
  root.appendChild(tree_);
  root.appendChild(note);
  root.appendChild(live);
  root.appendChild(lists);

  function fillLists() {
    lists.textContent = "";
    [["b-steps", vocab.steps.concat(["*"])], ["b-events", vocab.events], ["b-channels", vocab.channels],
      ["b-campaigns", vocab.campaigns], ["b-states", vocab.states]].forEach(function (d) { lists.appendChild(datalist(d[0], d[1])); });
  }

  if (!load()) {
    def = { name: "", where: { all: [] } };
    tree = { t: "group", op: "all", items: [] };
    note.hidden = false;
  }
  fillLists();
  render();
  root.hidden = false;
  root.setAttribute("data-ready", "true");
  schedule();
  fetch(root.getAttribute("data-vocabulary"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (v) {
      if (!v) { return; }
      Object.keys(vocab).forEach(function (k) { if (v[k]) { vocab[k] = v[k]; } });
      fillLists();
      render();
      root.setAttribute("data-vocabulary-ready", "true");
    })
    .catch(function () { /* the menus keep the fixed fields */ });
}());
