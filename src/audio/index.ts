// Public API of the voice frontend (#12): audio in, features out. Capture, wake word and TTS land here too.
export { MicroFrontend, computeFeatures, toFloatFeatures, FEATURE_SCALE } from './frontend.js';
export { DEFAULT_FRONTEND_CONFIG, computeFrontendTables, type FrontendConfig, type FrontendTables } from './frontend-tables.js';
export { parseWav, readWav, encodeWav, toMono, toMono16k, to16kMono, WavError, type Wav, type WavErrorCode } from './wav.js';
export { resample, Resampler } from './resample.js';
export {
  FEATURE_CHANNELS, FRAME_MS, StreamingModel, WakeWordDetector, WakeWords, loadConfiguredWakeWords, parseManifest, readModelFiles, resolveModelsDir,
  type Detection, type DetectorOptions, type Manifest, type WakeConfig, type WakeWordSpec,
} from './wakeword.js';
export {
  DEFAULT_END_OF_SPEECH, DEFAULT_ENERGY_VAD, EndOfSpeech, EnergyVoiceActivity, VoiceActivity, loadVoiceActivity, segmentSpeech,
  type EndOfSpeechEvent, type EndOfSpeechTimings, type EnergyVadOptions, type LoadVoiceActivityOptions, type SpeechDecision, type SpeechDetector, type VadKind, type VoiceActivityOptions,
} from './vad.js';
export { AudioSource, WavFileSource, StdinPcmSource, ArecordSource, checkAlsaDevice, FRAME_SAMPLES, type AudioSourceEvents, type AudioSourceOptions, type ArecordOptions, type SourceStatus } from './capture.js';
