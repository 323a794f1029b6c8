import { describe, expect, it } from 'vitest';
import { formatConfigIssue } from '../core/errors.js';
import type { Config, WorkerSpec } from '../core/types.js';
import { ONE_OF_KIND, parseTcpAddress } from './health-field.js';
import { parseRulesText, type LoadResult } from './load-config.js';
import { ONE_OF_ISSUE } from './schema.js';

function yaml(lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

function configOf(result: LoadResult): Config {
  if (!result.ok) throw new Error(`expected a config, got:\n${result.errors.map(formatConfigIssue).join('\n')}`);
  return result.config;
}

function errorsOf(result: LoadResult): string[] {
  if (result.ok) throw new Error('expected errors, got a config');
  return result.errors.map(formatConfigIssue);
}

function workerWithHealth(health: string): string {
  return yaml(['workers:', '  api:', '    restart: [/usr/local/bin/restart-api]', `    health: ${health}`]);
}

function healthOf(text: string): WorkerSpec['health'] {
  return configOf(parseRulesText(text, 'r.yaml', '/srv')).workers.get('api')!.health;
}

describe('health:', () => {
  it('builds an http probe with the 2s default timeout and any-2xx when expect_status is absent', () => {
    expect(healthOf(workerWithHealth('{ http: "http://127.0.0.1:8080/healthz" }'))).toEqual({ http: { url: 'http://127.0.0.1:8080/healthz', timeoutMs: 2000 } });
  });

  it('builds both probes sharing one timeout, with expect_status on the http one', () => {
    expect(healthOf(workerWithHealth('{ http: "https://api.local/ready", tcp: "[::1]:5432", timeout: 500ms, expect_status: 204 }'))).toEqual({
      http: { url: 'https://api.local/ready', timeoutMs: 500, expectStatus: 204 },
      tcp: { host: '::1', port: 5432, timeoutMs: 500 },
    });
  });

  it('leaves health out of a worker without it', () => {
    expect(healthOf(yaml(['workers:', '  api: { restart: [/bin/true] }']))).toBeUndefined();
  });

  it('points at the key of an empty health mapping', () => {
    expect(errorsOf(parseRulesText(workerWithHealth('{}'), 'r.yaml', '/srv'))).toEqual([
      'r.yaml:4:5: rule "api": workers.api.health: health needs http (a URL to GET), tcp (HOST:PORT to connect to) or both',
    ]);
  });

  it('reports a bad timeout and a bad status code together', () => {
    expect(errorsOf(parseRulesText(workerWithHealth('{ http: "http://x/", timeout: 2, expect_status: 42 }'), 'r.yaml', '/srv'))).toEqual([
      'r.yaml:4:43: rule "api": workers.api.health.timeout: expected a duration like "2s", got 2 (add a unit: ms, s, m, h or d)',
      'r.yaml:4:61: rule "api": workers.api.health.expect_status: expected an HTTP status code like 200, got 42',
    ]);
  });

  it('rejects URLs medic cannot GET', () => {
    for (const url of ['ftp://x/', 'not a url', 'file:///etc/passwd']) {
      expect(errorsOf(parseRulesText(workerWithHealth(JSON.stringify({ http: url })), 'r.yaml', '/srv'))[0]).toMatch(/expected an http:\/\/ or https:\/\/ URL/);
    }
  });

  it('warns when a rule reads a probe metric the worker does not configure', () => {
    const result = parseRulesText(
      yaml([
        'workers:',
        '  api: { restart: [/bin/true], health: { tcp: "127.0.0.1:80" } }',
        'rules:',
        '  - name: api-sick',
        '    when: worker.api.health_ok == 0 or worker.api.tcp_ok == 0',
        '    do: [{ restart_worker: api }]',
      ]),
      'r.yaml',
      '/srv',
    );
    expect(result.ok).toBe(true);
    expect(result.warnings.map(formatConfigIssue)).toEqual(['r.yaml:5:11: rule "api-sick": rules[0].when: worker.api.health_ok is always unknown: worker "api" has no health: http probe']);
  });

  it('keeps its one-of marker equal to the schema\'s', () => {
    expect(ONE_OF_KIND).toBe(ONE_OF_ISSUE);
  });
});

describe('parseTcpAddress', () => {
  it.each([
    ['127.0.0.1:5432', { host: '127.0.0.1', port: 5432 }],
    ['db.internal:6379', { host: 'db.internal', port: 6379 }],
    ['[::1]:8080', { host: '::1', port: 8080 }],
    ['127.0.0.1:0', null], // port 0 means "any" to listen(), nothing to connect to
    ['127.0.0.1:65536', null],
    ['127.0.0.1', null],
    ['::1:80', null], // IPv6 needs brackets, else the port is ambiguous
    ['http://x:80', null],
  ])('%s', (text, expected) => {
    expect(parseTcpAddress(text)).toEqual(expected);
  });
});
