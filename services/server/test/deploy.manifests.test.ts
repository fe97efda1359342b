import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

/**
 * deploy/kubernetes: every overlay renders with `kubectl kustomize` and its output is checked
 * offline: a zod schema per kind for the fields we rely on (no cluster, no schema download),
 * plus the cross-references a typo would break (selectors, names, ports, Secret keys).
 */
const root = path.resolve(import.meta.dirname, '../../..');
const kubernetes = path.join(root, 'deploy/kubernetes');
const overlays = readdirSync(path.join(kubernetes, 'overlays'));
const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
if (!hasKubectl && !process.env.CI) console.warn('deploy.manifests: kubectl is not installed; skipped (CI requires it)');

const secretNames = ['LATCHKEY_SECRETS', 'DATABASE_URL', 'REDIS_URL', 'SMTP_URL'] as const;

const metadata = z.object({ name: z.string().min(1), namespace: z.string().min(1), labels: z.record(z.string()), annotations: z.record(z.string()).optional() });
const envVar = z.union([
  z.object({ name: z.string(), value: z.string() }).strict(),
  z.object({ name: z.string(), valueFrom: z.object({ secretKeyRef: z.object({ name: z.string(), key: z.string() }).strict() }).strict() }).strict(),
]);
const httpProbe = z.object({ httpGet: z.object({ path: z.string(), port: z.union([z.string(), z.number()]) }).strict() }).passthrough();
const quantity = z.string().regex(/^\d+(m|Mi|Gi)?$/);
const containerSecurity = z.object({
  allowPrivilegeEscalation: z.literal(false),
  readOnlyRootFilesystem: z.literal(true),
  capabilities: z.object({ drop: z.tuple([z.literal('ALL')]) }).strict(),
});
const container = z.object({
  name: z.string(),
  image: z.string().regex(/^[\w./:-]+:[\w.-]+$/),
  args: z.array(z.string()),
  envFrom: z.array(z.object({ configMapRef: z.object({ name: z.string() }) })).optional(),
  env: z.array(envVar),
  resources: z.object({ requests: z.object({ cpu: quantity, memory: quantity }), limits: z.object({ memory: quantity }) }),
  securityContext: containerSecurity,
  volumeMounts: z.array(z.object({ name: z.string(), mountPath: z.string() })),
}).passthrough();
const podSecurity = z.object({ runAsNonRoot: z.literal(true), runAsUser: z.number().int().positive(), seccompProfile: z.object({ type: z.literal('RuntimeDefault') }) }).passthrough();
const volumes = z.array(z.object({ name: z.string(), emptyDir: z.object({}).passthrough() }).strict());

const kinds = {
  ServiceAccount: z.object({ apiVersion: z.literal('v1'), metadata, automountServiceAccountToken: z.literal(false) }),
  ConfigMap: z.object({ apiVersion: z.literal('v1'), metadata, data: z.record(z.string()) }),
  Service: z.object({
    apiVersion: z.literal('v1'),
    metadata,
    spec: z.object({ type: z.literal('ClusterIP'), selector: z.record(z.string()), ports: z.array(z.object({ name: z.string(), port: z.number(), targetPort: z.string() }).strict()).min(1) }).strict(),
  }),
  Deployment: z.object({
    apiVersion: z.literal('apps/v1'),
    metadata,
    spec: z.object({
      replicas: z.number().int().positive(),
      strategy: z.object({ type: z.literal('RollingUpdate'), rollingUpdate: z.object({ maxUnavailable: z.literal(0), maxSurge: z.number().int().positive() }) }),
      selector: z.object({ matchLabels: z.record(z.string()) }).strict(),
      template: z.object({
        metadata: z.object({ labels: z.record(z.string()) }),
        spec: z.object({
          automountServiceAccountToken: z.literal(false),
          securityContext: podSecurity,
          containers: z.tuple([container.extend({
            ports: z.array(z.object({ name: z.string(), containerPort: z.number() }).strict()),
            startupProbe: httpProbe,
            readinessProbe: httpProbe,
            livenessProbe: httpProbe,
          })]),
          volumes,
        }).passthrough(),
      }),
    }).passthrough(),
  }),
  Ingress: z.object({
    apiVersion: z.literal('networking.k8s.io/v1'),
    metadata,
    spec: z.object({
      tls: z.array(z.object({ hosts: z.array(z.string()), secretName: z.string() }).strict()).optional(),
      rules: z.array(z.object({
        host: z.string().regex(/^[a-z0-9.-]+$/),
        http: z.object({ paths: z.array(z.object({ path: z.string(), pathType: z.literal('Prefix'), backend: z.object({ service: z.object({ name: z.string(), port: z.object({ name: z.string() }).strict() }).strict() }).strict() }).strict()) }).strict(),
      }).strict()).length(1),
    }).strict(),
  }),
  PodDisruptionBudget: z.object({
    apiVersion: z.literal('policy/v1'),
    metadata,
    spec: z.object({ minAvailable: z.number().int().optional(), maxUnavailable: z.number().int().optional(), selector: z.object({ matchLabels: z.record(z.string()) }).strict() }).strict(),
  }),
  HorizontalPodAutoscaler: z.object({
    apiVersion: z.literal('autoscaling/v2'),
    metadata,
    spec: z.object({
      scaleTargetRef: z.object({ apiVersion: z.literal('apps/v1'), kind: z.literal('Deployment'), name: z.string() }).strict(),
      minReplicas: z.number().int().positive(),
      maxReplicas: z.number().int().positive(),
      metrics: z.array(z.object({ type: z.literal('Resource'), resource: z.object({ name: z.literal('cpu'), target: z.object({ type: z.literal('Utilization'), averageUtilization: z.number().int().min(1).max(100) }).strict() }).strict() }).strict()).min(1),
    }).strict(),
  }),
  Job: z.object({
    apiVersion: z.literal('batch/v1'),
    metadata,
    spec: z.object({
      backoffLimit: z.number().int(),
      ttlSecondsAfterFinished: z.number().int().positive(),
      template: z.object({
        metadata: z.object({ labels: z.record(z.string()) }),
        spec: z.object({ restartPolicy: z.literal('Never'), automountServiceAccountToken: z.literal(false), securityContext: podSecurity, containers: z.tuple([container]), volumes }).passthrough(),
      }),
    }).passthrough(),
  }),
};
type Kind = keyof typeof kinds;
type Rendered = { [K in Kind]: z.infer<(typeof kinds)[K]> };

