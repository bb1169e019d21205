/** A configuration value is missing or malformed; raised at start-up, never per request. */
export class ConfigError extends Error {
  readonly code = 'ATLAS_CONFIG_INVALID';
  readonly variable: string;

  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}
