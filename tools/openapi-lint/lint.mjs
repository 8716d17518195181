// Lints an OpenAPI document with Redocly's recommended rules (the rules of `redocly lint`):
//   node lint.mjs openapi.json
// Prints every problem; exits 1 when any is an error.
import { formatProblems, getTotals, lint, loadConfig } from '@redocly/openapi-core';

const file = process.argv[2];
if (!file) {
  console.error('usage: node lint.mjs FILE');
  process.exit(2);
}
const config = await loadConfig({ extends: ['recommended'] });
const problems = await lint({ ref: file, config });
const totals = getTotals(problems);
formatProblems(problems, { format: 'stylish', totals, version: 'openapi-core' });
console.log(`${file}: ${totals.errors} errors, ${totals.warnings} warnings`);
process.exit(totals.errors > 0 ? 1 : 0);
