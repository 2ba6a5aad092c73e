"""The HTML report's stylesheet, inlined into the page: no fonts, images or other files to fetch."""

CSS = """
:root { --ink: #1d2430; --muted: #5b6575; --line: #dde2ea; --soft: #f5f7fa; --accent: #1e63c4; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.45;
  font: 14px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 28px 32px 48px; }
header.top { border-bottom: 3px solid var(--ink); padding-bottom: 14px; margin-bottom: 18px; }
.statusline { font-size: 13px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted);
  margin: 0 0 6px; }
h1 { font-size: 26px; margin: 0 0 10px; line-height: 1.2; }
h2 { font-size: 18px; margin: 30px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 6px; }
p.summary { font-size: 15px; margin: 10px 0 0; max-width: 900px; }
.badges { display: flex; flex-wrap: wrap; gap: 8px; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 999px; font-weight: 600;
  font-size: 12px; border: 1px solid transparent; }
.st-open { background: #e3edfc; color: #174a94; border-color: #b7cdf3; }
.st-done { background: #e4f3e5; color: #1f5e23; border-color: #b9deba; }
.st-exc { background: #fff3d6; color: #7a5600; border-color: #f0d48a; }
.sev { background: #fde7e7; color: #8e1c1c; border-color: #f4baba; }
.tlp { background: #000; font-family: ui-monospace, Menlo, Consolas, monospace; }
.tlp-RED { color: #ff2b2b; } .tlp-AMBER, .tlp-AMBER\\+STRICT { color: #ffc000; }
.tlp-GREEN { color: #33ff00; } .tlp-CLEAR { color: #fff; }
.facts { display: grid; grid-template-columns: 170px 1fr; gap: 4px 16px; margin: 12px 0 0; }
.facts dt { color: var(--muted); } .facts dd { margin: 0; overflow-wrap: anywhere; }
.metrics { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 12px; }
.metric { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; background: var(--soft); }
.metric .name { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.metric .value { font-size: 24px; font-weight: 700; margin: 2px 0; }
.metric .sub { color: var(--muted); font-size: 12px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-size: 13px; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--line); }
th { background: var(--soft); font-weight: 600; }
td { overflow-wrap: break-word; }
.path { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
table.findings td:first-child { min-width: 14em; }
table.steps { table-layout: fixed; }
table.steps th:nth-child(1) { width: 30%; } table.steps th:nth-child(2) { width: 13%; }
table.steps th:nth-child(3) { width: 10%; } table.steps th:nth-child(4) { width: 17%; }
code, .hash { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
.hash { overflow-wrap: anywhere; }
.broken { color: #b00020; }
.s-done { color: #2e7d32; font-weight: 600; } .s-skipped { color: #a36a00; font-weight: 600; }
.s-pending { color: #1e63c4; font-weight: 600; } .s-na { color: var(--muted); }
.outcome { font-weight: 400; color: var(--muted); font-size: 13px; }
.crit { font-size: 11px; color: #8e1c1c; border: 1px solid #f4baba; border-radius: 4px; padding: 0 4px; }
.note { border-left: 3px solid var(--accent); background: var(--soft); padding: 6px 10px; margin: 8px 0;
  white-space: pre-wrap; }
.note .meta, .muted { color: var(--muted); font-size: 12px; }
ul.found { margin: 4px 0 0; padding-left: 16px; font-size: 12px; overflow-wrap: anywhere; }
details.output { margin: 4px 0 0; }
details.output summary { cursor: pointer; color: var(--accent); font-size: 12px; }
details.output p { margin: 4px 0; }
pre.output { margin: 4px 0 0; padding: 6px 8px; background: var(--soft); border-left: 3px solid
  var(--line); font: 12px/1.4 ui-monospace, Menlo, Consolas, monospace; white-space: pre-wrap;
  overflow-wrap: anywhere; max-width: 100%; }
.drill-banner { background: #ffeb3b; color: #000; font-weight: 700; padding: 8px 12px;
  margin: 0 0 12px; border: 2px solid #000; }
svg.timeline { display: block; margin: 8px 0 4px; font-size: 12px; }
svg .grid { stroke: #e6e9ef; } svg .tick { fill: var(--muted); } svg .phase { fill: var(--ink); }
svg .mark { stroke-dasharray: 3 3; } svg .mlabel { font-weight: 600; }
.vtimeline { display: none; list-style: none; margin: 8px 0; padding: 0 0 0 14px;
  border-left: 3px solid var(--line); }
.vtimeline li { margin: 0 0 10px; } .vtimeline li.milestone strong { color: var(--accent); }
.legend span { display: inline-block; margin-right: 14px; font-size: 12px; color: var(--muted); }
.legend i { display: inline-block; width: 12px; height: 12px; border-radius: 3px; margin-right: 4px;
  vertical-align: -2px; }
footer { margin-top: 36px; padding-top: 10px; border-top: 1px solid var(--line); color: var(--muted);
  font-size: 12px; }
@media (max-width: 640px) {
  main { padding: 16px 14px 32px; }
  h1 { font-size: 21px; }
  .facts { grid-template-columns: 1fr; } .facts dt { margin-top: 6px; }
  svg.timeline, .legend { display: none; } .vtimeline { display: block; }
  table, thead, tbody, tr, td { display: block; width: auto !important; }
  table.steps { table-layout: auto; }
  thead { position: absolute; left: -9999px; }
  tr { border: 1px solid var(--line); border-radius: 6px; margin: 0 0 8px; padding: 4px 8px; }
  td { border: 0; padding: 2px 0; }
  td::before { content: attr(data-label); display: block; color: var(--muted); font-size: 11px;
    text-transform: uppercase; letter-spacing: .04em; }
}
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { font-size: 11px; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  tr, .metric, .note, svg { break-inside: avoid; }
  /* Closed output blocks open on paper: a PDF has no click. */
  details.output::details-content { content-visibility: visible; display: contents; }
  details.output summary { list-style: none; color: var(--muted); }
  thead { display: table-header-group; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  svg.timeline, .legend { display: block; } .vtimeline { display: none; }
  a { color: inherit; text-decoration: none; }
  footer { break-before: avoid; }
}
"""
