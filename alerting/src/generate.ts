/**
 * Writes Grafana's provisioned copy of the alert rules:
 *
 *   npm run grafana -w @flowtrace/alerting              (the shipped rules)
 *   node alerting/dist/generate.js [rules.yaml] [out dir]
 *
 * A test compares the committed files with what this writes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { grafanaProvisioning } from './grafana.js';
import { DEFAULT_RULES_PATH, loadRules } from './rules.js';

export const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const GRAFANA_ALERTING_DIR = join(REPOSITORY_ROOT, 'grafana/provisioning/alerting');
export const GRAFANA_FILES = { rules: 'flowtrace-rules.yaml', contactPoints: 'contact-points.yaml' } as const;

function main(args: string[]): void {
  const [rulesPath = DEFAULT_RULES_PATH, outDir = GRAFANA_ALERTING_DIR] = args;
  const files = grafanaProvisioning(loadRules(rulesPath), relative(REPOSITORY_ROOT, rulesPath));
  mkdirSync(outDir, { recursive: true });
  for (const [key, name] of Object.entries(GRAFANA_FILES) as Array<[keyof typeof GRAFANA_FILES, string]>) {
    writeFileSync(join(outDir, name), files[key]);
    process.stdout.write(`wrote ${join(outDir, name)}\n`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
