import type { DotConfig } from '../../src/kconfig/dotconfig.ts';
import { assignmentsOf, evaluate, type Evaluation } from '../../src/kconfig/evaluate.ts';
import { explainSymbol } from '../../src/kconfig/explain.ts';
import type { KconfigTree } from '../../src/kconfig/tree.ts';

/** What `audit` hands auditConfig for an evaluated audit: the olddefconfig result and explain's reasons. */
export function evaluatedInput(tree: KconfigTree, config: DotConfig): { evaluation: Evaluation; kbuildReason: (s: string) => string } {
  const evaluation = evaluate(tree, { mode: 'olddefconfig', config: assignmentsOf(config) });
  return { evaluation, kbuildReason: (s) => explainSymbol(evaluation, s).reason };
}
