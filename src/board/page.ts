/**
 * The board's page: one HTML document with a small inline script (no build
 * step, no network beyond its own server). A filterable list of runs and
 * sweeps that refreshes every second (states and step counters change in
 * place), a run's report in a frame, and the curves of the ticked runs
 * overlaid for one chosen metric.
 * @module
 */

const STYLE = `body{font-family:sans-serif;margin:1em;color:#222}
table{border-collapse:collapse;font-size:13px}td,th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left}
tr.running td.state{color:#D55E00;font-weight:bold}tr.finished td.state{color:#009E73}
#top{display:flex;gap:24px;flex-wrap:wrap}#overlay{border:1px solid #ccc}
iframe{width:100%;height:900px;border:1px solid #ccc;margin-top:8px}`;

const COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];

const SCRIPT = `
const $ = (id) => document.getElementById(id);
const COLORS = ${JSON.stringify(COLORS)};
let entries = [], ticked = new Set(), open = null, openReport = -1;
const enc = (p) => p.split("/").map(encodeURIComponent).join("/");
function matches(e) {
  const q = $("filter").value.trim().toLowerCase();
  return !q || [e.path, e.name, e.objective, e.data, e.state].some((s) => String(s).toLowerCase().includes(q));
}
function render() {
  const body = $("entries");
  for (const e of entries) {
    let row = body.querySelector('tr[data-path="' + CSS.escape(e.path) + '"]');
    if (!row) {
      row = document.createElement("tr");
      row.dataset.path = e.path;
      row.innerHTML = '<td><input type="checkbox" class="tick"></td><td class="name"></td><td class="kind"></td>' +
        '<td class="objective"></td><td class="data"></td><td class="state"></td><td><span class="step"></span> / <span class="total"></span></td>' +
        '<td><a href="#" class="open">report</a>' + (e.kind === "sweep" ? ' <a href="#" class="views">views</a>' : "") + '</td>';
      row.querySelector(".tick").onchange = (ev) => { ev.target.checked ? ticked.add(e.path) : ticked.delete(e.path); curves(); };
      row.querySelector(".open").onclick = (ev) => { ev.preventDefault(); show(e.path, "report.html"); };
      const views = row.querySelector(".views");
      if (views) views.onclick = (ev) => { ev.preventDefault(); show(e.path, "views.html"); };
      body.appendChild(row);
    }
    row.className = e.state;
    row.querySelector(".name").textContent = e.path;
    for (const k of ["kind", "objective", "data", "state", "step", "total"]) row.querySelector("." + k).textContent = e[k];
    row.hidden = !matches(e);
  }
  $("count").textContent = entries.filter(matches).length + " of " + entries.length;
}
function show(path, page) {
  open = path;
  openReport = entries.find((e) => e.path === path)?.report ?? -1;
  $("report").src = "/files/" + enc(path) + "/" + page;
  $("open-name").textContent = path;
}
async function curves() {
  const metric = $("metric").value, runs = [...ticked];
  const data = await Promise.all(runs.map((p) => fetch("/api/metrics?path=" + encodeURIComponent(p)).then((r) => r.ok ? r.json() : [])));
  const keys = new Set(data.flatMap((rows) => rows.flatMap((r) => Object.keys(r)))); keys.delete("step"); keys.delete("elapsed");
  const select = $("metric");
  for (const k of [...keys].sort()) if (![...select.options].some((o) => o.value === k)) select.add(new Option(k, k));
  const W = 560, H = 300, M = 40, series = data.map((rows) => rows.filter((r) => Number.isFinite(r[metric])).map((r) => [r.step, r[metric]]));
  const all = series.flat(); const svg = $("overlay");
  if (!all.length) { svg.innerHTML = '<text x="20" y="30">tick runs to overlay their curves</text>'; return; }
  const xs = all.map((p) => p[0]), ys = all.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs) || 1, Math.min(...ys), Math.max(...ys)];
  const px = (x) => M + (x - x0) / ((x1 - x0) || 1) * (W - 2 * M), py = (y) => H - M - (y - y0) / ((y1 - y0) || 1) * (H - 2 * M);
  svg.innerHTML = '<rect x="' + M + '" y="' + M + '" width="' + (W - 2 * M) + '" height="' + (H - 2 * M) + '" fill="none" stroke="#444"/>' +
    '<text x="' + M + '" y="' + (M - 8) + '">' + metric + ': ' + y0.toPrecision(3) + ' to ' + y1.toPrecision(3) + ', steps ' + x0 + ' to ' + x1 + '</text>' +
    series.map((s, i) => '<path class="overlay-line" fill="none" stroke-width="1.5" stroke="' + COLORS[i % COLORS.length] + '" d="' +
      s.map((p, j) => (j ? "L" : "M") + px(p[0]).toFixed(1) + "," + py(p[1]).toFixed(1)).join("") + '"/>' +
      '<text x="' + (W - M) + '" y="' + (M + 14 + 13 * i) + '" text-anchor="end" fill="' + COLORS[i % COLORS.length] + '">' + runs[i].replace(/&/g, "&amp;").replace(/</g, "&lt;") + '</text>').join("");
}
async function refresh() {
  try {
    entries = await (await fetch("/api/entries")).json();
    render();
    $("updated").textContent = new Date().toLocaleTimeString();
    const e = entries.find((x) => x.path === open);
    if (e && e.report !== openReport) { openReport = e.report; $("report").contentWindow?.location.reload(); }
    if (ticked.size && entries.some((x) => ticked.has(x.path) && x.state === "running")) curves();
  } catch (err) { $("updated").textContent = "offline: " + err; }
}
$("filter").oninput = render;
$("metric").onchange = curves;
refresh(); setInterval(refresh, 1000);
`;

/**
 * The board's HTML page.
 */
export function boardPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Duel board</title><style>${STYLE}</style></head>
<body><h1>Duel board</h1>
<p><input id="filter" placeholder="filter by name, objective, data, state" size="40">
<span id="count"></span> · updated <span id="updated">never</span></p>
<div id="top"><table><thead><tr><th>overlay</th><th>run or sweep</th><th>kind</th><th>objective</th>
<th>data</th><th>state</th><th>step</th><th></th></tr></thead><tbody id="entries"></tbody></table>
<div><label>curve <select id="metric"><option>d/loss</option><option>g/loss</option></select></label><br>
<svg id="overlay" width="560" height="300" font-family="sans-serif" font-size="11"></svg></div></div>
<h2 id="open-name">(open a run's report)</h2>
<iframe id="report" title="report"></iframe>
<script>${SCRIPT}</script>
</body></html>
`;
}
