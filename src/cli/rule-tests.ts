// `medic test RULES TESTFILE...`: rule unit tests, in the spirit of `promtool test rules`.
// Exit 0 when every test passes, 1 when one fails or a file cannot be loaded.
import { formatRuleTests, ruleTestsPassed, runRuleTests } from '../rule-test/run-rule-tests.js';

export function testRules(rules: string, files: string[], out: (line: string) => void): number {
  const result = runRuleTests(rules, files);
  formatRuleTests(result).forEach(out);
  return ruleTestsPassed(result) ? 0 : 1;
}
