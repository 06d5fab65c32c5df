/**
 * `cache-coach check --format sarif` is a valid SARIF 2.1.0 log, with the rule metadata and help links
 * GitHub code scanning shows next to each alert.
 *
 * The schema is the SARIF 2.1.0 JSON schema that @microsoft/jest-sarif ships (the "rtm.5" text, a
 * draft-04 schema). It differs from the final OASIS 2.1.0 schema only in GUID checks (a pattern where
 * the final text says `"format": "uuid"`) and in the `language` pattern, whose rtm.5 form is not a
 * valid regular expression with the `u` flag; that pattern is replaced here by the final one.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import Ajv04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { CLI, ROOT, SAMPLE_PROJECT, assertBuilt, describeRun, expectedSampleFindings, run } from './helpers';

const SCHEMA_FILE = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
const RTM5_LANGUAGE_PATTERN = '^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$';
const FINAL_LANGUAGE_PATTERN = '^[a-zA-Z]{2}(-[a-zA-Z]{2})?$';

interface SarifRule {
  id: string;
  name?: string;
  shortDescription?: { text: string };
  fullDescription?: { text: string };
  help?: { text: string; markdown?: string };
  helpUri?: string;
  defaultConfiguration?: { level?: string };
}

interface SarifResult {
  ruleId: string;
  ruleIndex?: number;
  level?: string;
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn?: number; endLine?: number; endColumn?: number } } }[];
}

interface SarifLog {
  $schema?: string;
  version: string;
  runs: { tool: { driver: { name: string; version?: string; informationUri?: string; rules: SarifRule[] } }; results: SarifResult[]; columnKind?: string }[];
}

function sarifValidator() {
  const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
  const definitions = schema.definitions as Record<string, { properties: Record<string, { pattern?: string }> }>;
  for (const owner of ['run', 'toolComponent']) {
    const language = definitions[owner].properties.language;
    assert.equal(language.pattern, RTM5_LANGUAGE_PATTERN, `the schema's ${owner}.language pattern changed: review the fix-up in this test`);
    language.pattern = FINAL_LANGUAGE_PATTERN;
  }
  const ajv = new Ajv04({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

function sarifOf(cwd: string, args: string[] = ['.']): SarifLog {
  const result = run(process.execPath, [CLI, 'check', ...args, '--format', 'sarif'], { cwd });
  assert.equal(result.status, 1, describeRun('cache-coach check --format sarif', result));
  return JSON.parse(result.stdout) as SarifLog;
}

test('SARIF output of the sample project validates against the SARIF 2.1.0 schema', () => {
  assertBuilt();
  const validate = sarifValidator();
  const log = sarifOf(SAMPLE_PROJECT);
  const valid = validate(log);
  assert.ok(valid, `SARIF does not validate:\n${JSON.stringify(validate.errors, null, 2)}`);
  assert.equal(log.version, '2.1.0');
  assert.equal(log.runs.length, 1);

  // The validator is not a yes-man: a wrong level and a missing message are refused.
  const broken = structuredClone(log);
  broken.runs[0].results[0].level = 'warn';
  delete (broken.runs[0].results[1] as Partial<SarifResult>).message;
  assert.equal(validate(broken), false, 'a broken log must not validate');
  const paths = (validate.errors ?? []).map((error) => error.instancePath);
  assert.ok(paths.includes('/runs/0/results/0/level'), JSON.stringify(validate.errors));
});

test('SARIF results are the expected findings of the sample project, located in the file', () => {
  const log = sarifOf(SAMPLE_PROJECT);
  const results = log.runs[0].results;
  const key = (finding: { code: string; path: string; line: number }): string => `${finding.path}:${finding.line} ${finding.code}`;
  const actual = results.map((result) => {
    const location = result.locations[0].physicalLocation;
    return key({ code: result.ruleId, path: decodeURIComponent(location.artifactLocation.uri), line: location.region.startLine });
  });
  assert.deepEqual(actual.sort(), expectedSampleFindings().map(key).sort());
  for (const result of results) {
    const location = result.locations[0].physicalLocation;
    // Relative to the checked-out repository, with `/`: what code scanning matches against the repository.
    assert.match(location.artifactLocation.uri, /^[^/\\:][^\\:]*$/, `not a relative URI: ${location.artifactLocation.uri}`);
    assert.ok((location.region.startColumn ?? 1) >= 1 && (location.region.endLine ?? location.region.startLine) >= location.region.startLine);
    assert.ok(result.message.text.length > 0);
    assert.ok(result.level && ['error', 'warning', 'note'].includes(result.level), `level ${result.level}`);
  }
  assert.equal(log.runs[0].columnKind, 'unicodeCodePoints');
});

test('SARIF carries rule metadata and help links for every rule', () => {
  const log = sarifOf(SAMPLE_PROJECT);
  const driver = log.runs[0].tool.driver;
  const packageJson = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { version: string; homepage: string };
  const readme = readFileSync(`${ROOT}/README.md`, 'utf8');
  assert.equal(driver.name, 'Cache Coach');
  assert.equal(driver.version, packageJson.version);
  assert.equal(driver.informationUri, packageJson.homepage);
  assert.ok(driver.rules.length >= 19, `only ${driver.rules.length} rules`);
  assert.equal(new Set(driver.rules.map((rule) => rule.id)).size, driver.rules.length, 'rule ids must be unique');

  for (const rule of driver.rules) {
    assert.match(rule.id, /^CACHE\d{3}$/);
    // GitHub documents 255 characters for a rule name and 1024 for its descriptions.
    assert.ok(rule.name && rule.name.length <= 255 && /^[a-z0-9-]+$/.test(rule.name), `${rule.id}: name ${rule.name}`);
    assert.ok(rule.shortDescription?.text && rule.shortDescription.text.length <= 1024, `${rule.id}: shortDescription`);
    assert.ok(rule.fullDescription?.text && rule.fullDescription.text.length <= 1024, `${rule.id}: fullDescription`);
    assert.ok(rule.help?.text && rule.help.markdown, `${rule.id}: help text and markdown`);
    assert.ok(['error', 'warning', 'note'].includes(rule.defaultConfiguration?.level ?? ''), `${rule.id}: default level`);
    // helpUri opens the rule's section of the README (whose headings are the codes).
    assert.equal(rule.helpUri, `${packageJson.homepage}#${rule.id.toLowerCase()}`);
    assert.match(readme, new RegExp(`^### ${rule.id}$`, 'm'), `README has no "### ${rule.id}" section for ${rule.helpUri}`);
    // The same documentation as `cache-coach rule CODE`.
    const docs = run(process.execPath, [CLI, 'rule', rule.id], { cwd: ROOT });
    assert.equal(docs.status, 0, describeRun(`cache-coach rule ${rule.id}`, docs));
    assert.ok(docs.stdout.includes(rule.shortDescription.text.split('\n')[0].slice(0, 40)), `${rule.id}: SARIF summary not in \`cache-coach rule\``);
  }

  for (const result of log.runs[0].results) {
    assert.ok(result.ruleIndex !== undefined && driver.rules[result.ruleIndex]?.id === result.ruleId, `${result.ruleId}: ruleIndex ${result.ruleIndex}`);
  }
});

test('a clean project gives a valid SARIF log with no results (exit 0)', () => {
  const validate = sarifValidator();
  const result = run(process.execPath, [CLI, 'check', 'catalog/models.py', '--format', 'sarif'], { cwd: SAMPLE_PROJECT });
  assert.equal(result.status, 0, describeRun('cache-coach check catalog/models.py --format sarif', result));
  const log = JSON.parse(result.stdout) as SarifLog;
  assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
  assert.deepEqual(log.runs[0].results, []);
  assert.ok(log.runs[0].tool.driver.rules.length > 0, 'rules are listed even without results');
});
