import { actionsOf, type JsonObject, policyStatements } from './cfn-template.ts';

/**
 * Actions the predecessor's console-made policy held and a producer never needs: reading the topic back
 * and scanning the metadata table.
 */
export const FORBIDDEN_ACTIONS: readonly string[] = ['dynamodb:Scan', 'kafka-cluster:ReadData'];

/**
 * Least-privilege problems in every policy statement of a template (identity and resource policies,
 * on every conditional branch): wildcard actions such as `*`, `sqs:*` or `kafka-cluster:*Topic*`,
 * `NotAction` (which grants everything not listed), and the forbidden actions above.
 */
export function leastPrivilegeFindings(template: JsonObject): string[] {
  const findings: string[] = [];
  for (const { where, statement } of policyStatements(template)) {
    if (statement.Effect === 'Deny') continue;
    if (statement.NotAction !== undefined) {
      findings.push(`${where}: NotAction grants every action it does not list; list the actions instead`);
    }
    for (const action of actionsOf(statement)) {
      if (action.includes('*')) findings.push(`${where}: wildcard action "${action}"`);
      const forbidden = FORBIDDEN_ACTIONS.find((name) => name.toLowerCase() === action.toLowerCase());
      if (forbidden !== undefined) findings.push(`${where}: ${forbidden} is not needed by a producer`);
    }
  }
  return findings;
}