/** Renders an overlay to objects: kustomize prints YAML; `kubectl annotate --local` turns it into JSON offline. */
function render(overlay: string): Rendered {
  const yaml = execFileSync('kubectl', ['kustomize', path.join(kubernetes, 'overlays', overlay)], { encoding: 'utf8' });
  const json = execFileSync('kubectl', ['annotate', '--local', '-o', 'json', '-f', '-', 'latchkey.test/none-'], {
    input: yaml,
    encoding: 'utf8',
    env: { ...process.env, KUBECONFIG: '/dev/null' },
  });
  const objects = JSON.parse(`[${json.replace(/\}\s*\{/g, '},{')}]`) as Array<{ kind: string; metadata: { annotations?: Record<string, string> } }>;
  const byKind: Partial<Record<string, unknown>> = {};
  for (const object of objects) {
    if (object.metadata.annotations && Object.keys(object.metadata.annotations).length === 0) delete object.metadata.annotations;
    expect(Object.keys(kinds), `unexpected kind ${object.kind} in ${overlay}`).toContain(object.kind);
    expect(byKind[object.kind], `two ${object.kind} objects in ${overlay}`).toBeUndefined();
    const parsed = kinds[object.kind as Kind].safeParse(object);
    expect(parsed.success ? null : parsed.error.issues, `${overlay}: ${object.kind}`).toBeNull();
    byKind[object.kind] = parsed.data;
  }
  expect(Object.keys(byKind).sort()).toEqual(Object.keys(kinds).sort());
  return byKind as Rendered;
}

const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

