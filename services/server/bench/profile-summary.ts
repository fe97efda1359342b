/**
 * Top self-time of a V8 .cpuprofile (node --cpu-prof), by function and by
 * where the code lives (our src folder, a package, Node internals, GC), as
 * a share of the busy (non-idle) time and µs per request.
 */
import { readFileSync } from 'node:fs';

type ProfileNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number };
type Profile = { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[] };

export type ProfileRow = { name: string; us: number; share: number; usPerRequest: number };
export type ProfileSummary = { busyMs: number; functions: ProfileRow[]; places: ProfileRow[] };

function place(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const ours = /services\/server\/src\/([^/]+)/.exec(url);
  if (ours) return `src/${ours[1]}`;
  if (url.startsWith('node:')) return url.replace(/^node:(internal\/)?([^/]+).*$/, 'node:$2');
  return url.replace(/^.*\/(packages\/[^/]+).*$/, '$1');
}

export function summarizeProfile(file: string, requests: number, top = 20): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const interval = (profile.endTime - profile.startTime) / Math.max(1, profile.samples.length);
  const byFunction = new Map<string, number>();
  const byPlace = new Map<string, number>();
  let busy = 0;
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)' || !node.hitCount) continue;
    const us = node.hitCount * interval;
    busy += us;
    const where = place(url, functionName);
    const fn = url ? `${functionName || '(anonymous)'} ${where}:${url.split('/').pop()}:${lineNumber + 1}` : functionName;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    byPlace.set(where, (byPlace.get(where) ?? 0) + us);
  }
  const rows = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, us, share: us / busy, usPerRequest: requests ? us / requests : 0 }));
  return { busyMs: busy / 1000, functions: rows(byFunction), places: rows(byPlace) };
}
