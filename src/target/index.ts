export * from './types.js';
export { startTarget, type RunningTarget, type StartOptions } from './launch.js';
export { resolveTarget, loadTargetFile, listTargets, validateTarget, TargetError } from './profile.js';
export { adhocTarget, lookupCommand, transportForUrl, type CommandLookup } from './adhoc.js';
export { parseHeaderFlag, headersFromFlags, headerSecrets, isSecretHeader, redactSecrets, HeaderError, type ParsedHeader } from './headers.js';
export { inferRoles, synthesizeArgs, parseRoleFlag, type ToolInfo } from './roles.js';
export { spawnServer, stopAllServers, readGroupRss, freePort, waitForListening } from './process.js';
export { TARGETS_DIR, SCENARIOS_DIR, PACKAGE_ROOT } from './paths.js';
