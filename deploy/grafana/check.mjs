#!/usr/bin/env node
// Checks Assay's Grafana dashboards: node check.mjs [--inputs] [DASHBOARD.json ...]
// (default: every *.json in this directory but npm's own files). It exits 1
// when any dashboard has an error, 2 when it cannot run at all. --inputs
// adds an "input: PATH" line for every file the verdict depends on, so
// that go test can read them and cache its result only while they stay
// the same.
//
// Grafana's dashboard schema is CUE, and its Go module is not reachable
// here; @grafana/schema carries the TypeScript types Grafana generates from
// that CUE. So each dashboard is type-checked as an object literal assigned
// to those types: contextual typing checks string unions and enum values,
// and excess-property checks catch a misspelt field. The types leave panel
// options, field config and queries open (Record<string, unknown>), so those
// are checked separately against the per-panel types the package also has
// and against Grafana's Prometheus query model. Then come the checks no type
// can express: unique ids, the ${datasource} variable everywhere, the
// 24-column grid, and metric names that the Go code really exports.
//
// The TypeScript sources are built in memory and served to the compiler by
// its host, so nothing is written beside the dashboards, even on a crash.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');

// Where the metrics and alerts the dashboards refer to are defined.
const metricSources = [
  'internal/matcher/metrics.go',
  'internal/fetch/metrics.go',
  'internal/ingest/metrics.go',
  'internal/reporter/metrics.go',
];
const alertRules = 'deploy/prometheus/alerts.yml';

const gridColumns = 24;
const datasourceUID = '${datasource}';
// Panels that run no query and so have no data source.
const queryless = new Set(['row', 'text', 'alertlist', 'dashlist', 'news', 'annolist']);

// Option types per panel type, from @grafana/schema's composable panel
// configs. A panel type missing here is an error rather than a silent pass.
const composable = '@grafana/schema/dist/esm/raw/composable';
const panelTypes = {
  timeseries: { module: `${composable}/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen`, custom: true },
  stat: { module: `${composable}/stat/panelcfg/x/StatPanelCfg_types.gen` },
  bargauge: { module: `${composable}/bargauge/panelcfg/x/BarGaugePanelCfg_types.gen` },
  gauge: { module: `${composable}/gauge/panelcfg/x/GaugePanelCfg_types.gen` },
  table: { module: `${composable}/table/panelcfg/x/TablePanelCfg_types.gen`, custom: true },
  text: { module: `${composable}/text/panelcfg/x/TextPanelCfg_types.gen` },
  barchart: { module: `${composable}/barchart/panelcfg/x/BarChartPanelCfg_types.gen`, custom: true },
  piechart: { module: `${composable}/piechart/panelcfg/x/PieChartPanelCfg_types.gen`, custom: true },
  heatmap: { module: `${composable}/heatmap/panelcfg/x/HeatmapPanelCfg_types.gen`, custom: true },
  histogram: { module: `${composable}/histogram/panelcfg/x/HistogramPanelCfg_types.gen`, custom: true },
  statetimeline: { module: `${composable}/statetimeline/panelcfg/x/StateTimelinePanelCfg_types.gen`, custom: true },
  // The alert list's options are typed in Grafana's app, not in
  // @grafana/schema: see AlertListOptions below.
  alertlist: { local: 'AlertListOptions' },
  row: {},
};

