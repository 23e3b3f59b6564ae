export type { Engine, Finding, Location, RelatedLocation, Severity, Stack, StackFrame, TestRef } from './finding.js';
export { compareFindings, isSeverity, severityAtLeast, sortFindings } from './finding.js';
export type { CatalogEntry } from './catalog.js';
export { catalog, catalogIds, docsPath, docsUrl, getEntry, requireEntry, REPO_URL } from './catalog.js';
export type { LineReader } from './fingerprint.js';
export { assignFingerprints, fileLineReader, fingerprintOf } from './fingerprint.js';
