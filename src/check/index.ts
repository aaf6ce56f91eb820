/**
 * `tcpscope check`: judge every connection of one or more captures against a policy and give a
 * verdict (exit status 0 clean, 1 abnormal connections, 2 unreadable input or wrong options).
 *
 * The pieces are usable on their own: `Judge` takes flow records (with their evidence) from any
 * source and decides them, or connections as they end in a flow table (`EndingView`), whose
 * records are built only when an output reads them.
 */
export {
  ALL_CONDITIONS, CONDITION_HELP, CONDITION_NAMES, type ConditionMask, DEFAULT_FAIL_MASK, DEFAULT_FAIL_ON, DERIVED_CONDITIONS,
  conditionBit, conditionMask, conditionMaskOfRecord, maskOf, namesOf,
} from './conditions.js';
export { EndingView } from './ending.js';
export { type Evidence, EvidenceCollector } from './evidence.js';
export {
  type CheckedFlow, type CheckRunInfo, type CheckSink, type ConditionTally, type Decision, type DecisionSink, type EndingFlow, type FlowHead, Judge,
  type Outcome, type Verdict, exitStatusOf,
} from './judge.js';
export {
  type EndpointWords, Exemption, type ExemptionSpec, type Policy, type PolicySettings, buildPolicy, defaultPolicy, describePolicy,
  parseConditionList, parsePolicyText, readPolicyFile,
} from './policy.js';
export { type CheckIO, type CheckOptions, defaultCheckIO, runCheck } from './run.js';
