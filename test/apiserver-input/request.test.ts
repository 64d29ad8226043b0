/**
 * Request-level strictness kube-apiserver has: body media types, JSON/YAML nesting and alias
 * limits, write options (fieldManager, dryRun, fieldValidation), resourceVersion syntax, and query
 * parameters parsed like metav1's parameter codec (booleans, integers, list/watch options).
 */
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CM, configMap, startTestApiServer, type Res, type TestServer } from '../support/apiserver.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestApiServer({ bookmarkIntervalMs: 100 });
});
afterAll(async () => t.close());

const nested = (depth: number, leaf = '1'): string => '['.repeat(depth) + leaf + ']'.repeat(depth);

async function alive(): Promise<void> {
  expect((await t.req('GET', '/readyz')).status).toBe(200);
  expect((await t.req('GET', CM)).status).toBe(200);
}

describe('JSON and YAML nesting limits', () => {
  it('answers 400 for a JSON body nested 100,000 deep on POST and PATCH, and keeps serving', async () => {
    const deep = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"x":${nested(100_000)}}`;
    const post = await t.req('POST', CM, deep);
    expect(post.status).toBe(400);
    expect(post.body.message).toBe(
      "couldn't get version/kind; json parse error: invalid character '[' exceeded max depth",
    );
    await t.req('POST', CM, configMap('deep-target'));
    const patch = await t.req(
      'PATCH',
      `${CM}/deep-target`,
      `{"data":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`,
      {
        'content-type': 'application/merge-patch+json',
      },
    );
    expect(patch.status).toBe(400);
    expect(patch.body.message).toBe("invalid character '{' exceeded max depth");
    await alive();
  });

  it('refuses nesting just beyond the limit and serves objects just within it through every verb', async () => {
    const over = await t.req(
      'POST',
      CM,
      `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep-over"},"x":${nested(1_000)}}`,
    );
    expect(over.status).toBe(400);
    const body = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep-ok"},"x":${nested(990)}}`;
    const ok = await t.req('POST', CM, body);
    expect(ok.status).toBe(201);
    const got = await t.req('GET', `${CM}/deep-ok`);
    expect(got.status).toBe(200);
    const put = await t.req('PUT', `${CM}/deep-ok`, { ...got.body, data: { a: 'b' } });
    expect(put.status).toBe(200);
    const patch = await t.req('PATCH', `${CM}/deep-ok`, `{"y":${'{"a":'.repeat(990)}1${'}'.repeat(990)}}`, {
      'content-type': 'application/strategic-merge-patch+json',
    });
    expect(patch.status).toBe(200);
    expect((await t.req('DELETE', `${CM}/deep-ok`)).status).toBe(200);
    await alive();
  });

  it('answers 400 for deeply nested YAML and for YAML aliases that expand beyond the body', async () => {
    const deep = await t.req(
      'POST',
      CM,
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: y}\nx: ${nested(100_000)}\n`,
      {
        'content-type': 'application/yaml',
      },
    );
    expect(deep.status).toBe(400);
    expect(deep.body.message).toBe('error converting YAML to JSON: yaml: exceeded max depth of 1000');
    const lol = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      lol.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const laughs = await t.req(
      'POST',
      CM,
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\n${lol.join('\n')}\n`,
      { 'content-type': 'application/yaml' },
    );
    expect(laughs.status).toBe(400);
    expect(laughs.body.message).toBe(
      'error converting YAML to JSON: yaml: document contains excessive aliasing',
    );
    await alive();
  });
});

