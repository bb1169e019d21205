import { AtlasError } from '@atlas/errors';

/** The consumer answered a replayed dead letter with something else than 2xx, or not at all. */
export class ReplayRejectedError extends AtlasError {
  readonly code = 'ATLAS_REPLAY_REJECTED';
  readonly status = 502;
  readonly title = 'The consumer did not accept the replayed event';
}
