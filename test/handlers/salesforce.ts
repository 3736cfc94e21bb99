/**
 * The old home of the handler tests' Salesforce stubs, kept for the test files not yet moved to
 * `test/helpers/nock` and `test/helpers/scim-bodies`; new tests import from there.
 */
export { CONFIG, SCIM, recorder, salesforce, unmatched, useNock as useSalesforceStubs } from '../helpers/nock'
export { listResponse, patchOp, scimError, userWith } from '../helpers/scim-bodies'