describe('media types', () => {
  const msg =
    'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml';
  it('answers 415 UnsupportedMediaType for text/plain and missing Content-Type on POST and PUT', async () => {
    const plain = await t.req('POST', CM, JSON.stringify(configMap('plain')), {
      'content-type': 'text/plain',
    });
    expect(plain.status).toBe(415);
    expect(plain.body).toMatchObject({
      kind: 'Status',
      reason: 'UnsupportedMediaType',
      code: 415,
      message: msg,
    });
    const none = await t.req('POST', CM, JSON.stringify(configMap('none')), { 'content-type': '' });
    expect(none.status).toBe(415);
    const c = await t.req('POST', CM, configMap('put-plain'));
    const put = await t.req('PUT', `${CM}/put-plain`, JSON.stringify(c.body), {
      'content-type': 'text/plain',
    });
    expect(put.status).toBe(415);
    expect((await t.req('GET', `${CM}/plain`)).status).toBe(404);
    const yamlOk = await t.req('POST', CM, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: y-ok}\n', {
      'content-type': 'application/yaml; charset=utf-8',
    });
    expect(yamlOk.status).toBe(201);
  });
});

describe('write options', () => {
  it('answers 422 for a fieldManager longer than 128 bytes on POST, PUT and PATCH', async () => {
    const fm = 'm'.repeat(200);
    const post = await t.req('POST', `${CM}?fieldManager=${fm}`, configMap('fm'));
    expect(post.status).toBe(422);
    expect(post.body.message).toBe(
      'CreateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes',
    );
    expect((await t.req('GET', `${CM}/fm`)).status).toBe(404);
    const c = await t.req('POST', CM, configMap('fm2'));
    const put = await t.req('PUT', `${CM}/fm2?fieldManager=${fm}`, c.body);
    expect(put.body.message).toMatch(/^UpdateOptions.meta.k8s.io "" is invalid: fieldManager: Too long/);
    const patch = await t.req(
      'PATCH',
      `${CM}/fm2?fieldManager=${fm}`,
      { data: { a: 'b' } },
      {
        'content-type': 'application/merge-patch+json',
      },
    );
    expect(patch.status).toBe(422);
    expect(patch.body.message).toMatch(/^PatchOptions.meta.k8s.io "" is invalid: fieldManager: Too long/);
    const ctl = await t.req('POST', `${CM}?fieldManager=a%07b`, configMap('fm3'));
    expect(ctl.body.message).toBe(
      'CreateOptions.meta.k8s.io "" is invalid: fieldManager: Invalid value: "a\\u0007b": invalid character U+0007 (at position 1)',
    );
  });

  it('answers 422 for unknown dryRun and fieldValidation values; dryRun=All writes nothing', async () => {
    const dr = await t.req('POST', `${CM}?dryRun=foo`, configMap('dr'));
    expect(dr.status).toBe(422);
    expect(dr.body.message).toBe(
      'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"foo"}: supported values: "All"',
    );
    const fv = await t.req('POST', `${CM}?fieldValidation=Loose`, configMap('fv'));
    expect(fv.status).toBe(422);
    expect(fv.body.message).toBe(
      'CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "Loose": supported values: "", "Ignore", "Strict", "Warn"',
    );
    const all = await t.req('POST', `${CM}?dryRun=All`, configMap('dr-all'));
    expect(all.status).toBe(200);
    expect((await t.req('GET', `${CM}/dr-all`)).status).toBe(404);
    const force = await t.req(
      'PATCH',
      `${CM}/dr-all?force=true`,
      { data: {} },
      {
        'content-type': 'application/merge-patch+json',
      },
    );
    expect(force.status).toBe(422);
    expect(force.body.message).toBe(
      'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
    );
  });

  it('answers 400 for a resourceVersion that is not a number on PUT, PATCH, list and watch', async () => {
    const c = await t.req('POST', CM, configMap('rv-abc', { a: '1' }));
    const want =
      'metadata.resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax';
    const put = await t.req('PUT', `${CM}/rv-abc`, {
      ...c.body,
      metadata: { ...c.body.metadata, resourceVersion: 'abc' },
    });
    expect(put.status).toBe(400);
    expect(put.body.message).toBe(want);
    const patch = await t.req(
      'PATCH',
      `${CM}/rv-abc`,
      { metadata: { resourceVersion: 'abc' }, data: { a: '2' } },
      {
        'content-type': 'application/merge-patch+json',
      },
    );
    expect(patch.status).toBe(400);
    expect(patch.body.message).toBe(want);
    expect((await t.req('GET', `${CM}/rv-abc`)).body.data).toEqual({ a: '1' });
    for (const p of [`${CM}?resourceVersion=abc`, `${CM}?watch=true&resourceVersion=abc`]) {
      const r = await t.req('GET', p);
      expect(r.status).toBe(400);
      expect(r.body.message).toBe(
        'resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax',
      );
    }
  });
});

