/**
 * The rate views, in the SQL that DuckDB and PostgreSQL both accept (FILTER, GREATEST, NULLIF, CTEs).
 * Rates are per recipient, as SES counts them: a bounce naming three recipients is three bounces.
 *
 * - day: the day the email was SENT (mail.timestamp), not the day of the outcome: a bounce or complaint
 *   that arrives a day later still counts against the volume it came from. Undated mail falls back to the
 *   event's own day.
 * - attempted: recipients we know a send was attempted for. Send events give it directly; when the
 *   configuration set does not publish Send (identity notifications only), delivered + bounced stands in,
 *   whichever is larger.
 * - bounce_rate: hard (Permanent) bounces / attempted, the bounce rate SES's account review uses.
 * - complaint_rate: complaints / attempted.
 */
import {
  EVENT_MIX_VIEW,
  EVENTS_TABLE,
  RATE_VIEWS,
  RECIPIENT_OUTCOMES_VIEW,
  RECIPIENTS_TABLE,
} from '../model.ts';

/** SES's review thresholds: above these an account is put under review. */
export const SES_BOUNCE_REVIEW_THRESHOLD = 0.05;
export const SES_COMPLAINT_REVIEW_THRESHOLD = 0.001;

const NO_CAMPAIGN = '(none)';

function rateView(name: string, groupExpression: string, groupColumn: string, doubleType: string): string {
  const rate = (count: string, alias: string) =>
    `CAST(${count} AS ${doubleType}) / NULLIF(GREATEST(sent, delivered + bounced), 0) AS ${alias}`;
  return `CREATE OR REPLACE VIEW ${name} AS
WITH counts AS (
  SELECT ${groupExpression} AS ${groupColumn},
    COUNT(*) FILTER (WHERE role = 'sent') AS sent,
    COUNT(*) FILTER (WHERE role = 'delivered') AS delivered,
    COUNT(*) FILTER (WHERE role = 'bounced') AS bounced,
    COUNT(*) FILTER (WHERE role = 'bounced' AND bounce_type = 'Permanent') AS hard_bounced,
    COUNT(*) FILTER (WHERE role = 'complained') AS complained,
    COUNT(*) FILTER (WHERE role = 'delayed') AS delayed
  FROM ${RECIPIENT_OUTCOMES_VIEW}
  GROUP BY ${groupExpression}
)
SELECT counts.*,
  GREATEST(sent, delivered + bounced) AS attempted,
  ${rate('delivered', 'delivery_rate')},
  ${rate('hard_bounced', 'bounce_rate')},
  ${rate('complained', 'complaint_rate')}
FROM counts`;
}

/** Statements creating every view, in dependency order. `doubleType` is the dialect's 8-byte float. */
export function viewStatements(doubleType: string): string[] {
  return [
    `CREATE OR REPLACE VIEW ${RECIPIENT_OUTCOMES_VIEW} AS
SELECT e.event_id, COALESCE(e.mail_day, e.event_day) AS day, e.source_address AS sender,
  COALESCE(e.campaign, '${NO_CAMPAIGN}') AS campaign, e.event_type, e.bounce_type,
  r.role, r.recipient, r.recipient_domain
FROM ${RECIPIENTS_TABLE} r JOIN ${EVENTS_TABLE} e ON e.event_id = r.event_id`,
    rateView(RATE_VIEWS.byDay, 'day', 'day', doubleType),
    rateView(RATE_VIEWS.bySender, 'sender', 'sender', doubleType),
    rateView(RATE_VIEWS.byCampaign, 'campaign', 'campaign', doubleType),
    `CREATE OR REPLACE VIEW ${EVENT_MIX_VIEW} AS
SELECT event_day AS day, event_type, COUNT(*) AS events
FROM ${EVENTS_TABLE}
GROUP BY event_day, event_type`,
  ];
}
