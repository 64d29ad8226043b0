import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/lib/apiserver/errors.js';
import {
  labelSelectorPrefilter,
  labelSelectorString,
  matchesLabelSelector,
  parseFieldSelector,
  parseLabelSelector,
} from '../../src/lib/apiserver/selectors.js';
import type { KubeObject } from '../../src/lib/apis/types.js';
import { CM, configMap, startTestApiServer, type TestServer } from '../support/apiserver.js';

const obj = (labels: Record<string, string>): KubeObject => ({
  metadata: { name: 'x', namespace: 'ns', labels },
});

const LABEL_CASES: [string, Record<string, string>, boolean][] = [
  ['a=b', { a: 'b' }, true],
  ['a==b', { a: 'b' }, true],
  ['a=b', { a: 'c' }, false],
  ['a!=b', { a: 'c' }, true],
  ['a!=b', {}, true],
  ['a in (b, c)', { a: 'c' }, true],
  ['a in (b,c)', { a: 'd' }, false],
  ['a notin (b,c)', { a: 'd' }, true],
  ['a notin (b,c)', { a: 'b' }, false],
  ['a', { a: '' }, true],
  ['a', {}, false],
  ['!a', {}, true],
  ['!a', { a: 'x' }, false],
  ['serving.knative.dev/service=hello,app', { 'serving.knative.dev/service': 'hello', app: 'x' }, true],
  ['serving.knative.dev/service=hello,app', { 'serving.knative.dev/service': 'hello' }, false],
  ['a=', { a: '' }, true],
];

describe('label selectors', () => {
  it.each(LABEL_CASES)('%s on %j → %s', (sel, labels, want) => {
    expect(parseLabelSelector(sel)!(obj(labels))).toBe(want);
  });

  it.each(['a=b=c', 'a in b', '=b', 'a,,b', 'a b', 'in (x)', 'a=b c', 'Bad Key=1', 'a=in valid'])(
    'rejects %j with 400',
    (sel) => {
      let err: unknown;
      try {
        parseLabelSelector(sel);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).code).toBe(400);
    },
  );

  it('prefilters stored JSON without ever rejecting a match', () => {
    for (const [sel, labels, want] of LABEL_CASES) {
      const pre = labelSelectorPrefilter(sel);
      // The store keeps JSON.stringify output; a match must always pass the prefilter.
      if (want && pre) expect(pre(JSON.stringify(obj(labels))), sel).toBe(true);
    }
    const pre = labelSelectorPrefilter('serving.knative.dev/service=hello,app')!;
    expect(pre(JSON.stringify(obj({ 'serving.knative.dev/service': 'other', app: 'x' })))).toBe(false);
    expect(pre(JSON.stringify(obj({ app: 'x' })))).toBe(false);
    expect(labelSelectorPrefilter('a in (b,c)')!(JSON.stringify(obj({ a: 'd' })))).toBe(false);
    expect(labelSelectorPrefilter('a in (b,c)')!(JSON.stringify(obj({ a: 'c' })))).toBe(true);
    // Text elsewhere (an annotation) passes; the real matcher then decides.
    const annotated = { metadata: { name: 'x', annotations: { a: 'b' } } };
    expect(labelSelectorPrefilter('a=b')!(JSON.stringify(annotated))).toBe(true);
    expect(parseLabelSelector('a=b')!(annotated)).toBe(false);
    // Nothing to look for: no prefilter.
    for (const sel of ['a!=b', '!a', 'a notin (b)', '', undefined])
      expect(labelSelectorPrefilter(sel)).toBeUndefined();
  });

  it('matches structured selectors and renders them', () => {
    const sel = {
      matchLabels: { app: 'x' },
      matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }],
    };
    expect(matchesLabelSelector(sel, { app: 'x', tier: 'a' })).toBe(true);
    expect(matchesLabelSelector(sel, { app: 'x', tier: 'c' })).toBe(false);
    expect(labelSelectorString(sel)).toBe('app=x,tier in (a,b)');
  });
});

describe('field selectors', () => {
  const ev: KubeObject = {
    metadata: { name: 'e1', namespace: 'default' },
    involvedObject: { name: 'hello', kind: 'Service' },
    type: 'Warning',
  };
  it('matches metadata and per-kind fields', () => {
    expect(parseFieldSelector('metadata.name=e1', 'Event')!(ev)).toBe(true);
    expect(parseFieldSelector('metadata.namespace!=default', 'Event')!(ev)).toBe(false);
    expect(parseFieldSelector('involvedObject.name=hello,type==Warning', 'Event')!(ev)).toBe(true);
    expect(parseFieldSelector('spec.nodeName=', 'Pod')!({ metadata: {}, spec: {} })).toBe(true);
    expect(
      parseFieldSelector('status.phase=Running', 'Pod')!({ metadata: {}, status: { phase: 'Running' } }),
    ).toBe(true);
  });
  it('rejects unsupported fields and garbage with 400', () => {
    expect(() => parseFieldSelector('spec.foo=bar', 'ConfigMap')).toThrow(
      /field label not supported: spec.foo/,
    );
    expect(() => parseFieldSelector('nonsense', 'ConfigMap')).toThrow(ApiError);
  });
});

describe('selectors over HTTP', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestApiServer();
    await t.req('POST', CM, configMap('s1', {}, { app: 'a', tier: 'web' }));
    await t.req('POST', CM, configMap('s2', {}, { app: 'a', tier: 'db' }));
    await t.req('POST', CM, configMap('s3', {}, { app: 'b' }));
  });
  afterAll(async () => {
    await t.close();
  });
  const names = (res: { body: { items: { metadata: { name: string } }[] } }): string[] =>
    res.body.items.map((i) => i.metadata.name);

  it('filters lists by label and field selectors', async () => {
    expect(names(await t.req('GET', `${CM}?labelSelector=${encodeURIComponent('app=a')}`))).toEqual([
      's1',
      's2',
    ]);
    expect(
      names(await t.req('GET', `${CM}?labelSelector=${encodeURIComponent('app=a,tier notin (db)')}`)),
    ).toEqual(['s1']);
    expect(names(await t.req('GET', `${CM}?labelSelector=${encodeURIComponent('!tier')}`))).toEqual(['s3']);
    expect(
      names(await t.req('GET', `${CM}?fieldSelector=${encodeURIComponent('metadata.name=s2')}`)),
    ).toEqual(['s2']);
    expect(
      names(
        await t.req(
          'GET',
          `/api/v1/configmaps?fieldSelector=${encodeURIComponent('metadata.namespace=default')}&labelSelector=app`,
        ),
      ),
    ).toEqual(['s1', 's2', 's3']);
    const paged = await t.req('GET', `${CM}?labelSelector=app%3Da&limit=1`);
    expect(names(paged)).toEqual(['s1']);
    expect(
      names(
        await t.req(
          'GET',
          `${CM}?labelSelector=app%3Da&limit=1&continue=${encodeURIComponent(paged.body.metadata.continue)}`,
        ),
      ),
    ).toEqual(['s2']);
  });

  it('answers invalid selectors with a 400 Status', async () => {
    const bad = await t.req('GET', `${CM}?labelSelector=${encodeURIComponent('a in b')}`);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
    const badField = await t.req('GET', `${CM}?fieldSelector=${encodeURIComponent('spec.x=1')}`);
    expect(badField.status).toBe(400);
    expect(badField.body.message).toBe('field label not supported: spec.x');
    const badWatch = await t.req('GET', `${CM}?watch=true&labelSelector=${encodeURIComponent('=x')}`);
    expect(badWatch.status).toBe(400);
  });
});
