// The compact table: columns, truncation, colour only when asked.
import { describe, expect, it } from 'vitest';
import { renderTable } from '../../src/render/table.js';
import { sampleReport } from './render-fixture.js';

const ANSI = /\x1b\[[0-9;]*m/g;

describe('renderTable', () => {
  it('prints a header, one aligned row per check with the diagnosis cut to 120 columns, and the summary', () => {
    const output = renderTable(sampleReport(), { color: false });

    expect(output.split('\n')).toEqual([
      'STATUS  CHECK                               NAME                                  TIME  DIAGNOSIS',
      'ℹ info  check.integration.oci.capabilities  OCI Registry Capability Matrix      210 ms  The registry supports 4 of 5 OC…',
      '✖ fail  check.integration.oci.credentials   OCI Registry Credentials             87 ms  The registry registry.example.c…',
      '✔ pass  check.integration.oci.pull          OCI Registry Pull Authorization      12 ms  Pull of stellaops/app is author…',
      '○ skip  check.integration.oci.push          OCI Registry Push Authorization       0 ms  No push repository is configure…',
      '⚠ warn  check.integration.oci.referrers     OCI Registry Referrers API Support   45 ms  The registry does not implement…',
      '✔ pass  check.integration.oci.registry      OCI Registry Connectivity             8 ms  registry.example.com answered /…',
      '',
      '6 checks: 2 passed, 1 info, 1 warning, 1 failed, 1 skipped — overall: fail (1.23 s)',
      '',
    ]);
  });

  it('keeps a short diagnosis whole and puts a multi-line one on one line', () => {
    const report = sampleReport();
    report.results = [
      { ...report.results[2]!, checkId: 'check.a.b', name: 'Short', diagnosis: 'All good.\n  Really.' },
    ];

    const row = renderTable(report, { color: false }).split('\n')[1];

    expect(row).toBe('✔ pass  check.a.b  Short  12 ms  All good. Really.');
  });

  it('never goes past 120 columns while the fixed columns leave room', () => {
    const lines = renderTable(sampleReport(), { color: false }).split('\n').slice(0, 7);

    expect(lines.map((line) => Array.from(line).length)).toEqual([97, 120, 120, 120, 120, 120, 120]);
  });

  it('colours the status column only when colour is on', () => {
    const plain = renderTable(sampleReport(), { color: false });
    const coloured = renderTable(sampleReport(), { color: true });

    expect(plain).not.toMatch(ANSI);
    expect(coloured).toContain('\x1b[31m✖ fail\x1b[39m  check.integration.oci.credentials ');
    expect(coloured).toContain('\x1b[2m○ skip\x1b[22m  check.integration.oci.push ');
    expect(coloured.replace(ANSI, '')).toBe(plain);
  });
});
