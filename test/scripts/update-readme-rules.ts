// Regenerates the rule table and rule sections of README.md from the rules' docs.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withRulesSection } from '../../server/src/cli/readme-rules.js';

const path = join(__dirname, '..', '..', 'README.md');
writeFileSync(path, withRulesSection(readFileSync(path, 'utf8')));
console.log('README.md rule section regenerated.');
