/** The rule catalogue, in code order. */
import { cache001 } from './cache001-no-expiry-never-invalidated.js';
import { cache002 } from './cache002-generic-key.js';
import { cache003 } from './cache003-locmem-in-production.js';
import { cache004 } from './cache004-page-cache-per-user.js';
import { cache005 } from './cache005-cache-middleware-order.js';
import { cache006 } from './cache006-timeout-zero.js';
import { cache007 } from './cache007-settings-timeout-none.js';
import { cache008 } from './cache008-invalid-key.js';
import { cache009 } from './cache009-vary-above-cache-page.js';
import { cache010 } from './cache010-cache-page-none.js';
import { cache011 } from './cache011-async-default-in-aget-or-set.js';
import { cache012 } from './cache012-cache-page-with-csrf.js';
import { cache101 } from './cache101-fragment-missing-vary.js';
import { cache102 } from './cache102-fragment-name-collision.js';
import { cache103 } from './cache103-cache-tag-not-loaded.js';
import { cache104 } from './cache104-fragment-forever-never-invalidated.js';
import { cache105 } from './cache105-quoted-fragment-name.js';
import { cache106 } from './cache106-csrf-token-in-fragment.js';
import { cache201 } from './cache201-js-no-ttl-never-invalidated.js';
import { cache202 } from './cache202-js-generic-key.js';
import { cache203 } from './cache203-js-ttl-unit.js';
import { cache900 } from './cache900-unused-suppression.js';
import type { Rule } from './rule.js';

export const RULES: readonly Rule[] = [cache001, cache002, cache003, cache004, cache005, cache006, cache007, cache008, cache009, cache010, cache011, cache012, cache101, cache102, cache103, cache104, cache105, cache106, cache201, cache202, cache203, cache900];

export const RULE_CODES: ReadonlySet<string> = new Set(RULES.map((rule) => rule.code));

export function ruleByCode(code: string): Rule | undefined {
  const upper = code.toUpperCase();
  return RULES.find((rule) => rule.code === upper || rule.name === code);
}

export type { Rule } from './rule.js';
