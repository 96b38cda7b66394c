import assert from 'node:assert/strict';
import type { ReportData } from '../../../src/warehouse/report/data.ts';
import { renderReportHtml } from '../../../src/warehouse/report/html.ts';

function data(overrides: Partial<ReportData> = {}): ReportData {
  return {
    source: '/tmp/w.duckdb',
    generatedAt: '2024-04-01T00:00:00.000Z',
    totalEvents: 3,
    decodeErrors: 1,
    eventsByType: [{ name: 'Bounce', count: 3 }],
    dailyMix: [{ day: '2024-03-11', eventType: 'Bounce', events: 3 }],
    dailyRates: [],
    senderRates: [
      {
        group: '<script>alert(1)</script>@example.com',
        attempted: 10,
        delivered: 9,
        bounced: 1,
        hardBounced: 1,
        complained: 0,
        deliveryRate: 0.9,
        bounceRate: 0.1,
        complaintRate: 0,
      },
    ],
    campaignRates: [],
    topBouncingDomains: [{ name: '</script><b>x', count: 2 }],
    enrichmentCoverage: [{ name: 'FOUND', count: 3 }],
    ...overrides,
  };
}

function embeddedData(html: string): Record<string, unknown> {
  const match = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(match?.[1], 'report data block missing');
  return JSON.parse(match[1]) as Record<string, unknown>;
}

describe('warehouse report HTML', () => {
  it('is self-contained: Chart.js inlined, no external script, stylesheet or font', () => {
    const html = renderReportHtml(data());
    assert.ok(html.length > 150_000, 'Chart.js UMD build is inlined');
    assert.match(html, /Chart\.js v4/);
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=|@import/);
  });

  it('escapes warehouse strings in tables and in the embedded data', () => {
    const html = renderReportHtml(data());
    assert.doesNotMatch(html, /<script>alert\(1\)<\/script>@/);
    assert.match(html, /&#60;script&#62;alert\(1\)&#60;\/script&#62;@example\.com/);
    const embedded = embeddedData(html) as { topBouncingDomains: { name: string }[] };
    assert.equal(embedded.topBouncingDomains[0]?.name, '</script><b>x', 'round-trips through the JSON block');
  });

  it('marks a sender over the 5% hard-bounce threshold and always lists the four enrichment statuses', () => {
    const html = renderReportHtml(data());
    assert.match(html, /<td class="over">10\.00%<\/td>/);
    const embedded = embeddedData(html) as {
      enrichmentCoverage: { name: string; count: number }[];
      thresholds: { bounce: number; complaint: number };
    };
    assert.deepEqual(embedded.enrichmentCoverage, [
      { name: 'FOUND', count: 3 },
      { name: 'NOT_FOUND', count: 0 },
      { name: 'ERROR', count: 0 },
      { name: 'SKIPPED', count: 0 },
    ]);
    assert.deepEqual(embedded.thresholds, { bounce: 0.05, complaint: 0.001 });
  });
});
