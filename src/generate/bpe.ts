// The byte-level BPE tokenizer of llama2.c checkpoints (SentencePiece pieces with scores, `▁` already
// turned into a space, byte fallback as `<0xXX>` tokens at id byte + 3), encoding and decoding exactly
// as llama2.c's `run.c` does: a dummy-prefix space, one token per UTF-8 code point (or its bytes), then
// repeatedly the adjacent pair whose merge has the best score. Pieces are handled as bytes, so a piece
// that is not valid UTF-8 on its own round-trips. The file format and the metadata form are here too.

export class TokenizerError extends Error {
  override readonly name = 'TokenizerError';
}

export const BOS = 1;
export const EOS = 2;
const BYTE_OFFSET = 3; // <0x00> is token 3 in llama2.c vocabularies

/** What a model file carries: the pieces as one base64 blob plus their lengths, and their scores. */
export interface BpeTokenizerJson {
  format: 'llama2c-bpe';
  version: 1;
  maxTokenLength: number;
  /** base64 of every piece's bytes, concatenated. */
  pieces: string;
  lengths: number[];
  scores: number[];
  /** Pieces matched whole in the input before any merge and never merged (SentencePiece's
   * user-defined symbols: chat roles, `<CALL:`…). Absent: none. */
  userSymbols?: string[];
}

// Pieces are kept as "binary strings" (one char per byte, latin1) so Map lookups are byte-exact.
const toBinary = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
const fromBinary = (s: string): Buffer => Buffer.from(s, 'latin1');

export class BpeTokenizer {
  private readonly ids = new Map<string, number>();
  /** User symbols as binary strings, longest first (the longest match wins, as in SentencePiece). */
  private readonly symbols: string[];

  private constructor(
    private readonly pieces: string[],
    private readonly scores: Float32Array,
    readonly maxTokenLength: number,
    userSymbols: readonly string[] = [],
  ) {
    // run.c looks pieces up by binary search over the sorted vocabulary; with no duplicates (checked
    // on load) any lookup finds the one id.
    pieces.forEach((p, i) => { if (!this.ids.has(p)) this.ids.set(p, i); });
    this.symbols = userSymbols.map((u) => toBinary(Buffer.from(u, 'utf8'))).sort((a, b) => b.length - a.length);
    for (const s of this.symbols) {
      if (s.length === 0 || !this.ids.has(s)) throw new TokenizerError(`tokenizer: user symbol ${JSON.stringify(fromBinary(s).toString('utf8'))} is not a piece of the vocabulary`);
    }
  }

  /** The user symbols (chat roles, tool-call markers) this tokenizer keeps whole. */
  get userSymbols(): string[] {
    return this.symbols.map((s) => fromBinary(s).toString('utf8'));
  }

  /** The same vocabulary, keeping these pieces whole in the input (SentencePiece's user-defined symbols). */
  withUserSymbols(symbols: readonly string[]): BpeTokenizer {
    return new BpeTokenizer(this.pieces, this.scores, this.maxTokenLength, symbols);
  }

  get vocabSize(): number { return this.pieces.length; }

  /** Reads llama2.c's tokenizer.bin: int32 max_token_length, then per token float32 score, int32 length, bytes. */
  static fromLlama2cBin(bytes: Uint8Array, vocabSize: number): BpeTokenizer {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const need = (off: number, n: number, what: string): void => {
      if (off + n > bytes.byteLength) throw new TokenizerError(`tokenizer: truncated at byte ${off} (reading ${what}; file has ${bytes.byteLength} bytes for ${vocabSize} tokens)`);
    };
    need(0, 4, 'max_token_length');
    const maxTokenLength = view.getInt32(0, true);
    if (maxTokenLength < 1 || maxTokenLength > 1024) throw new TokenizerError(`tokenizer: max_token_length ${maxTokenLength} is not plausible (not a llama2.c tokenizer.bin?)`);
    const pieces: string[] = [];
    const scores = new Float32Array(vocabSize);
    let off = 4;
    for (let i = 0; i < vocabSize; i++) {
      need(off, 8, `token ${i}`);
      scores[i] = view.getFloat32(off, true);
      const len = view.getInt32(off + 4, true);
      if (len < 0 || len > maxTokenLength) throw new TokenizerError(`tokenizer: token ${i} has length ${len} (max_token_length ${maxTokenLength})`);
      off += 8;
      need(off, len, `token ${i}'s bytes`);
      pieces.push(toBinary(bytes.subarray(off, off + len)));
      off += len;
    }
    if (off !== bytes.byteLength) throw new TokenizerError(`tokenizer: ${bytes.byteLength - off} bytes after the ${vocabSize} tokens the model has (tokenizer for another model?)`);
    return BpeTokenizer.checked(pieces, scores, maxTokenLength);
  }

  static fromJson(j: BpeTokenizerJson): BpeTokenizer {
    if (j?.format !== 'llama2c-bpe' || j.version !== 1) throw new TokenizerError(`tokenizer: unsupported format ${JSON.stringify(j?.format)} version ${JSON.stringify(j?.version)}`);
    if (!Array.isArray(j.lengths) || !Array.isArray(j.scores) || j.lengths.length !== j.scores.length) throw new TokenizerError('tokenizer: lengths and scores must be arrays of one length');
    const all = Buffer.from(j.pieces, 'base64');
    const pieces: string[] = [];
    let off = 0;
    for (const len of j.lengths) {
      if (!Number.isInteger(len) || len < 0 || off + len > all.length) throw new TokenizerError('tokenizer: piece lengths do not match the piece bytes');
      pieces.push(toBinary(all.subarray(off, off + len)));
      off += len;
    }
    if (off !== all.length) throw new TokenizerError('tokenizer: piece lengths do not match the piece bytes');
    if (j.userSymbols !== undefined && (!Array.isArray(j.userSymbols) || !j.userSymbols.every((u) => typeof u === 'string'))) throw new TokenizerError('tokenizer: userSymbols must be an array of strings');
    return BpeTokenizer.checked(pieces, Float32Array.from(j.scores), j.maxTokenLength, j.userSymbols ?? []);
  }

