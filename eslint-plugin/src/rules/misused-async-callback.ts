import { misusedAsyncCallback } from '@asyncsan/checks';
import { createRule } from '../create-rule.js';

export default createRule(misusedAsyncCallback);
