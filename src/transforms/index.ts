/** The transform chain's public surface. */
export {
  type ChainOptions,
  type ErrorHandlingConfig,
  TransformChain,
  type TransformOutcome,
} from './chain.ts';
export { type FlatConfig, loadConfigFile, parseJsonConfig, parsePropertiesConfig } from './config-source.ts';
export { knownTransformNames } from './registry.ts';
export type { AvroSchema } from './schema.ts';
export type { RecordSchemas } from './types.ts';