  private static checked(pieces: string[], scores: Float32Array, maxTokenLength: number, userSymbols: readonly string[] = []): BpeTokenizer {
    if (pieces.length <= BYTE_OFFSET + 255) throw new TokenizerError(`tokenizer: ${pieces.length} tokens cannot hold <unk>, <s>, </s> and 256 byte tokens`);
    const seen = new Set<string>();
    pieces.forEach((p, i) => {
      if (seen.has(p)) throw new TokenizerError(`tokenizer: piece ${JSON.stringify(fromBinary(p).toString('utf8'))} appears twice (id ${i})`);
      seen.add(p);
    });
    return new BpeTokenizer(pieces, scores, maxTokenLength, userSymbols);
  }

  toJson(): BpeTokenizerJson {
    const bufs = this.pieces.map(fromBinary);
    return {
      format: 'llama2c-bpe', version: 1, maxTokenLength: this.maxTokenLength, pieces: Buffer.concat(bufs).toString('base64'), lengths: bufs.map((b) => b.length), scores: Array.from(this.scores),
      ...(this.symbols.length > 0 ? { userSymbols: this.userSymbols } : {}),
    };
  }

  /** run.c's encode(): optional BOS, the dummy-prefix space, code points (bytes + 3 when unknown), best-score merges, optional EOS.
   * User symbols are matched first and stay whole: no merge touches them (SentencePiece's rule). */
  encode(text: string, bos = true, eos = false): number[] {
    const tokens: number[] = [];
    if (bos) tokens.push(BOS);
    const bytes = Buffer.from(text, 'utf8');
    if (bytes.length > 0) {
      const space = this.ids.get(' ');
      if (space === undefined) throw new TokenizerError('tokenizer: no " " piece for the dummy prefix');
      tokens.push(space);
    }
    const whole = tokens.map(() => false); // in step with `tokens`: true where it holds a user symbol
    const push = (id: number, isSymbol = false): void => { tokens.push(id); whole.push(isSymbol); };
    const binary = this.symbols.length > 0 ? toBinary(bytes) : '';
    let start = 0;
    for (let i = 0; i < bytes.length; i++) {
      if (i === start && this.symbols.length > 0) {
        const sym = this.symbols.find((s) => binary.startsWith(s, i));
        if (sym !== undefined) {
          push(this.ids.get(sym)!, true);
          i += sym.length - 1;
          start = i + 1;
          continue;
        }
      }
      // A code point ends where the next byte is not a continuation byte (or after 4 bytes, as run.c caps it).
      const next = bytes[i + 1];
      if (next !== undefined && (next & 0xc0) === 0x80 && i + 1 - start < 4) continue;
      const cp = toBinary(bytes.subarray(start, i + 1));
      const id = this.ids.get(cp);
      if (id !== undefined) push(id);
      else for (const b of bytes.subarray(start, i + 1)) push(b + BYTE_OFFSET);
      start = i + 1;
    }
    for (;;) {
      let bestScore = -1e10;
      let bestId = -1;
      let bestIdx = -1;
      for (let i = 0; i < tokens.length - 1; i++) {
        if (whole[i] || whole[i + 1]) continue;
        const id = this.ids.get(this.pieces[tokens[i]!]! + this.pieces[tokens[i + 1]!]!);
        if (id !== undefined && this.scores[id]! > bestScore) { bestScore = this.scores[id]!; bestId = id; bestIdx = i; }
      }
      if (bestIdx === -1) break;
      tokens.splice(bestIdx, 2, bestId);
      whole.splice(bestIdx, 2, false);
    }
    if (eos) tokens.push(EOS);
    return tokens;
  }

  /** run.c's decode(): the piece's bytes, without the leading space right after BOS, raw bytes for <0xXX>. */
  decodeBytes(prev: number, token: number): Uint8Array {
    const piece = this.pieces[token];
    if (piece === undefined) throw new TokenizerError(`tokenizer: token ${token} is outside the vocabulary (${this.pieces.length})`);
    const m = /^<0x([0-9A-Fa-f]{2})>/.exec(piece);
    if (m !== null) return Uint8Array.of(parseInt(m[1]!, 16));
    const out = fromBinary(piece);
    return prev === BOS && out[0] === 0x20 ? out.subarray(1) : out;
  }

  /** Whether run.c's safe_printf prints this piece (a lone byte must be printable or whitespace). */
  static printable(piece: Uint8Array): boolean {
    if (piece.length === 0) return false;
    if (piece.length > 1) return true;
    const b = piece[0]!;
    return (b >= 0x20 && b <= 0x7e) || (b >= 0x09 && b <= 0x0d); // isprint || isspace in the C locale
  }

  /** Text of a token sequence (no BOS/EOS handling beyond run.c's decode rules), bytes joined then read as UTF-8. */
  decode(tokens: readonly number[]): string {
    const parts: Uint8Array[] = [];
    for (let i = 0; i < tokens.length; i++) {
      if (tokens[i] === BOS || tokens[i] === EOS) continue;
      parts.push(this.decodeBytes(i === 0 ? BOS : tokens[i - 1]!, tokens[i]!));
    }
    return Buffer.concat(parts).toString('utf8');
  }
}