// Types @grafana/schema lacks, written after Grafana's own sources:
// PrometheusQuery after packages/grafana-prometheus/src/dataquery.gen.ts
// (plus interval, the query's minimum step), the annotation fields after
// its annotations.ts (processEvents reads them from the annotation itself),
// and AlertListOptions after public/app/plugins/panel/alertlist/types.ts.
const prelude = `
import type { AnnotationQuery, AnnotationTarget, Dashboard, DataQuery } from '@grafana/schema';

// JSON cannot name an enum member, only its value: map each string enum to
// the union of its values (a template literal type of an enum gives them).
// Numeric enums already accept their values as number literals.
type Json<T> = T extends string
  ? string extends T ? string : \`\${T}\`
  : T extends number | boolean | null | undefined
    ? T
    : T extends ReadonlyArray<infer U>
      ? Array<Json<U>>
      : T extends object
        ? { [K in keyof T]: Json<T[K]> }
        : T;
// Grafana merges a panel's options and field config with the plugin's
// defaults, so what is left out is fine; what is there must be right.
type Partial_<T> = T extends string
  ? string extends T ? string : \`\${T}\`
  : T extends number | boolean | null | undefined
    ? T
    : T extends ReadonlyArray<infer U>
      ? Array<Partial_<U>>
      : T extends object
        ? { [K in keyof T]?: Partial_<T[K]> }
        : T;

interface PrometheusQuery extends DataQuery {
  editorMode?: 'builder' | 'code';
  exemplar?: boolean;
  expr: string;
  format?: 'time_series' | 'table' | 'heatmap';
  instant?: boolean;
  interval?: string;
  intervalFactor?: number;
  legendFormat?: string;
  range?: boolean;
}

interface CheckedAnnotation extends Omit<AnnotationQuery, 'target'> {
  target?: PrometheusQuery | AnnotationTarget;
  tagKeys?: string;
  textFormat?: string;
  titleFormat?: string;
  useValueForTime?: boolean;
}

type CheckedDashboard = Omit<Dashboard, 'annotations'> & {
  annotations?: { list?: CheckedAnnotation[] };
};

interface AlertListOptions {
  alertInstanceLabelFilter: string;
  alertName: string;
  dashboardAlerts: boolean;
  datasource: string | null;
  folder: { uid: string; title: string } | null;
  groupBy: string[];
  groupMode: 'default' | 'custom';
  maxItems: number;
  showInactiveAlerts: boolean;
  showInstances: boolean;
  sortOrder: 1 | 2 | 3 | 4 | 5;
  stateFilter: {
    error: boolean;
    firing: boolean;
    noData: boolean;
    normal: boolean;
    pending: boolean;
    recovering: boolean;
  };
  viewMode: 'list' | 'stat';
}
`;

function fail(msg) {
  console.error(`check.mjs: ${msg}`);
  process.exit(2);
}

let ts;
try {
  ts = (await import('typescript')).default;
} catch {
  fail(`typescript is not installed: run "npm ci" in ${path.relative(process.cwd(), here) || '.'}`);
}
if (!fs.existsSync(path.join(here, 'node_modules/@grafana/schema/package.json'))) {
  fail(`@grafana/schema is not installed: run "npm ci" in ${path.relative(process.cwd(), here) || '.'}`);
}

// Metric names: every string literal that looks like one in the Go
// sources, whether a Name: field or a prometheus.NewDesc argument.
const inputs = new Set([fileURLToPath(import.meta.url), path.join(here, 'package-lock.json')]);

function readRepo(f) {
  inputs.add(path.join(repo, f));
  try {
    return fs.readFileSync(path.join(repo, f), 'utf8');
  } catch (e) {
    fail(`cannot read ${f}, which the dashboards are checked against: ${e.message}`);
  }
}

const metrics = new Set();
for (const f of metricSources) {
  for (const m of readRepo(f).matchAll(/"(assay_[a-z0-9_]+)"/g)) metrics.add(m[1]);
}
if (metrics.size === 0) fail(`no assay_ metric names found in ${metricSources.join(', ')}`);

const alertNames = new Set([...readRepo(alertRules).matchAll(/^\s*-\s*alert:\s*(\S+)/gm)].map((m) => m[1]));

// A metric name in PromQL: not part of a longer name, nor of a recording
// rule's level:metric:operation name.
const metricRef = /(?<![A-Za-z0-9_:])assay_[A-Za-z0-9_]+(?![A-Za-z0-9_:])/g;
const builtinVars = /^__/;

function knownMetric(name) {
  if (metrics.has(name)) return true;
  const base = name.replace(/_(bucket|count|sum)$/, '');
  return base !== name && metrics.has(base);
}

function closest(name) {
  let best = null;
  let bestD = Infinity;
  for (const m of metrics) {
    const d = distance(name, m);
    if (d < bestD) [best, bestD] = [m, d];
  }
  return bestD <= Math.max(3, name.length / 4) ? best : null;
}