describe.skipIf(!hasKubectl && !process.env.CI)('deploy/kubernetes overlays render and hold together', () => {
  it('has a dev and a production overlay', () => {
    expect(overlays.sort()).toEqual(['dev', 'production']);
  });

  for (const overlay of overlays) {
    it(`${overlay}: every object passes its kind's schema and the references between them resolve`, () => {
      const r = render(overlay);
      const pod = r.Deployment.spec.template;
      const server = pod.spec.containers[0];
      const [migrate] = r.Job.spec.template.spec.containers;

      // One namespace for everything.
      const namespaces = new Set(Object.values(r).map((object) => object.metadata.namespace));
      expect(namespaces.size).toBe(1);

      // Probes: started and alive on /healthz, in the Service only while /readyz answers.
      expect(server.startupProbe.httpGet.path).toBe('/healthz');
      expect(server.livenessProbe.httpGet.path).toBe('/healthz');
      expect(server.readinessProbe.httpGet.path).toBe('/readyz');
      const portNames = server.ports.map((port) => port.name);
      for (const probe of [server.startupProbe, server.readinessProbe, server.livenessProbe]) expect(portNames).toContain(probe.httpGet.port);

      // Secrets are referenced from the Secret, never written into the manifests.
      expect(r).not.toHaveProperty('Secret');
      for (const c of [server, migrate]) {
        for (const variable of c.env) {
          if ((secretNames as readonly string[]).includes(variable.name)) expect(variable, variable.name).toHaveProperty('valueFrom.secretKeyRef.key', variable.name);
          if ('value' in variable) expect(variable.value, variable.name).not.toMatch(/:\/\/[^/]*@/);
        }
      }
      expect(server.env.map((variable) => variable.name)).toEqual(expect.arrayContaining([...secretNames]));
      expect(migrate.env.map((variable) => variable.name)).toEqual(expect.arrayContaining(['DATABASE_URL', 'LATCHKEY_SECRETS']));
      for (const value of Object.values(r.ConfigMap.data)) expect(value).not.toMatch(/:\/\/[^/]*@/);

      // The generated ConfigMap (hash-suffixed name) is the one both pods read.
      expect(server.envFrom?.[0]?.configMapRef.name).toBe(r.ConfigMap.metadata.name);
      expect(migrate.envFrom?.[0]?.configMapRef.name).toBe(r.ConfigMap.metadata.name);

      // Read-only root: /tmp (and /data for the server) are volumes the pod defines.
      for (const [c, spec] of [[server, pod.spec], [migrate, r.Job.spec.template.spec]] as const) {
        const defined = spec.volumes.map((volume) => volume.name);
        for (const mount of c.volumeMounts) expect(defined).toContain(mount.name);
        expect(c.volumeMounts.map((mount) => mount.mountPath)).toContain('/tmp');
      }

      // The migration runs the server's own image, before it, as the image's CLI.
      expect(migrate.image).toBe(server.image);
      expect(migrate.args.slice(0, 2)).toEqual(['migrate', 'latest']);
      expect(r.Job.metadata.annotations?.['argocd.argoproj.io/hook']).toBe('PreSync');
      expect(server.args).toEqual(['start']);

      // Selectors: Deployment, Service and budget pick the server pods, and only them.
      expect(matches(r.Deployment.spec.selector.matchLabels, pod.metadata.labels)).toBe(true);
      expect(matches(r.Service.spec.selector, pod.metadata.labels)).toBe(true);
      expect(matches(r.PodDisruptionBudget.spec.selector.matchLabels, pod.metadata.labels)).toBe(true);
      expect(matches(r.Service.spec.selector, r.Job.spec.template.metadata.labels)).toBe(false);
      expect(portNames).toContain(r.Service.spec.ports[0]!.targetPort);

      // Ingress → Service → port; its host is the issuer's (other hosts get 421).
      const [rule] = r.Ingress.spec.rules;
      const backend = rule!.http.paths[0]!.backend.service;
      expect(backend.name).toBe(r.Service.metadata.name);
      expect(r.Service.spec.ports.map((port) => port.name)).toContain(backend.port.name);
      const issuer = new URL(r.ConfigMap.data.LATCHKEY_ISSUER!);
      expect(issuer.hostname).toBe(rule!.host);

      // Scaling: the autoscaler drives this Deployment, and the budget never blocks a drain.
      expect(r.HorizontalPodAutoscaler.spec.scaleTargetRef.name).toBe(r.Deployment.metadata.name);
      const { minReplicas, maxReplicas } = r.HorizontalPodAutoscaler.spec;
      expect(minReplicas).toBeLessThanOrEqual(maxReplicas);
      const budget = r.PodDisruptionBudget.spec;
      expect(budget.minAvailable === undefined ? budget.maxUnavailable! >= 1 : budget.minAvailable < minReplicas).toBe(true);

      // Production settings where they matter; an http issuer requires development mode.
      const nodeEnv = server.env.find((variable) => variable.name === 'NODE_ENV');
      expect(nodeEnv && 'value' in nodeEnv ? nodeEnv.value : undefined).toBe(issuer.protocol === 'https:' ? 'production' : 'development');
    });
  }

  it('production: TLS for the issuer host, a pinned image from a registry, at least 3 replicas', () => {
    const r = render('production');
    expect(r.Ingress.spec.tls?.[0]?.hosts).toEqual([r.Ingress.spec.rules[0]!.host]);
    const image = r.Deployment.spec.template.spec.containers[0].image;
    expect(image).not.toMatch(/^localhost\/|:latest$|:dev$/);
    expect(r.Deployment.spec.replicas).toBeGreaterThanOrEqual(3);
    expect(r.HorizontalPodAutoscaler.spec.minReplicas).toBeGreaterThanOrEqual(3);
    expect(r.PodDisruptionBudget.spec.minAvailable).toBeGreaterThanOrEqual(2);
  });
});

describe('deploy/compose.yaml', () => {
  it('takes every secret from deploy/.env (the example has placeholders only) and runs the image read-only', () => {
    const compose = readFileSync(path.join(root, 'deploy/compose.yaml'), 'utf8');
    const example = readFileSync(path.join(root, 'deploy/.env.example'), 'utf8');
    // No credential written into a URL or a password field: only ${VARIABLES}.
    for (const match of compose.matchAll(/:\/\/([^@\s/]+)@/g)) expect(match[1]).toMatch(/^\w+:\$\{[A-Z_]+[^}]*\}$/);
    for (const match of compose.matchAll(/^\s+\w*PASSWORD:\s*(.+)$/gm)) expect(match[1]).toMatch(/^\$\{[A-Z_]+/);
    const used = new Set([...compose.matchAll(/\$\{([A-Z_]+)/g)].map((m) => m[1]));
    const documented = new Set([...example.matchAll(/^#?\s*([A-Z_]+)=/gm)].map((m) => m[1]));
    for (const name of used) expect(documented, `${name} is not in deploy/.env.example`).toContain(name);
    expect(compose).toMatch(/read_only: true/);
    expect(compose).toMatch(/dockerfile: services\/server\/Dockerfile/);
    expect(readFileSync(path.join(root, '.gitignore'), 'utf8')).toMatch(/^deploy\/\.env$/m);
  });
});
