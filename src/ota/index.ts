// Public API of the OTA boundary: the model.bin bundle format (shared with the ota/ workstation tool).
export { buildBundle, packBundle, verifyBundle, readManifestUnverified, keyId, loadPublicKey, manifestSchema, BundleError, BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, MANIFEST_NAME, SIGNATURE_NAME, type Manifest, type PayloadInput, type VerifiedBundle, type VerifyOptions, type BundleErrorCode } from './bundle-format.js';
export { OtaAgent, OtaError, compareVersions, type CandidateCheck, type ModelHost, type ModelState, type OtaAgentOptions, type OtaPhase, type InstallResult, type Slot } from './agent.js';
export { OtaTransfer, offerSchema, type Offer, type OtaStatus, type TransferIo } from './transfer.js';
