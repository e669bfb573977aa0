// harness view: renders the embedded data. Every piece of run text goes in through
// textContent or createTextNode, never innerHTML, so answers holding script tags, HTML
// or markdown show as the literal text they are.
(function () {
  "use strict";
  var t0 = performance.now();
  var DATA = JSON.parse(document.getElementById("viewer-data").textContent);
  var tParsed = performance.now();
  var CHUNK = 25;
  // The first window is small: on load the rows sit below the summary and the comparison, out
  // of sight, and the next window renders as soon as the list nears the screen.
  var FIRST_CHUNK = 10;
  var NO_TRAIT = "(probes)";
  var SVG = "http://www.w3.org/2000/svg";

  // --- small DOM helpers ---------------------------------------------------------
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function add(parent) {
    for (var i = 1; i < arguments.length; i++) if (arguments[i]) parent.appendChild(arguments[i]);
    return parent;
  }
  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = String(text);
    return e;
  }
  function byId(id) { return document.getElementById(id); }
  function anchorId(qid) { return "q-" + qid; }
  function anchorHref(qid) { return "#q-" + encodeURIComponent(qid); }
  function fmtSigned(x, digits) { return (x > 0 ? "+" : "") + x.toFixed(digits); }

  // --- derived data ----------------------------------------------------------------
  var ARMS = DATA.arms;
  var QUERIES = DATA.queries;
  var BY_ID = {};
  var F_REFUSED = 1, F_FILLER = 2, F_UNSCORED = 4, F_FAILED = 8;
  QUERIES.forEach(function (q, i) {
    q._i = i;
    BY_ID[q.id] = q;
    q._flags = {};
    q._samples = [];
    var seen = {};
    ARMS.forEach(function (arm) {
      var f = 0;
      (q.answers[arm] || []).forEach(function (a) {
        if (a.refusal && a.refusal !== "full_compliance") f |= F_REFUSED;
        if (a.filler) f |= F_FILLER;
        if (a.unscored) f |= F_UNSCORED;
        if (a.failed) f |= F_FAILED;
        if (!seen[a.sample]) { seen[a.sample] = true; q._samples.push(a.sample); }
      });
      q._flags[arm] = f;
    });
    q._samples.sort(function (a, b) { return a - b; });
  });
  var METRICS = {};
  DATA.metrics.forEach(function (m) { METRICS[m.name] = m; });

  function haystack(q) {
    if (q._hay === undefined) {
      var parts = [q.id, q.text, q.trait || NO_TRAIT, q.note || ""];
      for (var k in q.dimensions) parts.push(k, q.dimensions[k]);
      ARMS.forEach(function (arm) {
        (q.answers[arm] || []).forEach(function (a) {
          parts.push(a.text || "", a.reason || "", a.error || "", a.refusal_reason || "", a.refusal_judge_reason || "");
          (a.messages || []).forEach(function (m) { parts.push(m.content); });
          (a.filler || []).concat(a.hedging || [], a.refusal_cues || []).forEach(function (p) { parts.push(p); });
        });
      });
      q._hay = parts.join("\n").toLowerCase();
    }
    return q._hay;
  }

  // --- state -----------------------------------------------------------------------
  var DEFAULTS = { search: "", trait: "", arm: "", pair: 0, metric: "", sort: "file",
                   flipped: false, refused: false, filler: false, unscored: false, failed: false, diff: true };
  var state = Object.assign({}, DEFAULTS);
  var view = [];
  var start = 0;
  var rendered = 0;

  function comparison() { return DATA.comparisons[state.pair] || null; }
  function shownArms() { return state.arm ? [state.arm] : ARMS; }
  // The query's change B − A under the chosen comparison and metric (undefined when not defined).
  function changeOf(q) {
    var c = comparison();
    var per = c && c.changes[q.id];
    return per ? per[state.metric || "outcome"] : undefined;
  }
  function metricDefined(q, metric) {
    // Without a comparison: does any shown answer carry this metric?
    return shownArms().some(function (arm) {
      return (q.answers[arm] || []).some(function (a) {
        if (metric === "adherence") return a.score !== undefined;
        if (metric === "over_refusal") return !q.should_refuse && a.refusal !== undefined;
        if (metric === "filler") return !a.failed;
        return true;
      });
    });
  }

  function matches(q, words) {
    if (state.trait && (q.trait || NO_TRAIT) !== state.trait) return false;
    var c = comparison();
    if (state.metric) {
      if (c && !c.error) { if (changeOf(q) === undefined) return false; }
      else if (!metricDefined(q, state.metric)) return false;
    }
    if (state.flipped) { var ch = changeOf(q); if (ch === undefined || ch === 0) return false; }
    var need = (state.refused ? F_REFUSED : 0) | (state.filler ? F_FILLER : 0) |
               (state.unscored ? F_UNSCORED : 0) | (state.failed ? F_FAILED : 0);
    if (need) {
      var arms = shownArms();
      for (var bit = 1; bit <= 8; bit <<= 1) {
        if (!(need & bit)) continue;
        if (!arms.some(function (arm) { return q._flags[arm] & bit; })) return false;
      }
    }
    if (words.length) {
      var hay = haystack(q);
      for (var i = 0; i < words.length; i++) if (hay.indexOf(words[i]) < 0) return false;
    }
    return true;
  }

  function computeView() {
    var words = state.search.toLowerCase().split(/\s+/).filter(Boolean);
    view = QUERIES.filter(function (q) { return matches(q, words); });
    if (state.sort !== "file") {
      var m = METRICS[state.metric || "outcome"] || { higher_is_better: true };
      var sign = m.higher_is_better ? 1 : -1;
      var key = function (q) {
        var ch = changeOf(q);
        if (ch === undefined) return Infinity;
        if (state.sort === "change") return -Math.abs(ch);
        return state.sort === "worse" ? sign * ch : -sign * ch;
      };
      view = view.map(function (q) { return [key(q), q._i, q]; })
        .sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; })
        .map(function (x) { return x[2]; });
    }
  }

  // --- header, summary, comparison, insights --------------------------------------------
  function renderHeader() {
    byId("page-sources").textContent = DATA.sources.length ? "From " + DATA.sources.join(", ") : "";
    var notes = byId("notes");
    DATA.notes.forEach(function (n) { add(notes, el("li", "", n)); });
  }

  // Columns come from the report's checks (the registry), so a project's own checks appear too.
  function renderSummary() {
    var table = byId("summary-table");
    var metricChecks = DATA.checks.filter(function (c) { return c.reported; });
    var cols = [{ head: "arm", cell: function (r) { return r.arm; } },
                { head: "trait", cell: function (r) { return r.trait; } },
                { head: "n", num: true, cell: function (r) { return r.n; } }];
    metricChecks.forEach(function (c) {
      cols.push({ head: c.label + (c.higher_is_better ? " ↑" : " ↓") + (c.kind === "score" ? " [95% CI]" : ""),
                  cell: function (r) { var e = r.metrics[c.name]; return e ? e.text : "—"; } });
    });
    metricChecks.filter(function (c) { return c.per_1k_tokens; }).forEach(function (c) {
      cols.push({ head: c.label + "/1k tok", num: true, cell: function (r) {
        var v = r.per_1k_tokens[c.name]; return v === null || v === undefined ? "—" : v.toFixed(1); } });
    });
    DATA.checks.filter(function (c) { return c.agreement_label; }).forEach(function (c) {
      cols.push({ head: c.agreement_label, num: true, cell: function (r) {
        var v = r.agreement[c.name]; return v === null || v === undefined ? "—" : Math.round(100 * v) + "%"; } });
    });
    cols.push({ head: "unscored", num: true, cell: function (r) { return r.unscored; } },
              { head: "failed", num: true, cell: function (r) { return r.failed; } });
    var head = add(el("thead"), add.apply(null, [el("tr")].concat(cols.map(function (c) {
      var th = el("th", "", c.head); th.scope = "col"; return th;
    }))));
    var body = el("tbody");
    DATA.summary.forEach(function (row) {
      var tr = el("tr", row.trait === "(all)" ? "all" : "");
      cols.forEach(function (c) { add(tr, el("td", c.num ? "num" : "", c.cell(row))); });
      add(body, tr);
    });
    add(table, head, body);
  }

  function renderComparison() {
    var section = byId("comparison");
    var body = byId("comparison-body");
    body.textContent = "";
    var c = comparison();
    if (!c) return;
    section.hidden = false;
    byId("nav-comparison").hidden = false;
    add(body, el("h3", "", c.b + " vs " + c.a));
    if (c.error) { add(body, el("p", "notes", c.error)); return; }
    var rows = c.comparison.metrics;
    var counts = { improved: 0, regressed: 0, no_change: 0, inconclusive: 0 };
    rows.forEach(function (r) { counts[r.verdict] += 1; });
    add(body, el("p", "", counts.improved + " improved · " + counts.regressed + " regressed · " + counts.no_change +
      " no change · " + counts.inconclusive + " inconclusive. Computed by the same code as `harness compare`: paired on query × sample, " +
      "95% intervals clustered by query, q = Benjamini–Hochberg across " + rows.length + " metrics, α = " + c.comparison.alpha + "."));
    add(body, forestPlot(rows));
    var table = el("table");
    var headers = ["metric", c.a, c.b, "Δ (B − A) [95% CI]", "p", "q", "MDE", "n (queries)", "verdict"];
    add(table, add(el("thead"), add.apply(null, [el("tr")].concat(headers.map(function (h) { var th = el("th", "", h); th.scope = "col"; return th; })))));
    var tbody = el("tbody");
    rows.forEach(function (r, i) {
      var d = c.display[i];
      var tr = el("tr");
      add(tr, el("td", "", r.metric + (r.higher_is_better ? " ↑" : " ↓")), el("td", "num", d.a), el("td", "num", d.b),
          el("td", "", d.delta), el("td", "num", d.p), el("td", "num", d.q), el("td", "num", d.mde),
          el("td", "num", r.n_pairs + " (" + r.n_queries + ")"), el("td", "verdict-" + r.verdict, r.verdict.replace("_", " ")));
      add(tbody, tr);
    });
    add(body, add(el("div", "table-wrap"), add(table, tbody)));
    if (c.comparison.flips.length) {
      add(body, el("h3", "", "Biggest flips"));
      var list = el("ol", "flips");
      c.comparison.flips.forEach(function (f) {
        var li = el("li");
        var a = el("a", "", f.metric + " " + fmtSigned(f.change, 2) + " · " + (f.trait || "probe") + " · " + f.query.slice(0, 120));
        a.href = anchorHref(f.query_id);
        add(list, add(li, a));
      });
      add(body, list);
    }
  }

  function forestPlot(rows) {
    // Two panels with their own axes: score points and rate percentage points do not share a scale.
    var groups = [
      { title: "Adherence (score points, B − A)", scale: 1, unit: "", rows: rows.filter(function (r) { return r.family === "adherence"; }) },
      { title: "Rates (percentage points, B − A)", scale: 100, unit: " pp", rows: rows.filter(function (r) { return r.family !== "adherence"; }) }
    ].filter(function (g) { return g.rows.length; });
    var W = 820, LEFT = 230, RIGHT = 130, ROW = 24, HEAD = 26, AXIS = 30, GAP = 14;
    var height = groups.reduce(function (h, g) { return h + HEAD + g.rows.length * ROW + AXIS + GAP; }, 0);
    var root = svg("svg", { "class": "forest", viewBox: "0 0 " + W + " " + height, role: "img",
      "aria-label": "Forest plot of paired differences B − A with 95% intervals: " +
        rows.map(function (r) { return r.metric + " " + r.verdict.replace("_", " "); }).join("; ") });
    var y = 0;
    groups.forEach(function (g) {
      var lim = 0;
      g.rows.forEach(function (r) { [r.delta, r.ci_low, r.ci_high].forEach(function (v) { if (v !== null) lim = Math.max(lim, Math.abs(v * g.scale)); }); });
      lim = niceCeil(lim > 0 ? lim * 1.05 : 1);
      if (g.scale === 100) lim = Math.min(lim, 100);  // a difference of two shares is within ±100 pp
      var x = function (v) { return LEFT + (v * g.scale + lim) / (2 * lim) * (W - LEFT - RIGHT); };
      add(root, svg("text", { x: 0, y: y + 16, "font-weight": "600" }, g.title));
      y += HEAD;
      var top = y;
      g.rows.forEach(function (r) {
        var cy = y + ROW / 2;
        var label = svg("text", { x: 0, y: cy + 4 }, r.metric + (r.higher_is_better ? " ↑" : " ↓"));
        add(root, label);
        if (r.delta !== null) {
          var grp = svg("g", { "class": r.verdict });
          add(grp, svg("title", {}, r.metric + ": " + fmtSigned(r.delta * g.scale, 2) + g.unit + " [" +
            (r.ci_low === null ? "—" : fmtSigned(r.ci_low * g.scale, 2)) + ", " + (r.ci_high === null ? "—" : fmtSigned(r.ci_high * g.scale, 2)) + "], " + r.verdict));
          if (r.ci_low !== null && r.ci_high !== null)
            add(grp, svg("line", { "class": "ci", x1: x(r.ci_low), x2: x(r.ci_high), y1: cy, y2: cy }));
          add(grp, svg("circle", { cx: x(r.delta), cy: cy, r: 4.5 }));
          add(root, grp);
        }
        add(root, svg("text", { x: W - RIGHT + 8, y: cy + 4, "class": "verdict-" + r.verdict }, r.verdict.replace("_", " ")));
        y += ROW;
      });
      add(root, svg("line", { "class": "zero", x1: x(0), x2: x(0), y1: top, y2: y }));
      add(root, svg("line", { "class": "axis", x1: LEFT, x2: W - RIGHT, y1: y, y2: y }));
      [-lim, -lim / 2, 0, lim / 2, lim].forEach(function (v) {
        add(root, svg("text", { x: x(v / g.scale), y: y + 16, "text-anchor": "middle", "class": "tick" },
          (v === 0 ? "0" : fmtSigned(v, lim < 1 ? 2 : lim < 10 ? 1 : 0)) + g.unit));
      });
      y += AXIS + GAP;
    });
    return root;
  }

  // The axis limit rounded up to 1, 2, 2.5 or 5 × 10^k, so ticks at ±lim/2 and ±lim read cleanly.
  function niceCeil(x) {
    var p = Math.pow(10, Math.floor(Math.log10(x)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * p >= x - 1e-12) return steps[i] * p;
    return 10 * p;
  }

  // Each theme lists its member answers grouped by query (one link per query, the arms and
  // samples after it); beyond the first few queries the list folds away.
  function renderInsights() {
    if (!DATA.insights || !DATA.insights.length) return;
    byId("insights").hidden = false;
    byId("nav-insights").hidden = false;
    var body = byId("insights-body");
    var SHOWN = 8;
    DATA.insights.forEach(function (theme) {
      var box = add(el("div", "insight"), el("h3", "", theme.title + " (" + theme.members.length + ")"));
      if (theme.summary) add(box, el("p", "", theme.summary));
      var groups = [], byQuery = {};
      theme.members.forEach(function (m) {
        var g = byQuery[m.query_id];
        if (!g) { g = byQuery[m.query_id] = { id: m.query_id, arms: {} }; groups.push(g); }
        if (m.arm) (g.arms[m.arm] = g.arms[m.arm] || []).push(m.sample === undefined ? "" : String(m.sample + 1));
      });
      var item = function (g) {
        var a = el("a", "", BY_ID[g.id] ? BY_ID[g.id].text.slice(0, 120) : g.id);
        a.href = anchorHref(g.id);
        var where = Object.keys(g.arms).map(function (arm) {
          var samples = g.arms[arm].filter(Boolean);
          return arm + (samples.length ? " (sample " + samples.join(", ") + ")" : "");
        }).join("; ");
        return add(el("li"), a, where ? el("span", "muted", " · " + where) : null);
      };
      var list = el("ul");
      groups.slice(0, SHOWN).forEach(function (g) { add(list, item(g)); });
      add(box, list);
      if (groups.length > SHOWN) {
        var more = add(el("details"), el("summary", "", (groups.length - SHOWN) + " more queries"));
        var rest = el("ul");
        groups.slice(SHOWN).forEach(function (g) { add(rest, item(g)); });
        add(box, add(more, rest));
      }
      add(body, box);
    });
  }

  // --- word diff ------------------------------------------------------------------------
  // Tokens are words with their trailing whitespace; words compare without it.
  function tokens(s) { return s.match(/\s+|\S+\s*/g) || []; }
  function wordDiff(a, b) {
    var A = tokens(a), B = tokens(b);
    var eq = function (x, y) { return x.trim() === y.trim(); };
    var pre = 0;
    while (pre < A.length && pre < B.length && eq(A[pre], B[pre])) pre++;
    var suf = 0;
    while (suf < A.length - pre && suf < B.length - pre && eq(A[A.length - 1 - suf], B[B.length - 1 - suf])) suf++;
    var a1 = A.slice(pre, A.length - suf), b1 = B.slice(pre, B.length - suf);
    var n = a1.length, m = b1.length;
    if (n * m > 4000000) return null;  // too long to diff word by word in the page
    var w = m + 1, dp = new Uint32Array((n + 1) * w);
    for (var i = n - 1; i >= 0; i--)
      for (var j = m - 1; j >= 0; j--)
        dp[i * w + j] = eq(a1[i], b1[j]) ? dp[(i + 1) * w + j + 1] + 1 : Math.max(dp[(i + 1) * w + j], dp[i * w + j + 1]);
    var ops = [];
    var push = function (op, text) {
      var last = ops[ops.length - 1];
      if (last && last[0] === op) last[1] += text; else ops.push([op, text]);
    };
    if (pre) push("=", B.slice(0, pre).join(""));
    i = 0; j = 0;
    while (i < n && j < m) {
      if (eq(a1[i], b1[j])) { push("=", b1[j]); i++; j++; }
      else if (dp[(i + 1) * w + j] >= dp[i * w + j + 1]) { push("-", a1[i]); i++; }
      else { push("+", b1[j]); j++; }
    }
    while (i < n) push("-", a1[i++]);
    while (j < m) push("+", b1[j++]);
    if (suf) push("=", B.slice(B.length - suf).join(""));
    return ops;
  }

  function diffBlock(c, q, sample) {
    var find = function (arm) { return (q.answers[arm] || []).filter(function (a) { return a.sample === sample; })[0]; };
    var a = find(c.a), b = find(c.b);
    if (!a || !b || a.failed || b.failed || a.messages || b.messages) return null;
    var box = el("div", "diff");
    add(box, el("div", "diff-head", "Word diff, sample " + (sample + 1) + ": " + c.a + " → " + c.b + " (removed struck through, added highlighted)"));
    var ops = wordDiff(a.text || "", b.text || "");
    var out = el("div", "diff-text");
    if (ops === null) out.textContent = "These answers are too long for a word-by-word diff.";
    else if (ops.length === 1 && ops[0][0] === "=") out.textContent = "(identical)";
    else ops.forEach(function (op) { add(out, op[0] === "=" ? document.createTextNode(op[1]) : el(op[0] === "-" ? "del" : "ins", "", op[1])); });
    return add(box, out);
  }

  // --- query rows ---------------------------------------------------------------------
  function badge(text, cls, title) {
    var b = el("span", "badge" + (cls ? " " + cls : ""), text);
    if (title) b.title = title;
    return b;
  }

  function answerCard(arm, a) {
    var card = el("div", "answer");
    card.setAttribute("data-arm", arm);
    var head = add(el("div", "a-head"), el("span", "a-arm", arm), el("span", "muted", "sample " + (a.sample + 1)));
    if (a.failed) add(head, badge("failed", "bad"));
    else if (a.score !== undefined) add(head, badge("score " + (a.judge_score !== undefined && a.judge_score !== a.score ? a.judge_score + " (" + a.score.toFixed(2) + ")" : a.score), a.score >= 4 ? "good" : a.score <= 2 ? "bad" : ""));
    if (a.unscored) add(head, badge("unscored", "warn"));
    add(card, head);
    if (a.messages) {
      var turns = el("ol", "turns");
      a.messages.forEach(function (m) {
        add(turns, add(el("li", m.role), el("span", "turn-role", m.role), el("div", "turn-text", m.content)));
      });
      add(card, turns);
    } else if (a.failed) {
      add(card, el("div", "a-error", a.error || "the model call failed"));
    } else {
      add(card, el("div", "a-text", a.text));
    }
    var badges = el("div", "a-badges");
    if (a.refusal && a.refusal !== "full_compliance")
      add(badges, badge("refusal: " + a.refusal.replace("_", " ") + (a.refusal_cues ? " — " + a.refusal_cues.join(", ") : ""), "bad", a.refusal_reason));
    if (a.over_refusal) add(badges, badge("over-refusal", "bad"));
    // The judge's refusal class is news only when it says refusal, or disagrees with the rule-based class.
    if (a.refusal_judge && (a.refusal_judge !== "full_compliance" || (a.refusal && a.refusal !== a.refusal_judge)))
      add(badges, badge("judge refusal class: " + a.refusal_judge.replace("_", " "), "warn", a.refusal_judge_reason));
    if (a.filler) add(badges, badge("filler: " + a.filler.map(function (p) { return "“" + p + "”"; }).join(", "), "warn"));
    if (a.hedging) add(badges, badge("hedging: " + a.hedging.map(function (p) { return "“" + p + "”"; }).join(", "), "warn"));
    for (var name in a.checks || {}) {  // a project's own checks, as the registry explains them
      var ck = a.checks[name];
      add(badges, badge(ck.label + ": " + ck.text, ck.unscored ? "warn" : ""));
    }
    if (badges.childNodes.length) add(card, badges);
    if (a.reason) add(card, add(el("p", "reason"), el("b", "", "Judge: "), document.createTextNode(a.reason)));
    if (a.refusal_reason && a.refusal && a.refusal !== "full_compliance") add(card, add(el("p", "reason"), el("b", "", "Refusal classifier: "), document.createTextNode(a.refusal_reason)));
    return card;
  }

  function queryRow(q) {
    var art = el("article", "q");
    art.id = anchorId(q.id);
    art.tabIndex = -1;
    art.setAttribute("data-query-id", q.id);
    var head = el("div", "q-head");
    var link = el("a", "anchor", "#");
    link.href = anchorHref(q.id);
    link.setAttribute("aria-label", "Link to this query");
    add(head, link, badge(q.trait || NO_TRAIT));
    for (var k in q.dimensions) add(head, badge(k + ": " + q.dimensions[k]));
    if (q.should_refuse) add(head, badge("should refuse"));
    if (q.tempts_violation) add(head, badge("tempts a violation"));
    if (q.mirror) add(head, badge("mirror " + q.mirror));
    var c = comparison();
    if (c && c.changes[q.id]) {
      var metric = state.metric || "outcome";
      var ch = c.changes[q.id][metric];
      if (ch !== undefined) {
        var good = METRICS[metric] && !METRICS[metric].higher_is_better ? ch < 0 : ch > 0;
        add(head, badge("Δ " + metric + " " + fmtSigned(ch, 2), ch === 0 ? "" : good ? "good" : "bad"));
      }
    }
    add(head, el("code", "muted", q.id));
    add(art, head, el("h3", "q-text", q.text));
    if (q.note) add(art, el("p", "q-note", q.note));
    var arms = shownArms();
    var cols = arms.length <= 3 ? "cols-" + arms.length : "cols-n";
    q._samples.forEach(function (sample) {
      var grid = el("div", "samples " + cols);
      arms.forEach(function (arm) {
        var a = (q.answers[arm] || []).filter(function (x) { return x.sample === sample; })[0];
        add(grid, a ? answerCard(arm, a) : add(el("div", "answer muted"), el("span", "a-arm", arm), document.createTextNode(" — no answer")));
      });
      add(art, grid);
      if (state.diff && c && !c.error && arms.indexOf(c.a) >= 0 && arms.indexOf(c.b) >= 0) add(art, diffBlock(c, q, sample));
    });
    return art;
  }

  // Rows are rendered in windows: view[start, rendered) is in the page. Scrolling down (or
  // "Show more") extends the window; a deep link far down starts a new window at its query
  // instead of rendering everything above it.
  function renderMore(upTo) {
    var rows = byId("rows");
    var end = Math.min(view.length, upTo === undefined ? rendered + CHUNK : upTo);
    var frag = document.createDocumentFragment();
    for (; rendered < end; rendered++) frag.appendChild(queryRow(view[rendered]));
    rows.appendChild(frag);
    var more = byId("more");
    more.hidden = rendered >= view.length;
    more.textContent = "Show more (" + (view.length - rendered) + " left)";
  }

  function renderEarlier() {
    var from = Math.max(0, start - CHUNK);
    var frag = document.createDocumentFragment();
    for (var i = from; i < start; i++) frag.appendChild(queryRow(view[i]));
    var rows = byId("rows");
    var anchor = rows.firstChild;
    var before = anchor ? anchor.getBoundingClientRect().top : 0;
    rows.insertBefore(frag, anchor);
    start = from;
    if (anchor) window.scrollBy(0, anchor.getBoundingClientRect().top - before);  // keep the reader's place
    updateEarlier();
  }

  function updateEarlier() {
    var btn = byId("earlier");
    btn.hidden = start === 0;
    btn.textContent = "Show earlier (" + start + " above)";
  }

  function startWindowAt(idx) {
    start = Math.max(0, idx);
    rendered = start;
    byId("rows").textContent = "";
    renderMore();
    updateEarlier();
  }

  function refresh() {
    // A new view starts at its first row: if the list began above the window, bring its start back.
    var count = byId("count");
    if (count.getBoundingClientRect().top < 0) count.scrollIntoView({ block: "start" });
    computeView();
    start = 0;
    rendered = 0;
    updateEarlier();
    byId("rows").textContent = "";
    byId("count").textContent = "Showing " + view.length + " of " + QUERIES.length + " queries" +
      (ARMS.length ? " (" + shownArms().length + " of " + ARMS.length + " arms)" : "") + ".";
    renderMore(FIRST_CHUNK);
  }

  // --- controls -----------------------------------------------------------------------
  function options(select, items) {
    items.forEach(function (it) { var o = el("option", "", it[1]); o.value = it[0]; select.appendChild(o); });
  }

  function setupControls() {
    var traits = DATA.traits.slice();
    if (QUERIES.some(function (q) { return !q.trait; })) traits.push(NO_TRAIT);
    options(byId("f-trait"), [["", "all traits"]].concat(traits.map(function (t) { return [t, t]; })));
    options(byId("f-arm"), [["", "all arms"]].concat(ARMS.map(function (a) { return [a, a]; })));
    options(byId("f-metric"), [["", DATA.comparisons.length ? "outcome (compare's flip measure)" : "any"]].concat(
      DATA.metrics.filter(function (m) { return m.name !== "outcome"; }).map(function (m) { return [m.name, m.name]; })));
    if (DATA.comparisons.length > 1) {
      byId("f-pair-label").hidden = false;
      options(byId("f-pair"), DATA.comparisons.map(function (c, i) { return [String(i), c.b + " vs " + c.a]; }));
    }
    if (!DATA.comparisons.length) {
      ["f-flipped", "f-sort"].forEach(function (id) { byId(id).disabled = true; });
      byId("f-diff").checked = false;
      byId("f-diff").disabled = true;
      state.diff = false;
    }
    var read = function () {
      state.search = byId("f-search").value;
      state.trait = byId("f-trait").value;
      state.arm = byId("f-arm").value;
      state.pair = Number(byId("f-pair").value || 0);
      state.metric = byId("f-metric").value;
      state.sort = byId("f-sort").value;
      ["flipped", "refused", "filler", "unscored", "failed", "diff"].forEach(function (k) { state[k] = byId("f-" + k).checked; });
    };
    var form = byId("controls");
    var timer = null;
    form.addEventListener("input", function (e) {
      if (e.target.id !== "f-search") return;
      clearTimeout(timer);
      timer = setTimeout(function () { read(); refresh(); }, 120);
    });
    form.addEventListener("change", function (e) {
      if (e.target.id === "f-search") return;
      var pairChanged = e.target.id === "f-pair";
      read();
      if (pairChanged) renderComparison();
      refresh();
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); read(); refresh(); });
    form.addEventListener("reset", function () { setTimeout(function () { read(); renderComparison(); refresh(); }, 0); });
    byId("more").addEventListener("click", function () { renderMore(); });
    byId("earlier").addEventListener("click", function () { renderEarlier(); });
    if ("IntersectionObserver" in window) {
      new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; }) && rendered < view.length) renderMore();
      }, { rootMargin: "1200px" }).observe(byId("more"));
    }
  }

  // Clears the filters (not the comparison or the diff switch) without a form reset, whose
  // deferred re-render would undo what the caller renders next.
  function resetControls() {
    state = Object.assign({}, DEFAULTS, { diff: state.diff, pair: state.pair });
    ["search", "trait", "arm", "metric", "sort"].forEach(function (k) { byId("f-" + k).value = state[k]; });
    ["flipped", "refused", "filler", "unscored", "failed"].forEach(function (k) { byId("f-" + k).checked = false; });
  }

  // Deep links: #q-<query id> opens that query, clearing filters that hide it.
  function openHash() {
    var hash = location.hash.slice(1);
    if (hash.indexOf("q-") !== 0) return;
    var id;
    try { id = decodeURIComponent(hash.slice(2)); } catch (err) { id = hash.slice(2); }
    if (!BY_ID[id]) return;
    var idx = view.indexOf(BY_ID[id]);
    if (idx < 0) {
      resetControls();
      refresh();
      idx = view.indexOf(BY_ID[id]);
      byId("count").textContent += " Filters cleared to show the linked query.";
    }
    if (idx < start || idx >= rendered) {
      if (idx < rendered + CHUNK) renderMore(idx + 1);
      else startWindowAt(idx);
    }
    var target = byId(anchorId(id));
    var old = document.querySelector(".q.linked");
    if (old) old.classList.remove("linked");
    target.classList.add("linked");
    target.scrollIntoView({ block: "start" });
    target.focus({ preventScroll: true });
  }

  function setupKeys() {
    document.addEventListener("keydown", function (e) {
      var tag = (e.target.tagName || "").toLowerCase();
      if (e.ctrlKey || e.metaKey || e.altKey || tag === "input" || tag === "select" || tag === "textarea") {
        if (e.key === "Escape" && e.target.id === "f-search") { e.target.value = ""; state.search = ""; refresh(); }
        return;
      }
      if (e.key === "/") { e.preventDefault(); byId("f-search").focus(); return; }
      if (e.key !== "j" && e.key !== "k") return;
      var rows = Array.prototype.slice.call(document.querySelectorAll("#rows > .q"));
      if (!rows.length) return;
      var cur = rows.indexOf(document.activeElement.closest ? document.activeElement.closest(".q") : null);
      var next = e.key === "j" ? cur + 1 : Math.max(cur - 1, 0);
      if (next >= rows.length && rendered < view.length) { renderMore(); rows = document.querySelectorAll("#rows > .q"); }
      if (next < rows.length) { rows[next].focus(); rows[next].scrollIntoView({ block: "nearest" }); }
    });
    // Printing shows every query of the current view, not only those scrolled into view.
    window.addEventListener("beforeprint", function () { if (start > 0) startWindowAt(0); renderMore(view.length); });
  }

  renderHeader();
  renderSummary();
  renderComparison();
  renderInsights();
  setupControls();
  setupKeys();
  refresh();
  window.addEventListener("hashchange", openHash);
  if (location.hash) openHash();
  // For benchmarks: parse and first-render times, and when (since navigation started) the page was ready.
  window.harnessViewer = { timings: { parse: tParsed - t0, ready: performance.now() - t0, readyAt: performance.now() },
                           view: function () { return view.map(function (q) { return q.id; }); } };
  document.documentElement.setAttribute("data-ready", "true");
})();
