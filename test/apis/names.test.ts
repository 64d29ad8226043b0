import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  childName,
  deploymentName,
  isDNS1035Label,
  isDNS1123Subdomain,
  isFullyQualifiedDomainName,
  isQualifiedName,
  nameIsDNS1035Label,
  revisionNameFor,
} from '../../src/lib/apis/names.js';

const DNS1035 =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

describe('DNS names', () => {
  it.each(['a', 'hello', 'my-name', 'abc-123', 'a'.repeat(63)])('%s is a DNS-1035 label', (n) =>
    expect(isDNS1035Label(n)).toEqual([]),
  );
  it.each([
    ['1abc', [DNS1035]],
    ['Hello', [DNS1035]],
    ['abc-', [DNS1035]],
    ['', [DNS1035]],
    ['a'.repeat(64), ['must be no more than 63 characters']],
    ['A'.repeat(64), ['must be no more than 63 characters', DNS1035]],
  ])('%s is not', (n, errs) => expect(isDNS1035Label(n)).toEqual(errs));
  it('allows a trailing dash in a prefix', () => {
    expect(nameIsDNS1035Label('foo-', true)).toEqual([]);
    expect(nameIsDNS1035Label('foo-', false)).toEqual([DNS1035]);
  });
  it('subdomains and qualified names', () => {
    expect(isDNS1123Subdomain('foo.bar')).toEqual([]);
    expect(isDNS1123Subdomain('foo@bar.baz')[0]).toMatch(/^a lowercase RFC 1123 subdomain must consist/);
    expect(isQualifiedName('foo-00001')).toEqual([]);
    expect(isQualifiedName('foo bar')[0]).toMatch(/^name part must consist of alphanumeric characters/);
  });
  it.each([
    ['example.com', []],
    ['hello.example.com.', []],
    [
      'localhost',
      ['name: Invalid value: "localhost": should be a domain with at least two segments separated by dots'],
    ],
    [
      '*.example.com',
      [expect.stringMatching(/^name: Invalid value: "\*\.example\.com": a lowercase RFC 1123 subdomain/)],
    ],
  ])('FQDN %s', (n, errs) => expect(isFullyQualifiedDomainName('name', n)).toEqual(errs));
});

describe('child and revision names', () => {
  it('pads the generation to five digits', () => {
    expect(revisionNameFor('hello', 1)).toBe('hello-00001');
    expect(revisionNameFor('hello', 123456)).toBe('hello-123456');
    expect(deploymentName('hello-00001')).toBe('hello-00001-deployment');
  });
  it('hashes long names to stay within 63 characters (kmeta.ChildName)', () => {
    const parent = 'a'.repeat(60);
    const md5 = createHash('md5').update(parent).digest('hex');
    expect(revisionNameFor(parent, 2)).toBe(`${'a'.repeat(63 - 6 - 32)}${md5}-00002`);
    expect(revisionNameFor(parent, 2)).toHaveLength(63);
    // Exactly 63 characters is still fine as is.
    expect(childName('a'.repeat(57), '-00001')).toBe(`${'a'.repeat(57)}-00001`);
  });
  it('uses an x-prefixed hash when the suffix alone is too long', () => {
    expect(childName('abc', '-' + 'x'.repeat(62))).toMatch(/^x[0-9a-f]{32}$/);
  });
});
