import { describe, expect, it } from 'vitest';
import { evalJsonPath, JsonPathError, renderJsonPathTemplate } from '../../src/lib/jsonpath/jsonpath.js';

const rev = {
  metadata: {
    name: 'hello-00001',
    labels: {
      'serving.knative.dev/configuration': 'hello',
      'serving.knative.dev/configurationGeneration': '1',
    },
  },
  status: {
    actualReplicas: 2,
    conditions: [
      { type: 'Active', status: 'True' },
      { type: 'Ready', status: 'True', reason: 'Ok' },
    ],
  },
};
const list = { items: [rev, { metadata: { name: 'hello-00002' }, status: { actualReplicas: 0 } }] };

describe('evalJsonPath', () => {
  it.each([
    ['.metadata.name', ['hello-00001']],
    ['{.metadata.name}', ['hello-00001']],
    ['$.metadata.name', ['hello-00001']],
    [".metadata.labels['serving\\.knative\\.dev/configuration']", ['hello']],
    ['.metadata.labels.serving\\.knative\\.dev/configurationGeneration', ['1']],
    [".status.conditions[?(@.type=='Ready')].status", ['True']],
    ['.status.conditions[?(@.type=="Ready")].reason', ['Ok']],
    [".status.conditions[?(@.type!='Ready')].type", ['Active']],
    ['.status.conditions[?(@.reason)].type', ['Ready']],
    ['.status.conditions[0].type', ['Active']],
    ['.status.conditions[-1].type', ['Ready']],
    ['.status.conditions[*].type', ['Active', 'Ready']],
    ['.status.conditions[0:1].type', ['Active']],
    ['.status.conditions[0,1].status', ['True', 'True']],
    ['.status.missing', []],
    ['.status.conditions[5].type', []],
    ['..reason', ['Ok']],
  ])('%s', (path, want) => {
    expect(evalJsonPath(rev, path)).toEqual(want);
  });

  it('filters on numbers', () => {
    expect(evalJsonPath(list, '.items[?(@.status.actualReplicas>0)].metadata.name')).toEqual(['hello-00001']);
    expect(evalJsonPath(list, '.items[?(@.status.actualReplicas==0)].metadata.name')).toEqual([
      'hello-00002',
    ]);
  });

  it('rejects malformed paths', () => {
    expect(() => evalJsonPath(rev, '.status.conditions[?(@.type==)]')).toThrow(JsonPathError);
    expect(() => evalJsonPath(rev, '.a[x]')).toThrow(/invalid array index/);
  });
});

describe('renderJsonPathTemplate', () => {
  it.each([
    ['{.metadata.name}', 'hello-00001'],
    ['name={.metadata.name} replicas={.status.actualReplicas}', 'name=hello-00001 replicas=2'],
    ['{.status.conditions[*].type}', 'Active Ready'],
    ['{.status.conditions[0]}', '{"type":"Active","status":"True"}'],
    ['{.nothing}', ''],
  ])('%s', (template, want) => {
    expect(renderJsonPathTemplate(template, rev)).toBe(want);
  });

  it('ranges over items with string literals', () => {
    const out = renderJsonPathTemplate(
      '{range .items[*]}{.metadata.name}{"\\t"}{.status.actualReplicas}{"\\n"}{end}',
      list,
    );
    expect(out).toBe('hello-00001\t2\nhello-00002\t0\n');
  });

  it('nests ranges and reaches the root with $', () => {
    const out = renderJsonPathTemplate(
      '{range .items[0].status.conditions[*]}{$.items[0].metadata.name}:{.type} {end}',
      list,
    );
    expect(out).toBe('hello-00001:Active hello-00001:Ready ');
  });

  it('reports unbalanced ranges', () => {
    expect(() => renderJsonPathTemplate('{range .items[*]}{.x}', list)).toThrow(/without \{end\}/);
    expect(() => renderJsonPathTemplate('{end}', list)).toThrow(/without \{range\}/);
  });
});
