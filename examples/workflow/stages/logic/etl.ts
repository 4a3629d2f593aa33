/**
 * ETL: raw events (any shape a producer sent) → typed records. Never drops a record: what it
 * cannot read becomes a `problem`, so Filter decides and the count stays auditable.
 */
import type { StageContext } from '../../../../src/workflow/stage.js';
import { EVENT_WEIGHTS, type CleanRecord, type EventType } from './records.js';

type Raw = Record<string, unknown>;

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== ''
    ? value.trim()
    : typeof value === 'number' && Number.isFinite(value)
      ? String(value)
      : undefined;

/** '12.5', '$1,200.00', 12.5 → cents; undefined when it is not an amount. */
export function parseAmountCents(value: unknown): number | undefined {
  if (typeof value === 'number')
    return Number.isFinite(value) ? Math.round(value * 100) : undefined;
  if (typeof value !== 'string') return undefined;
  const cleaned = value
    .trim()
    .replace(/^[$€£]/, '')
    .replace(/,/g, '');
  if (!/^-?\d+(\.\d+)?$/.test(cleaned)) return undefined;
  return Math.round(Number(cleaned) * 100);
}

/** ISO string or epoch milliseconds → ISO string; undefined when not a date. */
export function parseTimestamp(value: unknown): string | undefined {
  const date =
    typeof value === 'number'
      ? new Date(value)
      : typeof value === 'string'
        ? new Date(value.trim())
        : undefined;
  return date !== undefined && Number.isFinite(date.getTime()) ? date.toISOString() : undefined;
}

function eventType(value: unknown): EventType {
  const name = text(value)?.toLowerCase();
  return name !== undefined && name in EVENT_WEIGHTS ? (name as EventType) : 'other';
}

/** One raw record (position `index` in the batch) → a clean record with its problems. */
export function normalizeRecord(raw: unknown, index: number): CleanRecord {
  const record: Raw =
    typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Raw) : {};
  const problems: string[] = [];
  if (record !== raw) problems.push('not an object');
  const customerId = text(record.customerId ?? record.customer_id);
  if (customerId === undefined) problems.push('missing customerId');
  const amountCents = parseAmountCents(record.amount ?? 0);
  if (amountCents === undefined)
    problems.push(`amount ${JSON.stringify(record.amount)} is not a number`);
  else if (amountCents < 0) problems.push('negative amount');
  const occurredAt = parseTimestamp(record.timestamp ?? record.occurredAt);
  if (occurredAt === undefined) problems.push('missing or invalid timestamp');
  return {
    id: text(record.id) ?? `record-${index}`,
    customerId: customerId ?? '',
    type: eventType(record.type ?? record.event),
    amountCents: amountCents ?? 0,
    currency: (text(record.currency) ?? 'USD').toUpperCase(),
    occurredAt: occurredAt ?? '',
    problems,
  };
}

/** The ETL stage: `initialData` is `{ records: [...] }` or the array itself. */
export function etl(input: unknown, ctx?: Pick<StageContext, 'logger'>): CleanRecord[] {
  const raw = Array.isArray(input)
    ? input
    : typeof input === 'object' && input !== null && Array.isArray((input as Raw).records)
      ? ((input as Raw).records as unknown[])
      : undefined;
  if (raw === undefined) {
    throw new TypeError('etl: initialData must be an array of records or { "records": [...] }');
  }
  const records = raw.map(normalizeRecord);
  ctx?.logger.info('ETL normalised records', {
    records: records.length,
    withProblems: records.filter((r) => r.problems.length > 0).length,
  });
  return records;
}
