// `explain`'s public face (src/kconfig/explain/): why a symbol has its value
// (symbol.ts: the model in model.ts, the chain in chain.ts, the reason in reason.ts,
// suggestions in suggest.ts, the policy's names in policy-name.ts), the fragment
// check (missing.ts) and the unneeded analysis (unneeded.ts). Text: src/cli/explain-text.ts.

export type { Explanation, Relation, Step } from './explain/model.ts';
export { explainSymbol } from './explain/symbol.ts';
export { explainCasualty, missingOptions } from './explain/missing.ts';
export { unneededOptions } from './explain/unneeded.ts';
export { policyName } from './explain/policy-name.ts';
