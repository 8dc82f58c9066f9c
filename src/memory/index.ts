// Public API of the memory boundary: the local store, its schema, its archive.
export { MemoryStore, StoreVersionError, STORE_FILE, ARCHIVE_DIR, defaultStoreOptions, foldText, type OpenResult, type StoreOptions, type TurnRecord } from './store.js';
export { STORE_SCHEMA_VERSION, freshData, migrate, type StoreData, type StoredMessage, type StoredSlot, type TurnMetric, type Episode, type ListItem, type Note, type StoredTimer, type KnowledgeBin, type FluidCall } from './schema.js';
export { Archive, type ArchiveRecord } from './archive.js';
export { AtomicJsonFile, StoreCorruptError, fsyncDir, writeFileAtomic } from './atomic-json-file.js';
export { exportDialogues, backupMemory, restoreMemory, runningDaemonPid, writePidFile, removePidFile, RestoreError, PID_FILE, type ExportedTurn } from './portability.js';