function distance(a, b) {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

function panelName(p) {
  return `panel ${p.id ?? '?'}${p.title ? ` "${p.title}"` : ''}`;
}

function sameDatasource(ds) {
  return ds && typeof ds === 'object' && ds.uid === datasourceUID && ds.type === 'prometheus';
}

// checkStructure returns the errors no type expresses.
function checkStructure(d) {
  const errs = [];
  if (typeof d.uid !== 'string' || d.uid === '') errs.push('dashboard has no uid');
  if (typeof d.title !== 'string' || d.title === '') errs.push('dashboard has no title');

  const vars = new Map((d.templating?.list ?? []).map((v) => [v.name, v]));
  const dsVar = vars.get('datasource');
  if (!dsVar || dsVar.type !== 'datasource' || dsVar.query !== 'prometheus') {
    errs.push('templating needs a variable "datasource" of type "datasource" with query "prometheus"');
  }

  const checkExpr = (where, expr) => {
    if (typeof expr !== 'string' || expr.trim() === '') {
      errs.push(`${where}: empty query`);
      return;
    }
    for (const [name] of expr.matchAll(metricRef)) {
      if (!knownMetric(name)) {
        const hint = closest(name);
        errs.push(
          `${where}: unknown metric ${name}: no such metric in ${metricSources.join(', ')}` +
            (hint ? ` (did you mean ${hint}?)` : ''),
        );
      }
    }
    for (const m of expr.matchAll(/\$\{?(\w+)|\[\[(\w+)/g)) {
      const v = m[1] ?? m[2];
      if (!builtinVars.test(v) && !vars.has(v)) errs.push(`${where}: uses $${v}, which is not a dashboard variable`);
    }
    for (const m of expr.matchAll(/\bALERTS\b[^}]*alertname\s*=~\s*"([^"]*)"/g)) {
      const used = new Set(m[1].split('|'));
      const missing = [...alertNames].filter((a) => !used.has(a));
      const unknown = [...used].filter((a) => !alertNames.has(a));
      if (missing.length) errs.push(`${where}: ALERTS filter leaves out ${missing.join(', ')} (defined in ${alertRules})`);
      if (unknown.length) errs.push(`${where}: ALERTS filter names ${unknown.join(', ')}, not alerts in ${alertRules}`);
    }
  };

  for (const v of vars.values()) {
    if (v.type === 'query') {
      if (!sameDatasource(v.datasource)) errs.push(`variable ${v.name}: datasource must be {"type": "prometheus", "uid": "${datasourceUID}"}`);
      checkExpr(`variable ${v.name}`, typeof v.query === 'string' ? v.query : v.query?.query);
    }
  }
  for (const a of d.annotations?.list ?? []) {
    if (a.builtIn) continue;
    if (!sameDatasource(a.datasource)) errs.push(`annotation "${a.name}": datasource must be {"type": "prometheus", "uid": "${datasourceUID}"}`);
    checkExpr(`annotation "${a.name}"`, a.target?.expr);
  }

  const top = d.panels ?? [];
  if (top.length === 0) errs.push('dashboard has no panels');
  const all = top.flatMap((p) => [p, ...(p.type === 'row' ? p.panels ?? [] : [])]);

  const ids = new Map();
  for (const p of all) {
    if (!Number.isInteger(p.id)) {
      errs.push(`${panelName(p)}: id must be an integer`);
    } else if (ids.has(p.id)) {
      errs.push(`${panelName(p)}: id ${p.id} is also the id of ${panelName(ids.get(p.id))}`);
    } else {
      ids.set(p.id, p);
    }
  }

  for (const p of all) {
    const where = panelName(p);
    if (queryless.has(p.type)) {
      if (p.datasource !== undefined && !sameDatasource(p.datasource)) {
        errs.push(`${where}: datasource must be {"type": "prometheus", "uid": "${datasourceUID}"} or absent`);
      }
      if (p.type !== 'row' && p.targets?.length) errs.push(`${where}: a ${p.type} panel runs no query; remove its targets`);
      continue;
    }
    if (!sameDatasource(p.datasource)) errs.push(`${where}: datasource must be {"type": "prometheus", "uid": "${datasourceUID}"}`);
    if (!Array.isArray(p.targets) || p.targets.length === 0) errs.push(`${where}: no targets`);
    const refIds = new Set();
    for (const t of p.targets ?? []) {
      const tw = `${where} target ${t.refId ?? '?'}`;
      if (refIds.has(t.refId)) errs.push(`${tw}: refId used twice`);
      refIds.add(t.refId);
      if (t.datasource !== undefined && !sameDatasource(t.datasource)) {
        errs.push(`${tw}: datasource must be {"type": "prometheus", "uid": "${datasourceUID}"} or absent`);
      }
      checkExpr(tw, t.expr);
    }
  }

  // Grid: top-level panels share one grid; the panels of a collapsed row
  // share another (they are laid out when it opens).
  const checkGrid = (group) => {
    const placed = [];
    for (const p of group) {
      const g = p.gridPos;
      const where = panelName(p);
      if (!g || ![g.x, g.y, g.w, g.h].every(Number.isInteger)) {
        errs.push(`${where}: gridPos needs integer x, y, w and h`);
        continue;
      }
      if (g.x < 0 || g.y < 0 || g.w < 1 || g.h < 1) errs.push(`${where}: gridPos ${JSON.stringify(g)} has a negative position or an empty size`);
      if (g.x + g.w > gridColumns) errs.push(`${where}: gridPos x ${g.x} + w ${g.w} runs past the ${gridColumns}-column grid`);
      for (const q of placed) {
        const h = q.gridPos;
        if (g.x < h.x + h.w && h.x < g.x + g.w && g.y < h.y + h.h && h.y < g.y + g.h) {
          errs.push(`${where}: gridPos ${JSON.stringify(g)} overlaps ${panelName(q)} at ${JSON.stringify(h)}`);
        }
      }
      placed.push(p);
    }
  };
  checkGrid(top);
  for (const p of top) if (p.type === 'row' && p.collapsed) checkGrid(p.panels ?? []);

  for (const p of all) {
    if (!(p.type in panelTypes)) {
      errs.push(`${panelName(p)}: panel type "${p.type}" has no options type in check.mjs's panelTypes; add it`);
    }
  }
  return errs;
}

// buildSource returns the TypeScript for one dashboard and where each part
// of it came from, so that compiler errors can be told in the dashboard's
// own terms.
function buildSource(text, d) {
  const imports = [];
  const parts = [];
  let src = prelude;
  const lineOf = (s) => s.split('\n').length;
  const add = (what, code) => {
    const start = lineOf(src);
    src += code + '\n';
    parts.push({ what, start, end: lineOf(src) - 1 });
  };

  // The JSON goes in as it is, so its line numbers survive.
  const dashStart = lineOf(src) + 1;
  src += 'const dashboard: Json<CheckedDashboard> =\n' + text.trimEnd() + ';\n';
  parts.push({ what: 'dashboard', start: dashStart, end: lineOf(src) - 1, json: true });

  const all = (d.panels ?? []).flatMap((p) => [p, ...(p.type === 'row' ? p.panels ?? [] : [])]);
  const alias = new Map();
  all.forEach((p, i) => {
    const t = panelTypes[p.type];
    if (!t) return;
    const name = panelName(p);
    const v = `panel${i}`;
    let ns = null;
    if (t.module) {
      if (!alias.has(t.module)) {
        alias.set(t.module, `P${alias.size}`);
        imports.push(`import type * as ${alias.get(t.module)} from '${t.module}';`);
      }
      ns = alias.get(t.module);
    }
    if (p.options !== undefined && (ns || t.local)) {
      add(`${name} options`, `const ${v}_options: Partial_<${ns ? `${ns}.Options` : t.local}> = ${JSON.stringify(p.options)};`);
    }
    const custom = p.fieldConfig?.defaults?.custom;
    if (custom !== undefined) {
      if (t.custom) {
        add(`${name} fieldConfig.defaults.custom`, `const ${v}_custom: Partial_<${ns}.FieldConfig> = ${JSON.stringify(custom)};`);
      } else if (Object.keys(custom).length > 0) {
        add(`${name} fieldConfig.defaults.custom`, `const ${v}_custom: Record<string, never> = ${JSON.stringify(custom)};`);
      }
    }
    (p.targets ?? []).forEach((tg, j) => {
      add(`${name} target ${tg.refId ?? j}`, `const ${v}_target${j}: Json<PrometheusQuery> = ${JSON.stringify(tg)};`);
    });
  });
  // Imports go first, on one line each: shift every part down by as many.
  const shift = imports.length;
  for (const p of parts) {
    p.start += shift;
    p.end += shift;
  }
  return { source: imports.join('\n') + (shift ? '\n' : '') + src, parts, jsonLineOffset: dashStart + shift - 1 };
}

// panelAt names the panel whose JSON holds position pos, if any, so that
// an error is told by panel as well as by line.
function panelAt(sf, pos) {
  let node = sf;
  for (;;) {
    const child = node.getChildren(sf).find((c) => c.getStart(sf) <= pos && pos < c.getEnd());
    if (!child) break;
    node = child;
  }
  let found = null;
  for (let n = node; n; n = n.parent) {
    const arr = n.parent;
    const prop = arr?.parent;
    if (
      ts.isObjectLiteralExpression(n) &&
      arr && ts.isArrayLiteralExpression(arr) &&
      prop && ts.isPropertyAssignment(prop) &&
      ts.isStringLiteral(prop.name) && prop.name.text === 'panels'
    ) {
      found = n; // the innermost: a panel in a row rather than the row
      break;
    }
  }
  if (!found) return null;
  const field = (name) => {
    const p = found.properties.find((q) => ts.isPropertyAssignment(q) && ts.isStringLiteral(q.name) && q.name.text === name);
    return p ? JSON.parse(p.initializer.getText(sf)) : undefined;
  };
  try {
    return panelName({ id: field('id'), title: field('title') });
  } catch {
    return 'a panel';
  }
}

const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
for (const f of flags) if (f !== '--inputs') fail(`unknown flag ${f}; usage: node check.mjs [--inputs] [DASHBOARD.json ...]`);
const files = (args.length
  ? args.map((a) => path.resolve(a))
  : fs
      .readdirSync(here)
      .filter((f) => f.endsWith('.json') && f !== 'package.json' && f !== 'package-lock.json' && f !== 'tsconfig.json')
      .map((f) => path.join(here, f))
).sort();
if (files.length === 0) fail(`no dashboards (*.json) in ${here}`);

function shown(file) {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}

// The compiler spells out a mapped type in full; a misspelt field's error
// would run to pages. The field and the line are what matter.
function shorten(msg) {
  return msg.replace(/'\{ [^']{60,}'/g, "'{ … }'");
}

let failed = false;
const report = (file, msg) => {
  failed = true;
  console.error(`${shown(file)}: ${msg}`);
};

const virtual = new Map(); // path of the in-memory .ts → { file, parts, jsonLineOffset }
for (const file of files) {
  inputs.add(file);
  let text;
  let d;
  try {
    text = fs.readFileSync(file, 'utf8');
    d = JSON.parse(text);
  } catch (e) {
    report(file, e.message);
    continue;
  }
  if (d === null || typeof d !== 'object' || Array.isArray(d)) {
    report(file, 'not a dashboard: the JSON is not an object');
    continue;
  }
  for (const e of checkStructure(d)) report(file, e);
  const built = buildSource(text, d);
  // Inside this directory, so that node_modules resolves.
  const tsPath = path.join(here, `.check-${path.basename(file, '.json')}-${virtual.size}.ts`);
  virtual.set(tsPath, { file, ...built });
}

if (virtual.size > 0) {
  const options = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: [],
    noUnusedLocals: false,
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, lang, ...rest) =>
    virtual.has(name) ? ts.createSourceFile(name, virtual.get(name).source, lang, true) : getSourceFile.call(host, name, lang, ...rest);
  host.fileExists = (name) => virtual.has(name) || fileExists.call(host, name);
  host.readFile = (name) => (virtual.has(name) ? virtual.get(name).source : readFile.call(host, name));

  const program = ts.createProgram([...virtual.keys()], options, host);
  for (const diag of ts.getPreEmitDiagnostics(program)) {
    const msg = shorten(ts.flattenDiagnosticMessageText(diag.messageText, '\n  '));
    const v = diag.file && virtual.get(diag.file.fileName);
    if (!v) {
      failed = true;
      console.error(`TypeScript: ${msg} (TS${diag.code})${diag.file ? ` in ${diag.file.fileName}` : ''}`);
      continue;
    }
    const { line, character } = diag.file.getLineAndCharacterOfPosition(diag.start ?? 0);
    const l = line + 1;
    const part = v.parts.find((p) => l >= p.start && l <= p.end);
    if (part?.json) {
      const jl = l - v.jsonLineOffset;
      const where = panelAt(diag.file, diag.start ?? 0);
      report(v.file, `${jl}:${character + 1}${where ? ` (${where})` : ''}: ${msg} (TS${diag.code})`);
    } else if (part) {
      report(v.file, `${part.what}: ${msg} (TS${diag.code})`);
    } else {
      report(v.file, `check.mjs's own TypeScript, line ${l}: ${msg} (TS${diag.code})`);
    }
  }
}

if (flags.includes('--inputs')) for (const f of inputs) console.log(`input: ${f}`);
if (failed) process.exit(1);
console.log(`ok: ${files.map(shown).join(', ')} (${metrics.size} metrics known, ${alertNames.size} alerts)`);
