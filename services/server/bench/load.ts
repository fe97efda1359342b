/**
 * One measurement, run as its own process (pinned apart from the server):
 * autocannon against one URL, with the server's CPU time (and its Postgres
 * backends') read from /proc right before and after. Input: JSON in argv[2];
 * output: one JSON line (a LoadResult).
 */
import autocannon from 'autocannon';
import { cpuMicros, postgresCpuDelta, postgresCpuMicros } from './proc.ts';

export type LoadSpec = {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  connections: number;
  seconds: number;
  serverPid: number;
  /** Postgres database whose backends' CPU to count. */
  database?: string;
};

export type LoadResult = {
  ok: number;
  rejected: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  /** Server process CPU per completed request, µs. */
  cpuUs?: number;
  /** Postgres backends' CPU per completed request, µs. */
  dbCpuUs?: number;
  /** A status seen that was not 2xx, for the report. */
  firstStatus?: number;
};

const spec = JSON.parse(process.argv[2] ?? '') as LoadSpec;

const cpuBefore = cpuMicros(spec.serverPid);
const dbBefore = spec.database ? postgresCpuMicros(spec.database) : undefined;
let firstStatus: number | undefined;
const result = await autocannon({
  url: spec.url,
  method: spec.method,
  headers: spec.headers,
  body: spec.body,
  connections: spec.connections,
  duration: spec.seconds,
  pipelining: 1,
  setupClient: (client) => {
    client.on('response', (status: number) => {
      if ((status < 200 || status > 299) && firstStatus === undefined) firstStatus = status;
    });
  },
});
const cpuAfter = cpuMicros(spec.serverPid);
const dbAfter = spec.database ? postgresCpuMicros(spec.database) : undefined;

const completed = result.requests.total;
const ok = result['2xx'];
const out: LoadResult = {
  ok,
  rejected: result.non2xx,
  errors: result.errors + result.timeouts,
  seconds: result.duration,
  rps: ok / result.duration,
  p50: result.latency.p50,
  p99: result.latency.p99,
  ...(cpuBefore !== undefined && cpuAfter !== undefined && completed ? { cpuUs: (cpuAfter - cpuBefore) / completed } : {}),
  ...(dbBefore && dbAfter && completed ? { dbCpuUs: postgresCpuDelta(dbBefore, dbAfter) / completed } : {}),
  ...(firstStatus !== undefined ? { firstStatus } : {}),
};
process.stdout.write(`${JSON.stringify(out)}\n`);
