export { PAYLOAD_FIXTURES, TEST_CONTEXT } from './fixtures.ts';
