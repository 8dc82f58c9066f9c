// Public API of the memory boundary: the local store.
export { MemoryStore, StoreVersionError, STORE_FILE, STORE_SCHEMA_VERSION, type StoreData, type StoredMessage, type OpenResult } from './store.js';
export { AtomicJsonFile, StoreCorruptError, fsyncDir } from './atomic-json-file.js';
