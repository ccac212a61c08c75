import { Uint8ArrayList } from "uint8arraylist";
import { SszSnappyError, SszSnappyErrorCode } from "../errors.ts";

/** Sequential reads from a byte stream that may end. */
export interface ByteSource {
  /** The next byte, or null at the end of the stream. */
  readByte(): Promise<number | null>;
  /** Exactly `n` bytes; UNEXPECTED_EOF if the stream ends first. */
  readExact(n: number): Promise<Uint8Array>;
  /** True if the stream has ended with no unread byte. */
  atEnd(): Promise<boolean>;
}

/**
 * A ByteSource over an async iterable of chunks (a libp2p stream). Buffers only what a read asks for
 * beyond the current chunk; `onFirstByte` fires once, when the first byte arrives (time-to-first-byte).
 */
export class ChunkedByteSource implements ByteSource {
  private readonly iterator: AsyncIterator<Uint8Array | Uint8ArrayList>;
  private readonly buffer = new Uint8ArrayList();
  private ended = false;
  private onFirstByte: (() => void) | null;
  bytesReceived = 0;

  constructor(source: AsyncIterable<Uint8Array | Uint8ArrayList>, onFirstByte?: () => void) {
    this.iterator = source[Symbol.asyncIterator]();
    this.onFirstByte = onFirstByte ?? null;
  }

  /** Pull one more chunk into the buffer; false at the end of the stream. */
  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    for (;;) {
      const next = await this.iterator.next();
      if (next.done) {
        this.ended = true;
        return false;
      }
      const chunk = next.value;
      if (chunk.byteLength === 0) continue;
      this.buffer.append(chunk);
      this.bytesReceived += chunk.byteLength;
      if (this.onFirstByte) {
        const cb = this.onFirstByte;
        this.onFirstByte = null;
        cb();
      }
      return true;
    }
  }

  async readByte(): Promise<number | null> {
    if (this.buffer.byteLength === 0 && !(await this.fill())) return null;
    const byte = this.buffer.get(0);
    this.buffer.consume(1);
    return byte;
  }

  async readExact(n: number): Promise<Uint8Array> {
    while (this.buffer.byteLength < n) {
      if (!(await this.fill())) {
        throw new SszSnappyError(SszSnappyErrorCode.UNEXPECTED_EOF, "stream ended early", {
          wanted: n,
          available: this.buffer.byteLength,
        });
      }
    }
    const out = this.buffer.subarray(0, n);
    this.buffer.consume(n);
    return out;
  }

  async atEnd(): Promise<boolean> {
    return this.buffer.byteLength === 0 && !(await this.fill());
  }
}

/** A ByteSource over bytes in memory (tests, and decoding a whole buffer). */
export class BufferByteSource implements ByteSource {
  private readonly bytes: Uint8Array;
  private pos = 0;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  async readByte(): Promise<number | null> {
    return this.pos < this.bytes.length ? this.bytes[this.pos++] : null;
  }

  async readExact(n: number): Promise<Uint8Array> {
    if (this.pos + n > this.bytes.length) {
      throw new SszSnappyError(SszSnappyErrorCode.UNEXPECTED_EOF, "buffer ended early", {
        wanted: n,
        available: this.bytes.length - this.pos,
      });
    }
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  async atEnd(): Promise<boolean> {
    return this.pos >= this.bytes.length;
  }
}
