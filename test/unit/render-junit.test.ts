// JUnit for CI systems: one testcase per check, counts, warnings as passes or failures, XML
// escaping.
import { describe, expect, it } from 'vitest';
import { renderJunit } from '../../src/render/junit.js';
import { sampleReport } from './render-fixture.js';

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITY = /&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes character data, throwing on anything a conforming XML parser would reject. */
function decode(raw: string): string {
  if (raw.includes('<')) throw new Error(`unescaped < in ${JSON.stringify(raw)}`);
  if (raw.replace(ENTITY, '').includes('&')) throw new Error(`unescaped & in ${JSON.stringify(raw)}`);
  return raw.replace(ENTITY, (_, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number(entity.slice(1)));
    return NAMED[entity]!;
  });
}

/** A strict parser for the subset of XML the renderer writes: declaration, elements, attributes, text. */
function parseXml(xml: string): XmlElement {
  if (/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(xml))
    throw new Error('character not allowed in XML');
  const declaration = '<?xml version="1.0" encoding="UTF-8"?>\n';
  if (!xml.startsWith(declaration)) throw new Error('missing XML declaration');
  let pos = declaration.length;

  const parseElement = (): XmlElement => {
    const open = /<([A-Za-z][\w.-]*)((?:\s+[A-Za-z][\w.-]*="[^"]*")*)\s*(\/?)>/y;
    open.lastIndex = pos;
    const match = open.exec(xml);
    if (!match) throw new Error(`expected an element at ${pos}: ${xml.slice(pos, pos + 40)}`);
    pos = open.lastIndex;
    const element: XmlElement = { name: match[1]!, attributes: {}, children: [], text: '' };
    for (const [, name, value] of match[2]!.matchAll(/([A-Za-z][\w.-]*)="([^"]*)"/g)) {
      if (name! in element.attributes) throw new Error(`duplicate attribute ${name}`);
      element.attributes[name!] = decode(value!);
    }
    if (match[3] === '/') return element;
    for (;;) {
      const next = xml.indexOf('<', pos);
      if (next === -1) throw new Error(`<${element.name}> is never closed`);
      element.text += decode(xml.slice(pos, next));
      pos = next;
      if (xml.startsWith('</', pos)) {
        const close = `</${element.name}>`;
        if (!xml.startsWith(close, pos)) throw new Error(`expected ${close} at ${pos}`);
        pos += close.length;
        return element;
      }
      element.children.push(parseElement());
    }
  };

  const root = parseElement();
  if (xml.slice(pos).trim() !== '') throw new Error('content after the root element');
  return root;
}

function suiteOf(xml: string): XmlElement {
  const root = parseXml(xml);
  expect(root.name).toBe('testsuites');
  expect(root.children.map((c) => c.name)).toEqual(['testsuite']);
  return root.children[0]!;
}

function testcases(suite: XmlElement): XmlElement[] {
  return suite.children.filter((c) => c.name === 'testcase');
}

function testcase(suite: XmlElement, checkId: string): XmlElement {
  return testcases(suite).find((c) => c.attributes.name === checkId)!;
}

