export { startTestApi } from './test-api.ts';
export type {
  CallOptions,
  ServedRoutes,
  ServiceTestApi,
  ServiceTestApiOptions,
  StatelessTestApiOptions,
  TestApi,
} from './test-api.ts';
