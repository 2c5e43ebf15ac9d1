// The report page: tabs, leaderboard, breakdowns, the sample browser and the comparison of two
// checkpoints, all drawn from the JSON in #report-data (see harness/results/report.py).
// Every text from the data reaches the page as a text node (el() below), never as markup:
// predictions are model output.
"use strict";
(() => {
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const $ = (id) => document.getElementById(id);
  const PAGE = 100; // rows the sample list shows at a time: rendering, not filtering, is what costs
  const PRIMARY = data.metrics[0].name;
  const severalRuns = new Set(data.checkpoints.map((c) => c.run)).size > 1;
  const nameOf = (c) => (severalRuns ? `${c.run}/${c.checkpoint}` : c.checkpoint);
  const fields = Object.keys(data.fields).filter((f) => data.samples.some((s) => s[f] !== undefined));
  const VERDICTS = { pass: "PASS", fail: "FAIL: regression", not_comparable: "NOT COMPARABLE" };

  // Add children to a node: nodes as they are, anything else as text; nested arrays are
  // flattened and null, undefined and false left out.
  function append(node, ...children) {
    for (const child of children.flat(Infinity)) {
      if (child !== undefined && child !== null && child !== false) node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }
  function put(node, ...children) {
    node.replaceChildren();
    return append(node, children);
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else node.setAttribute(key, value);
    }
    return append(node, children);
  }
  const pct = (v) => (v === null || v === undefined ? "—" : `${(100 * v).toFixed(1)}%`);
  const points = (v) => `${v >= 0 ? "+" : ""}${(100 * v).toFixed(1)}%`;
  const verdictClass = (r) => (r.execution_match === true ? "ok" : r.execution_match === false ? "fail" : "none");
  const badge = (r) => el("span", { class: `badge ${verdictClass(r)}`, title: data.reasons[r.reason] }, r.reason ?? "?");
  const option = (value, text, title) => el("option", { value, title }, text);

  // --- tabs ----------------------------------------------------------------------------------
  function show(tab) {
    for (const b of document.querySelectorAll("nav button")) b.classList.toggle("active", b.dataset.tab === tab);
    for (const s of document.querySelectorAll("section.tab")) s.hidden = s.id !== tab;
  }
  for (const b of document.querySelectorAll("nav button")) b.addEventListener("click", () => show(b.dataset.tab));

  // --- overview ------------------------------------------------------------------------------
  function rateCell(rate, best) {
    if (!rate || rate.rate === null) return el("td", { class: "num" }, "—");
    return el("td", { class: best ? "num best" : "num", title: `${rate.successes} of ${rate.n}` },
      pct(rate.rate), el("span", { class: "ci" }, `${pct(rate.ci_low)} – ${pct(rate.ci_high)}`));
  }

  function drawLeaderboard() {
    const rows = data.leaderboard.rows;
    const values = rows.map((r) => r.metrics[PRIMARY].rate).filter((v) => v !== null);
    const best = values.length ? Math.max(...values) : null;
    const head = el("tr", {}, ["run", "model", "checkpoint"].map((h) => el("th", {}, h)), el("th", { class: "num" }, "epoch"),
      data.metrics.map((m) => el("th", { class: "num", title: m.meaning }, m.label)), el("th", { class: "num" }, "judgeable n"));
    const body = rows.map((r) => {
      const judged = r.metrics[PRIMARY].n;
      return el("tr", {}, el("td", {}, r.run), el("td", {}, r.model), el("td", {}, r.checkpoint), el("td", { class: "num" }, r.epoch ?? ""),
        data.metrics.map((m) => rateCell(r.metrics[m.name], m.name === PRIMARY && best !== null && r.metrics[m.name].rate === best)),
        el("td", { class: "num" }, judged === r.n ? judged : `${judged} of ${r.n}`));
    });
    append($("leaderboard"), el("thead", {}, head), el("tbody", {}, body));
    $("warnings").textContent = data.leaderboard.warnings.map((w) => `warning: ${w}`).join(" ");
  }

  function drawBreakdowns() {
    for (const b of data.leaderboard.breakdowns) {
      const head = el("tr", {}, el("th", {}, data.fields[b.field] ?? b.field), b.rows.map((r) => el("th", { class: "num" }, nameOf(r))));
      const body = b.categories.map((c) => el("tr", {}, el("td", {}, c), b.rows.map((r) => {
        const rate = r[PRIMARY][c];
        return el("td", { class: "num", title: `${rate.successes} of ${rate.n}` }, pct(rate.rate));
      })));
      append($("breakdowns"), el("div", { class: "breakdown" }, el("h3", {}, `by ${data.fields[b.field] ?? b.field}`),
        el("div", { class: "scroll" }, el("table", {}, el("thead", {}, head), el("tbody", {}, body)))));
    }
  }

  function drawReasons() {
    const keys = data.checkpoints.map((c) => c.key);
    const counts = keys.map((key) => {
      const n = new Map();
      for (const r of data.records[key]) n.set(r.reason, (n.get(r.reason) ?? 0) + 1);
      return n;
    });
    const present = new Set(counts.flatMap((n) => [...n.keys()]));
    const reasons = [...Object.keys(data.reasons), ...present].filter((reason, i, all) => present.has(reason) && all.indexOf(reason) === i);
    const head = el("tr", {}, el("th", {}, "reason"), data.checkpoints.map((c) => el("th", { class: "num" }, nameOf(c))));
    const body = reasons.map((reason) => el("tr", {}, el("td", { title: data.reasons[reason] }, reason), keys.map((key, i) => {
      const n = counts[i].get(reason);
      return el("td", { class: "num" }, n ? el("a", { href: "#", "data-key": key, "data-reason": reason }, n) : "");
    })));
    append($("reasons"), el("thead", {}, head), el("tbody", {}, body));
  }

  // --- sample browser ------------------------------------------------------------------------
  const state = { key: null, matches: [], shown: PAGE, selected: null };
  const haystacks = {}; // checkpoint key -> lower-cased searchable text of each record, built on first search
  const positions = {}; // checkpoint key -> Map(sample index -> record index)

  function haystack(key) {
    haystacks[key] ??= data.records[key].map((r) => {
      const s = data.samples[r.s];
      return [s.id, s.sql_prompt, s.sql, r.prediction, r.error].join("\n").toLowerCase();
    });
    return haystacks[key];
  }

  function positionOf(key, sample) {
    positions[key] ??= new Map(data.records[key].map((r, i) => [r.s, i]));
    return positions[key].get(sample);
  }

  function fillReasons(key) {
    const counts = new Map();
    for (const r of data.records[key]) counts.set(r.reason, (counts.get(r.reason) ?? 0) + 1);
    const chosen = $("filter-reason").value;
    const sorted = [...counts].sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0])));
    put($("filter-reason"), option("", "any"),
      sorted.map(([reason, n]) => option(reason, `${reason} (${n})`, data.reasons[reason])));
    $("filter-reason").value = counts.has(chosen) ? chosen : "";
  }

  function buildFilters(initial) {
    put($("filter-checkpoint"), data.checkpoints.map((c) => option(c.key, nameOf(c))));
    $("filter-checkpoint").value = initial;
    for (const f of fields) {
      const counts = new Map();
      for (const s of data.samples) if (s[f] !== undefined) counts.set(s[f], (counts.get(s[f]) ?? 0) + 1);
      const values = [...counts.keys()].sort((a, b) => counts.get(b) - counts.get(a) || a.localeCompare(b));
      append($("field-filters"), el("label", {}, `${data.fields[f]} `,
        el("select", { id: `filter-${f}` }, option("", "any"), values.map((v) => option(v, v)))));
    }
    $("filters").addEventListener("change", (event) => {
      if (event.target.tagName !== "SELECT") return; // the text box filters as one types (below)
      if (event.target.id === "filter-checkpoint") fillReasons(event.target.value);
      applyFilters();
    });
    $("filter-text").addEventListener("input", applyFilters);
    $("filters").addEventListener("submit", (event) => event.preventDefault());
    fillReasons(initial);
  }

  function applyFilters() {
    const key = $("filter-checkpoint").value;
    const reason = $("filter-reason").value;
    const words = $("filter-text").value.toLowerCase().split(/\s+/).filter(Boolean);
    const chosen = fields.map((f) => [f, $(`filter-${f}`).value]).filter(([, v]) => v !== "");
    const records = data.records[key];
    const text = words.length ? haystack(key) : null;
    const matches = [];
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      if (reason && r.reason !== reason) continue;
      if (chosen.length && chosen.some(([f, v]) => data.samples[r.s][f] !== v)) continue;
      if (text && !words.every((w) => text[i].includes(w))) continue;
      matches.push(i);
    }
    // On another checkpoint the detail shows the same sample, as that checkpoint has it.
    const before = state.key;
    const sample = state.selected === null ? undefined : data.records[before][state.selected].s;
    Object.assign(state, { key, matches, shown: PAGE });
    drawList();
    if (key !== before && sample !== undefined) {
      const i = positionOf(key, sample);
      if (i !== undefined) select(i);
      else {
        state.selected = null;
        put($("sample-detail"), el("p", { class: "note" }, "Pick a sample to see it here."));
      }
    }
  }

  function drawList() {
    const records = data.records[state.key];
    const rows = state.matches.slice(0, state.shown).map((i) => {
      const r = records[i];
      const s = data.samples[r.s];
      return el("tr", { "data-index": i, class: i === state.selected ? "selected" : null },
        el("td", {}, s.id), el("td", { title: s.sql_prompt }, s.sql_prompt), el("td", {}, badge(r)));
    });
    put($("sample-list"), rows);
    $("more").hidden = state.matches.length <= state.shown;
    $("sample-count").textContent = `${state.matches.length} of ${records.length} samples`;
  }

  function rowsTable(rows) {
    if (!rows.length) return el("p", { class: "note" }, "(none)");
    return el("table", { class: "rows" }, rows.map((row) => el("tr", {}, row.map((v) => el("td", {}, v === null ? "NULL" : JSON.stringify(v))))));
  }

  const DIFF_PAIRS = [["only_gold", "only in gold", "only_pred", "only in the prediction"],
    ["gold_first", "gold, first rows", "pred_first", "prediction, first rows"]];

  function drawDiff(title, diff) {
    if (!diff || typeof diff !== "object") return [];
    const paired = new Set();
    const blocks = [];
    for (const [left, leftTitle, right, rightTitle] of DIFF_PAIRS) {
      const rowsOf = (k) => Array.isArray(diff[k]) && diff[k].every(Array.isArray);
      if (!rowsOf(left) && !rowsOf(right)) continue;
      paired.add(left).add(right);
      blocks.push(el("div", { class: "pair" },
        el("div", {}, el("h4", {}, leftTitle), rowsTable(diff[left] ?? [])),
        el("div", {}, el("h4", {}, rightTitle), rowsTable(diff[right] ?? []))));
    }
    const facts = Object.entries(diff).filter(([k]) => !paired.has(k)).map(([k, v]) =>
      [el("dt", {}, k.replace("pred_", "prediction_").replaceAll("_", " ")), el("dd", {}, typeof v === "object" ? JSON.stringify(v) : String(v))]);
    return [el("h3", {}, title), facts.length ? el("dl", {}, facts) : null, blocks];
  }

  // A metric's verdict on a record: matched, did not, or not judged (null).
  const verdictMark = (value) => (value === true ? "✓" : value === false ? "✗" : "—");

  function select(i) {
    state.selected = i;
    for (const tr of $("sample-list").children) tr.classList.toggle("selected", Number(tr.dataset.index) === i);
    const r = data.records[state.key][i];
    const s = data.samples[r.s];
    const dialect = r.dialect ? Object.entries(r.dialect).map(([side, path]) => `${side}: ${path}`).join(", ") : "—";
    const verdicts = data.metrics.map((m) => el("span", { class: "verdict", title: m.meaning }, `${verdictMark(r[m.name])} ${m.label}`));
    const categories = fields.filter((f) => s[f] !== undefined).map((f) => el("span", { title: data.fields[f] }, s[f]));
    const facts = [
      el("dt", {}, "reason"), el("dd", { id: "detail-reason" }, badge(r), " ", data.reasons[r.reason] ?? ""),
      el("dt", {}, "metrics"), el("dd", { id: "detail-metrics" }, verdicts),
      el("dt", {}, "dialect path"), el("dd", { id: "detail-dialect" }, dialect),
      r.test_suite_reason ? [el("dt", {}, "test-suite reason"), el("dd", {}, r.test_suite_reason, " ", data.reasons[r.test_suite_reason] ?? "")] : null,
      categories.length ? [el("dt", {}, fields.filter((f) => s[f] !== undefined).map((f) => data.fields[f]).join(", ")),
        el("dd", {}, categories.flatMap((c, i) => (i ? [", ", c] : [c])))] : null,
      r.error ? [el("dt", {}, "error"), el("dd", { id: "detail-error" }, r.error)] : null,
    ];
    const suite = r.test_suite && r.test_suite.diff
      ? drawDiff(`first differing rows on generated database ${r.test_suite.failed_database + 1} of ${r.test_suite.databases}`, r.test_suite.diff) : [];
    put($("sample-detail"),
      el("h2", {}, `${s.id} `, badge(r)),
      el("p", { class: "question", id: "detail-question" }, s.sql_prompt),
      el("h3", {}, "schema"), el("pre", { class: "schema", id: "detail-schema" }, s.sql_context),
      el("div", { class: "pair" },
        el("div", {}, el("h3", {}, "gold"), el("pre", { id: "detail-gold" }, s.sql)),
        el("div", {}, el("h3", {}, "prediction"), el("pre", { id: "detail-prediction" }, r.prediction ?? ""))),
      el("dl", {}, facts),
      drawDiff("first differing rows", r.diff),
      suite,
      r.output !== undefined ? [el("h3", {}, "model output (before extracting the SQL)"), el("pre", {}, r.output)] : null,
    );
  }

  // Show the samples of a checkpoint, of one reason code or all.
  function browse(key, reason = "") {
    $("filter-checkpoint").value = key;
    for (const id of ["filter-text", ...fields.map((f) => `filter-${f}`)]) $(id).value = "";
    fillReasons(key);
    $("filter-reason").value = reason;
    applyFilters();
    show("samples");
  }

  function open(key, sample) {
    browse(key);
    const i = positionOf(key, sample);
    select(i);
    $("sample-list").querySelector(`tr[data-index="${i}"]`)?.scrollIntoView({ block: "nearest" });
  }

  // --- comparison ----------------------------------------------------------------------------
  function flipList(title, id, samples, baseline, candidate) {
    const items = samples.map((sample) => {
      const before = data.records[baseline][positionOf(baseline, sample)];
      const after = data.records[candidate][positionOf(candidate, sample)];
      const link = el("a", { href: "#", "data-sample": sample }, data.samples[sample].id);
      return el("li", {}, link, ` ${before.reason} → ${after.reason}: `, data.samples[sample].sql_prompt);
    });
    return el("div", {}, el("h3", {}, `${title} (${samples.length})`),
      items.length ? el("ul", { id }, items) : el("p", { class: "note", id }, "none"));
  }

  function drawComparison() {
    const baseline = $("compare-baseline").value;
    const candidate = $("compare-candidate").value;
    const out = $("compare-result");
    if (baseline === candidate) {
      put(out, el("p", { class: "note" }, "Pick two different checkpoints."));
      return;
    }
    const c = data.comparisons[`${baseline} > ${candidate}`];
    const t = data.thresholds;
    const rule = `fails when execution accuracy drops by more than ${(100 * t.max_drop).toFixed(1)} points with McNemar p < ${t.alpha}` +
      (t.max_new_failures === null ? "" : `, or when more than ${t.max_new_failures} samples newly fail`);
    const parts = [el("p", {}, "Gate: ", el("span", { class: `decision-${c.decision}`, id: "compare-decision" }, VERDICTS[c.decision]),
      el("span", { class: "note" }, ` (with the default thresholds: it ${rule})`))];
    if (c.reasons.length) parts.push(el("ul", {}, c.reasons.map((reason) => el("li", {}, reason))));
    if (c.n_paired) {
      const rate = (r) => `${pct(r.rate)} [${pct(r.ci_low)}, ${pct(r.ci_high)}]`;
      const [low, high] = c.difference_ci;
      const rows = [
        ["execution accuracy", rate(c.baseline), rate(c.candidate), `${points(c.difference)} [${points(low)}, ${points(high)}]`],
        ["passing / paired", `${c.baseline.successes} / ${c.baseline.n}`, `${c.candidate.successes} / ${c.candidate.n}`, ""],
        ["newly failing / passing", "", "", `${c.newly_failing.length} / ${c.newly_passing.length}`],
        ["McNemar exact p", "", "", c.p_value.toPrecision(3)],
        ["unjudgeable, left out", c.unjudgeable.baseline, c.unjudgeable.candidate, ""],
      ];
      parts.push(el("table", { id: "compare-stats" },
        el("thead", {}, el("tr", {}, el("th", {}, ""), ["baseline", "candidate", "difference"].map((h) => el("th", { class: "num" }, h)))),
        el("tbody", {}, rows.map(([name, ...cells]) => el("tr", {}, el("td", {}, name), cells.map((v) => el("td", { class: "num" }, v)))))));
      parts.push(el("div", { class: "flips" },
        flipList("Newly failing", "newly-failing", c.newly_failing, baseline, candidate),
        flipList("Newly passing", "newly-passing", c.newly_passing, baseline, candidate)));
    }
    put(out, parts);
  }

  // --- start ---------------------------------------------------------------------------------
  drawLeaderboard();
  drawReasons();
  drawBreakdowns();
  $("reasons").addEventListener("click", (event) => {
    const link = event.target.closest("a[data-reason]");
    if (!link) return;
    event.preventDefault();
    browse(link.dataset.key, link.dataset.reason);
  });
  const first = data.checkpoints.filter((c) => c.run === data.checkpoints[0].run);
  const candidate = first[first.length - 1].key;
  buildFilters(candidate);
  applyFilters();
  $("sample-list").addEventListener("click", (event) => {
    const row = event.target.closest("tr");
    if (row) select(Number(row.dataset.index));
  });
  $("more").addEventListener("click", () => {
    state.shown += PAGE;
    drawList();
  });
  for (const id of ["compare-baseline", "compare-candidate"]) {
    put($(id), data.checkpoints.map((c) => option(c.key, nameOf(c))));
    $(id).addEventListener("change", drawComparison);
  }
  $("compare-baseline").value = first.length > 1 ? first[first.length - 2].key : candidate;
  $("compare-candidate").value = candidate;
  $("compare-result").addEventListener("click", (event) => {
    const link = event.target.closest("a[data-sample]");
    if (!link) return;
    event.preventDefault();
    open($("compare-candidate").value, Number(link.dataset.sample));
  });
  drawComparison();
  append($("glossary"), 
    data.metrics.map((m) => [el("dt", {}, m.label), el("dd", {}, m.meaning)]),
    Object.entries(data.reasons).map(([code, meaning]) => [el("dt", {}, code), el("dd", {}, meaning)]));
  $("footer").textContent = `harness ${data.version}, ${data.created}: ${data.samples.length} samples, ${data.checkpoints.length} checkpoints.`;
})();