describe('renderJunit', () => {
  it('writes one well-formed suite with the counts, duration and timestamp of the run', () => {
    const suite = suiteOf(renderJunit(sampleReport()));

    expect(suite.attributes).toEqual({
      name: 'stella-doctor',
      tests: '6',
      failures: '1',
      errors: '0',
      skipped: '1',
      time: '1.234',
      timestamp: '2025-03-01T10:00:00.000Z',
    });
    expect(suite.children[0]!.children.map((p) => [p.attributes.name, p.attributes.value])).toEqual([
      ['runId', '4f1c2a9e-6b1d-4c4e-9f53-0d6a1b7e2c11'],
      ['doctorVersion', '0.1.0'],
      ['overall', 'fail'],
    ]);
  });

  it('writes one test case per check, named by plugin and check id, timed in seconds', () => {
    const suite = suiteOf(renderJunit(sampleReport()));

    const cases = testcases(suite).map((c) => [
      c.attributes.classname,
      c.attributes.name,
      c.attributes.time,
      c.children.map((e) => e.name),
    ]);

    expect(cases).toEqual([
      ['stellaops.doctor.integration', 'check.integration.oci.capabilities', '0.210', ['system-out']],
      ['stellaops.doctor.integration', 'check.integration.oci.credentials', '0.087', ['failure']],
      ['stellaops.doctor.integration', 'check.integration.oci.pull', '0.012', ['system-out']],
      ['stellaops.doctor.integration', 'check.integration.oci.push', '0.000', ['skipped']],
      ['stellaops.doctor.integration', 'check.integration.oci.referrers', '0.045', ['system-out']],
      ['stellaops.doctor.integration', 'check.integration.oci.registry', '0.008', ['system-out']],
    ]);
  });

  it('turns a fail into a failure carrying the diagnosis, causes and remediation', () => {
    const failure = testcase(suiteOf(renderJunit(sampleReport())), 'check.integration.oci.credentials').children[0]!;

    expect(failure.attributes).toEqual({
      message: 'The registry registry.example.com rejected the configured credentials (HTTP 401).',
      type: 'fail',
    });
    expect(failure.text.split('\n').slice(0, 2)).toEqual([
      'The registry registry.example.com rejected the configured credentials (HTTP 401).',
      'Evidence:',
    ]);
    expect(failure.text).toContain('Likely causes:\n  1. The password was rotated without updating OCI:Password\n');
    expect(failure.text).toContain(
      "    2. Set the new password and restart\n         echo 'OCI__Password=<password>' >> .env\n         docker compose restart platform\n",
    );
    expect(failure.text).toContain(
      '  Kubernetes / Helm\n    1. Update the secret\n         kubectl create secret generic stellaops-registry-creds \\\n',
    );
    expect(
      failure.text.endsWith('Runbook: https://docs.stella-ops.org/doctor/articles/integration/registry-credentials.md'),
    ).toBe(true);
  });

  it('lets a warning pass with its explanation in system-out by default', () => {
    const referrers = testcase(suiteOf(renderJunit(sampleReport())), 'check.integration.oci.referrers');

    const output = referrers.children[0]!.text;

    expect(output.split('\n')[0]).toBe(
      'The registry does not implement the OCI 1.1 referrers API; the tag-schema fallback will be used.',
    );
    expect(output).toContain(
      'Remediation:\n  Docker Compose\n    1. Upgrade the registry image\n         docker compose pull registry && docker compose up -d registry\n',
    );
  });

  it('reports warnings as failures with warnAsFailure', () => {
    const suite = suiteOf(renderJunit(sampleReport(), { warnAsFailure: true }));

    const failure = testcase(suite, 'check.integration.oci.referrers').children[0]!;

    expect(suite.attributes.failures).toBe('2');
    expect(failure.name).toBe('failure');
    expect(failure.attributes.type).toBe('warn');
  });

  it('marks a skip as skipped with its reason', () => {
    const push = testcase(suiteOf(renderJunit(sampleReport())), 'check.integration.oci.push');

    expect(push.children).toEqual([
      {
        name: 'skipped',
        attributes: { message: 'No push repository is configured (OCI:PushRepository).' },
        children: [],
        text: '',
      },
    ]);
  });

  it('escapes markup characters and drops characters XML cannot carry', () => {
    const report = sampleReport();
    const credentials = report.results[1]!;
    credentials.diagnosis = `Bad <tag> & "double" 'single'\u0000\u0007\u001b[31m\uD800\uFFFE\tend\r\nnext 🚀`;
    credentials.likelyCauses = ['A ]]> sequence & an <![CDATA[ opener'];

    const xml = renderJunit(report);
    const failure = testcase(suiteOf(xml), 'check.integration.oci.credentials').children[0]!;

    expect(xml).toContain(
      'message="Bad &lt;tag&gt; &amp; &quot;double&quot; &apos;single&apos;[31m&#9;end&#13;&#10;next 🚀"',
    );
    expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
    expect(xml).not.toMatch(/\p{Cs}/u);
    expect(failure.attributes.message).toBe(`Bad <tag> & "double" 'single'[31m\tend\r\nnext 🚀`);
    expect(failure.text.startsWith(`Bad <tag> & "double" 'single'[31m\tend\r\nnext 🚀\n`)).toBe(true);
    expect(failure.text).toContain('  1. A ]]> sequence & an <![CDATA[ opener\n');
  });

  it('rejects broken XML in the structural check itself', () => {
    expect(() => parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<a><b></a>')).toThrow('expected </b>');
    expect(() => parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<a>x & y</a>')).toThrow('unescaped &');
    expect(() => parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<a m="\u0001"/>')).toThrow('not allowed');
  });
});
