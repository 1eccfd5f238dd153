/**
 * Reads summary.csv files back into comparison records (`kubesim compare`). Metric columns are recognised by
 * name, so files from older versions with fewer columns still compare on the columns they have.
 */
import { METRIC_NAMES } from '../metrics/metric-info.js';
import type { MetricName, SummaryRecord } from './comparison.js';
import { parseCsv } from './csv-read.js';

export class SummaryReadError extends Error {}

export function readSummaryCsv(text: string, where: string): { records: SummaryRecord[]; metrics: MetricName[] } {
  let rows: string[][];
  try {
    rows = parseCsv(text);
  } catch (e) {
    throw new SummaryReadError(`${where}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (rows.length === 0) throw new SummaryReadError(`${where}: empty file`);
  const header = rows[0];
  const col = (name: string): number => header.indexOf(name);
  for (const k of ['scenario', 'policy', 'seed'])
    if (col(k) < 0) throw new SummaryReadError(`${where}: no "${k}" column; expected a kubesim summary.csv`);
  const metrics = METRIC_NAMES.filter((m) => col(m) >= 0);
  const records = rows.slice(1).map((row, i) => {
    const line = i + 2;
    if (row.length !== header.length) throw new SummaryReadError(`${where}:${line}: ${row.length} fields, expected ${header.length}`);
    const seed = Number(row[col('seed')]);
    if (!Number.isInteger(seed)) throw new SummaryReadError(`${where}:${line}: seed "${row[col('seed')]}" is not an integer`);
    const values = new Map<MetricName, number>();
    for (const m of metrics) {
      const text = row[col(m)];
      const v = text === '' ? NaN : Number(text);
      if (text !== '' && Number.isNaN(v)) throw new SummaryReadError(`${where}:${line}: ${m} "${text}" is not a number`);
      values.set(m, v);
    }
    return { scenario: row[col('scenario')], policy: row[col('policy')], seed, values };
  });
  return { records, metrics };
}