/** Reads a watch stream until `timeoutSeconds` ends it; returns the status and event types. */
function watchTypes(p: string): Promise<{ status: number; types: string[] }> {
  return new Promise((resolve, reject) => {
    https
      .get(
        new URL(p, t.server.url),
        { ca: t.server.caPem, headers: { authorization: `Bearer ${t.server.token}` } },
        (res) => {
          let buf = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (buf += c));
          res.on('end', () => {
            const lines = buf.split('\n').filter((l) => l.trim());
            const types =
              res.statusCode === 200 ? lines.map((l) => (JSON.parse(l) as { type: string }).type) : [];
            resolve({ status: res.statusCode ?? 0, types });
          });
        },
      )
      .on('error', reject);
  });
}

describe('query parameters', () => {
  it('reads booleans like metav1: watch=True watches, watch=FALSE and watch=0 list', async () => {
    await t.req('POST', CM, configMap('bool-a'));
    const rv = (await t.req('GET', CM)).body.metadata.resourceVersion;
    const w = await watchTypes(
      `${CM}?watch=True&allowWatchBookmarks=True&resourceVersion=${rv}&timeoutSeconds=1`,
    );
    expect(w.status).toBe(200);
    expect(w.types).toContain('BOOKMARK');
    for (const v of ['FALSE', 'false', 'False', '0']) {
      const r: Res = await t.req('GET', `${CM}?watch=${v}`);
      expect(r.body.kind).toBe('ConfigMapList');
    }
  });

  it('answers 400 with strconv.ParseInt wording for timeoutSeconds and limit that are not integers', async () => {
    const r = await t.req('GET', `${CM}?watch=true&timeoutSeconds=abc`);
    expect(r.status).toBe(400);
    expect(r.body.message).toBe('strconv.ParseInt: parsing "abc": invalid syntax');
    const l = await t.req('GET', `${CM}?limit=1.5`);
    expect(l.status).toBe(400);
    expect(l.body.message).toBe('strconv.ParseInt: parsing "1.5": invalid syntax');
  });

  it('validates resourceVersionMatch and sendInitialEvents like ValidateListOptions', async () => {
    const cases: [string, string][] = [
      [
        `${CM}?resourceVersionMatch=NotOlderThan`,
        'resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
      ],
      [
        `${CM}?resourceVersion=1&resourceVersionMatch=Sometimes`,
        'resourceVersionMatch: Unsupported value: "Sometimes": supported values: "Exact", "NotOlderThan", ""',
      ],
      [
        `${CM}?resourceVersion=0&resourceVersionMatch=Exact`,
        'resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
      ],
      [
        `${CM}?sendInitialEvents=true`,
        'sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list',
      ],
      [
        `${CM}?watch=true&sendInitialEvents=true`,
        'resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
      ],
      [
        `${CM}?watch=true&resourceVersionMatch=NotOlderThan`,
        'resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided',
      ],
    ];
    for (const [p, message] of cases) {
      const r = await t.req('GET', p);
      expect(r.status, p).toBe(422);
      expect(r.body.message, p).toBe(`ListOptions.meta.k8s.io "" is invalid: ${message}`);
    }
    const exact = await t.req('GET', `${CM}?resourceVersion=1&resourceVersionMatch=NotOlderThan`);
    expect(exact.status).toBe(200);
  });
});
