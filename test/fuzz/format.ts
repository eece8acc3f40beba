import type { FuzzSummary } from './report';

/** A few lines for the test log; `full` keeps every reproduction and body whole (for summary.txt). */
export function formatSummary(summary: FuzzSummary, full = false): string {
  const cut = (text: string, max: number) => (full || text.length <= max ? text : `${text.slice(0, max)}… (cut)`);
  const statuses = Object.entries(summary.statuses)
    .map(([status, count]) => `${status}×${count}`)
    .join(' ');
  const lines = [
    `schemathesis: ${summary.operations.length} operations, ${summary.requests} requests; responses ${statuses}`,
    `failures: ${summary.failures.length}, errors: ${summary.errors.length}`,
    ...Object.entries(summary.warnings).map(([name, operations]) => `warning ${name}: ${operations.join(', ')}`),
  ];
  for (const f of summary.failures) {
    lines.push(
      '',
      `✗ ${f.operation} [${f.request.split(' ')[0]}] ${f.check} → ${f.status ?? 'no response'} ${f.title}`,
      ...(f.message ? [`  ${cut(f.message.replace(/\n+/g, ' | '), 300)}`] : []),
      `  body: ${cut(f.body, 300)}`,
      `  ${cut(f.curl, 600)}`,
    );
  }
  for (const e of summary.errors) {
    const message = e.message ? `: ${cut(e.message, 300)}` : '';
    lines.push('', `✗ ${e.operation} ${e.type}${message}`, ...(e.curl ? [`  ${cut(e.curl, 600)}`] : []));
  }
  return lines.join('\n');
}
