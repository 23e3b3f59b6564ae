import { neverSettlingPromise } from '@asyncsan/checks';
import { createRule } from '../create-rule.js';

export default createRule(neverSettlingPromise);
