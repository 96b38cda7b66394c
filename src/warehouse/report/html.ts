/**
 * Renders the warehouse report as one self-contained HTML file: Chart.js (the UMD build from
 * node_modules) and the data are inlined, so the file opens offline and can be mailed or archived.
 *
 * The page sets `window.__reportReady` once every chart is drawn and `window.__reportStats` to the number
 * of data points each chart got, so a headless browser can check that the charts have data.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { SES_BOUNCE_REVIEW_THRESHOLD, SES_COMPLAINT_REVIEW_THRESHOLD } from '../sql/views.ts';
import type { CountRow, RateRow, ReportData } from './data.ts';

/** Always shown, so a status that never occurred is visibly zero rather than missing. */
export const ENRICHMENT_STATUSES = ['FOUND', 'NOT_FOUND', 'ERROR', 'SKIPPED'] as const;

let chartJsSource: string | undefined;

function chartJs(): string {
  if (chartJsSource === undefined) {
    const require = createRequire(import.meta.url);
    // The package's exports hide dist/, so find it next to the CommonJS entry point.
    const distDir = dirname(require.resolve('chart.js'));
    chartJsSource = readFileSync(join(distDir, 'chart.umd.min.js'), 'utf8');
  }
  return chartJsSource;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Text inside <script> may not contain `</script` (or `<!--`); escaping `<` keeps JSON and JS intact. */
function scriptSafe(text: string): string {
  return text.replace(/<(?=\/script|!--)/gi, '\\u003c');
}

function percent(rate: number | null): string {
  return rate === null ? '–' : `${(rate * 100).toFixed(rate > 0 && rate < 0.01 ? 3 : 2)}%`;
}

function rateTable(title: string, groupHeader: string, rows: RateRow[]): string {
  const body =
    rows.length === 0
      ? `<tr><td colspan="6" class="empty">no recipients yet</td></tr>`
      : rows
          .map(
            (row) =>
              `<tr><td>${escapeHtml(row.group)}</td><td>${row.attempted}</td><td>${percent(row.deliveryRate)}</td>` +
              `<td class="${(row.bounceRate ?? 0) >= SES_BOUNCE_REVIEW_THRESHOLD ? 'over' : ''}">${percent(row.bounceRate)}</td>` +
              `<td class="${(row.complaintRate ?? 0) >= SES_COMPLAINT_REVIEW_THRESHOLD ? 'over' : ''}">${percent(row.complaintRate)}</td>` +
              `<td>${row.bounced} / ${row.complained}</td></tr>`,
          )
          .join('\n');
  return `<section class="card wide"><h2>${escapeHtml(title)}</h2><table>
<thead><tr><th>${escapeHtml(groupHeader)}</th><th>recipients</th><th>delivered</th><th>hard-bounce rate</th><th>complaint rate</th><th>bounces / complaints</th></tr></thead>
<tbody>${body}</tbody></table></section>`;
}

function withAllStatuses(coverage: CountRow[]): CountRow[] {
  const counts = new Map(coverage.map((row) => [row.name, row.count]));
  const known = ENRICHMENT_STATUSES.map((name) => ({ name, count: counts.get(name) ?? 0 }));
  const others = coverage.filter((row) => !(ENRICHMENT_STATUSES as readonly string[]).includes(row.name));
  return [...known, ...others];
}

/** What the page script needs, and nothing else (the HTML tables carry the rest). */
function chartData(data: ReportData) {
  return {
    dailyMix: data.dailyMix,
    dailyRates: data.dailyRates.map((row) => ({
      day: row.group,
      bounceRate: row.bounceRate,
      complaintRate: row.complaintRate,
    })),
    thresholds: { bounce: SES_BOUNCE_REVIEW_THRESHOLD, complaint: SES_COMPLAINT_REVIEW_THRESHOLD },
    topBouncingDomains: data.topBouncingDomains,
    enrichmentCoverage: withAllStatuses(data.enrichmentCoverage),
  };
}

// Runs in the browser. Plain ES2017, no imports: Chart is the global the UMD build defines.
const PAGE_SCRIPT = `
(function () {
  try {
    var data = JSON.parse(document.getElementById('report-data').textContent);
    var palette = ['#2563eb', '#16a34a', '#dc2626', '#f59e0b', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#ea580c', '#475569', '#0d9488', '#a16207'];
    Chart.defaults.animation = false;
    Chart.defaults.responsive = true;
    Chart.defaults.maintainAspectRatio = false;
    Chart.defaults.font.family = 'system-ui, sans-serif';
    var stats = {};
    function unique(values) { return values.filter(function (v, i) { return values.indexOf(v) === i; }); }

    var days = unique(data.dailyMix.map(function (r) { return r.day; })).sort();
    var types = unique(data.dailyMix.map(function (r) { return r.eventType; })).sort();
    // Outcome colours people expect (bounces red, deliveries green); other and future types take the palette.
    var typeColors = { Send: '#94a3b8', Delivery: '#16a34a', Bounce: '#dc2626', Complaint: '#f59e0b', Open: '#2563eb',
      Click: '#7c3aed', DeliveryDelay: '#0891b2', Reject: '#475569', 'Rendering Failure': '#db2777', Subscription: '#65a30d' };
    var mixSets = types.map(function (type, i) {
      return {
        label: type,
        backgroundColor: typeColors[type] || palette[i % palette.length],
        data: days.map(function (day) {
          var row = data.dailyMix.find(function (r) { return r.day === day && r.eventType === type; });
          return row ? row.events : 0;
        })
      };
    });
    new Chart(document.getElementById('chart-daily-mix'), {
      type: 'bar',
      data: { labels: days, datasets: mixSets },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, title: { display: true, text: 'events' } } } }
    });
    stats.dailyMix = data.dailyMix.reduce(function (n, r) { return n + r.events; }, 0);

    function rateChart(id, key, threshold, label, color) {
      var labels = data.dailyRates.map(function (r) { return r.day; });
      var values = data.dailyRates.map(function (r) { return r[key] === null ? null : r[key] * 100; });
      new Chart(document.getElementById(id), {
        type: 'line',
        data: {
          labels: labels,
          datasets: [
            { label: label, data: values, borderColor: color, backgroundColor: color, spanGaps: true, pointRadius: 4 },
            { label: 'SES review threshold (' + (threshold * 100) + '%)', data: labels.map(function () { return threshold * 100; }),
              borderColor: '#111827', borderDash: [6, 4], pointRadius: 0, borderWidth: 2 }
          ]
        },
        options: { scales: { y: { beginAtZero: true, suggestedMax: threshold * 100 * 1.5, title: { display: true, text: '% of recipients' } } } }
      });
      stats[key + 'DaysOverThreshold'] = values.filter(function (v) { return v !== null && v > threshold * 100; }).length;
      return values.filter(function (v) { return v !== null; }).length;
    }
    stats.bounceRate = rateChart('chart-bounce-rate', 'bounceRate', data.thresholds.bounce, 'hard-bounce rate %', '#dc2626');
    stats.complaintRate = rateChart('chart-complaint-rate', 'complaintRate', data.thresholds.complaint, 'complaint rate %', '#f59e0b');

    new Chart(document.getElementById('chart-bounce-domains'), {
      type: 'bar',
      data: {
        labels: data.topBouncingDomains.map(function (r) { return r.name; }),
        datasets: [{ label: 'bounced recipients', data: data.topBouncingDomains.map(function (r) { return r.count; }), backgroundColor: '#dc2626' }]
      },
      options: { indexAxis: 'y', scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
    stats.topBouncingDomains = data.topBouncingDomains.length;

    var statusColors = { FOUND: '#16a34a', NOT_FOUND: '#f59e0b', ERROR: '#dc2626', SKIPPED: '#94a3b8' };
    new Chart(document.getElementById('chart-enrichment'), {
      type: 'doughnut',
      data: {
        labels: data.enrichmentCoverage.map(function (r) { return r.name; }),
        datasets: [{ data: data.enrichmentCoverage.map(function (r) { return r.count; }),
          backgroundColor: data.enrichmentCoverage.map(function (r, i) { return statusColors[r.name] || palette[i % palette.length]; }) }]
      },
      options: { plugins: { legend: { position: 'right' } } }
    });
    stats.enrichmentCoverage = data.enrichmentCoverage.reduce(function (n, r) { return n + r.count; }, 0);

    window.__reportStats = stats;
    window.__reportReady = true;
  } catch (error) {
    window.__reportError = String(error && error.stack || error);
    document.body.insertAdjacentHTML('afterbegin', '<p class="error">Charts failed: ' + String(error).replace(/</g, '&lt;') + '</p>');
  }
})();
`;

const STYLE = `
* { box-sizing: border-box; }
body { margin: 0; padding: 24px; font-family: system-ui, sans-serif; background: #f8fafc; color: #0f172a; }
h1 { margin: 0 0 4px; font-size: 22px; }
.meta { color: #475569; margin: 0 0 16px; font-size: 13px; }
.tiles { display: flex; gap: 12px; flex-wrap: wrap; margin-bottom: 16px; }
.tile { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 10px 14px; min-width: 120px; }
.tile b { display: block; font-size: 20px; }
.grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; }
.card { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 14px; }
.card.wide { grid-column: 1 / -1; }
.card h2 { margin: 0 0 8px; font-size: 15px; }
.chart { position: relative; height: 280px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e2e8f0; }
td.over { color: #b91c1c; font-weight: 600; }
td.empty { color: #64748b; }
.error { color: #b91c1c; font-weight: 600; }
`;

export function renderReportHtml(data: ReportData): string {
  const tiles = [
    ['events', String(data.totalEvents)],
    ...data.eventsByType.map((row) => [row.name, String(row.count)]),
    ['undecodable records', String(data.decodeErrors)],
  ]
    .map(
      ([label, value]) =>
        `<div class="tile"><b>${escapeHtml(value ?? '')}</b>${escapeHtml(label ?? '')}</div>`,
    )
    .join('');
  const chart = (id: string, title: string, wide = false) =>
    `<section class="card${wide ? ' wide' : ''}"><h2>${escapeHtml(title)}</h2><div class="chart"><canvas id="${id}"></canvas></div></section>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>SES email events report</title>
<style>${STYLE}</style>
</head>
<body>
<h1>SES email events</h1>
<p class="meta">From ${escapeHtml(data.source)} · generated ${escapeHtml(data.generatedAt)} · rates are per recipient; SES reviews an account above a ${SES_BOUNCE_REVIEW_THRESHOLD * 100}% hard-bounce or ${SES_COMPLAINT_REVIEW_THRESHOLD * 100}% complaint rate</p>
<div class="tiles">${tiles}</div>
<div class="grid">
${chart('chart-daily-mix', 'Daily event mix', true)}
${chart('chart-bounce-rate', `Hard-bounce rate by day vs SES review threshold (${SES_BOUNCE_REVIEW_THRESHOLD * 100}%)`)}
${chart('chart-complaint-rate', `Complaint rate by day vs SES review threshold (${SES_COMPLAINT_REVIEW_THRESHOLD * 100}%)`)}
${chart('chart-bounce-domains', 'Top bouncing recipient domains')}
${chart('chart-enrichment', 'Enrichment coverage (metadata status)')}
${rateTable('Rates by sender', 'sender', data.senderRates)}
${rateTable('Rates by campaign', 'campaign', data.campaignRates)}
</div>
<script type="application/json" id="report-data">${scriptSafe(JSON.stringify(chartData(data)))}</script>
<script>${scriptSafe(chartJs())}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
