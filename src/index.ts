// Public API of the stella-doctor package.

export { runDoctor, type DoctorOptions } from './doctor.js';
export { loadConfiguration, type ConfigLoadOptions } from './config/load.js';
export { Configuration, ConfigError } from './config/configuration.js';
export type { Selection } from './engine/selection.js';
export type { RunEvent } from './engine/run.js';
export type * from './engine/types.js';
export { allChecks, PLUGINS } from './plugins/index.js';
export { DOCTOR_VERSION } from './version.js';
