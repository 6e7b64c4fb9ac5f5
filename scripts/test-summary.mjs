// Prints what scripts/test.sh did and, as the last line, one summary over all of it ("1902 passed,
// 0 failed, 3 skipped"), so a run that executed no test, or failed outside its tests, is visible.
// Reads the steps file test.sh writes: one line per step, "<exit status>\t<label>\t<vitest JSON
// report or empty>". A step that failed counts as one failure, unless its report already holds
// failed tests. Exits 1 when anything failed or no test ran.
import { readFileSync } from 'node:fs';

const total = { passed: 0, failed: 0, skipped: 0 };
const lines = readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean);
for (const line of lines) {
  const [status, label, reportPath] = line.split('\t');
  const counts = reportPath ? readReport(reportPath) : { passed: 0, failed: 0, skipped: 0 };
  const failedOutsideTests = Number(status) !== 0 && counts.failed === 0;
  if (failedOutsideTests) counts.failed += 1;
  if (reportPath) {
    const note = counts.report ? '' : ' (no test report was written)';
    console.log(`${label}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped${note}`);
  } else if (failedOutsideTests) {
    console.log(`${label}: failed (exit status ${status})`);
  }
  total.passed += counts.passed;
  total.failed += counts.failed;
  total.skipped += counts.skipped;
}
console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
if (total.failed > 0 || total.passed === 0) process.exit(1);

/** The counts of a vitest JSON report; all zero (and no `report`) when it is missing or unreadable. */
function readReport(path) {
  let report;
  try {
    report = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return { passed: 0, failed: 0, skipped: 0 };
  }
  return {
    report: true,
    passed: report.numPassedTests ?? 0,
    failed: report.numFailedTests ?? 0,
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
  };
}
