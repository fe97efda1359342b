/** The table `pnpm bench` prints, and the summary it writes to JSON. */
import type { LoadResult } from './load.ts';
import type { ProfileSummary } from './profile-summary.ts';
import type { TargetName } from './targets.ts';
import type { Workload } from './workloads.ts';

export type Measurement = LoadResult & { round: number; workload: string; target: TargetName };
export type StartResult = { target: TargetName; readyMs: number[]; medianReadyMs: number; rssMiB?: number; peakRssMiB?: number };
export type SummaryRow = { workload: string; target: TargetName; rps: number; p50: number; p99: number; cpuUs?: number; dbCpuUs?: number; ratio?: number; failed: number };

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const defined = (values: Array<number | undefined>) => values.filter((v): v is number => v !== undefined && Number.isFinite(v));
const medianOrUndefined = (values: Array<number | undefined>) => (defined(values).length ? median(defined(values)) : undefined);

export function summarize(workloads: Workload[], targets: TargetName[], measurements: Measurement[]): SummaryRow[] {
  const rows: SummaryRow[] = [];
  for (const workload of workloads) {
    for (const target of targets) {
      const mine = measurements.filter((m) => m.workload === workload.name && m.target === target);
      if (!mine.length) continue;
      // Ratio to bare: per round (both ran moments apart), then the median.
      const ratios = target === 'bare' ? [] : mine.map((m) => {
        const bare = measurements.find((b) => b.workload === workload.name && b.target === 'bare' && b.round === m.round);
        return bare && bare.rps > 0 ? m.rps / bare.rps : undefined;
      });
      rows.push({
        workload: workload.name,
        target,
        rps: median(mine.map((m) => m.rps)),
        p50: median(mine.map((m) => m.p50)),
        p99: median(mine.map((m) => m.p99)),
        ...(medianOrUndefined(mine.map((m) => m.cpuUs)) !== undefined ? { cpuUs: medianOrUndefined(mine.map((m) => m.cpuUs)) } : {}),
        ...(medianOrUndefined(mine.map((m) => m.dbCpuUs)) !== undefined ? { dbCpuUs: medianOrUndefined(mine.map((m) => m.dbCpuUs)) } : {}),
        ...(medianOrUndefined(ratios) !== undefined ? { ratio: medianOrUndefined(ratios) } : {}),
        failed: mine.reduce((sum, m) => sum + m.rejected + m.errors, 0),
      });
    }
  }
  return rows;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [line(header), `|${widths.map((w, i) => (i < 2 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.map(line)].join('\n');
}

const fixed = (value: number | undefined, digits = 0) => (value === undefined ? '–' : value.toFixed(digits));

export function formatReport(input: {
  workloads: Workload[];
  targets: TargetName[];
  measurements: Measurement[];
  starts: StartResult[];
  profile?: ProfileSummary & { file: string; workload: string; requests: number };
}): { text: string; summary: SummaryRow[] } {
  const summary = summarize(input.workloads, input.targets, input.measurements);
  const label = (name: string) => input.workloads.find((w) => w.name === name)?.label ?? name;
  const parts = [
    table(
      ['workload', 'server', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'DB µs/req', '× bare', 'non-2xx'],
      summary.map((r) => [label(r.workload), r.target, fixed(r.rps), fixed(r.p50, 1), fixed(r.p99, 1), fixed(r.cpuUs), fixed(r.dbCpuUs), fixed(r.ratio, 2), String(r.failed)]),
    ),
    '',
    table(
      ['start', 'server', 'ready ms (median)', 'each', 'RSS at ready MiB', 'peak RSS MiB'],
      input.starts.map((s) => ['cold start', s.target, fixed(s.medianReadyMs), s.readyMs.map((ms) => ms.toFixed(0)).join(' '), fixed(s.rssMiB), fixed(s.peakRssMiB)]),
    ),
  ];
  if (input.profile) {
    const p = input.profile;
    parts.push(
      '',
      `CPU profile of ${p.workload} (${p.file}): ${p.busyMs.toFixed(0)} ms busy over ${p.requests} requests, ${((p.busyMs * 1000) / p.requests).toFixed(0)} µs/request`,
      table(['self time by place', '', 'share', 'µs/req'], p.places.map((r) => [r.name, '', `${(r.share * 100).toFixed(1)} %`, r.usPerRequest.toFixed(1)])),
      '',
      table(['self time by function', '', 'share', 'µs/req'], p.functions.map((r) => [r.name, '', `${(r.share * 100).toFixed(1)} %`, r.usPerRequest.toFixed(1)])),
    );
  }
  return { text: parts.join('\n'), summary };
}
