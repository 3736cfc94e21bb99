/** The old home of the nock loader, kept for the test files not yet moved to `test/helpers/nock`. */
export { nock as default } from '../helpers/nock'
