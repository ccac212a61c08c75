import { encode as encodeVarint, encodingLength } from "uint8-varint";
import { SszSnappyError, SszSnappyErrorCode } from "../errors.ts";
import type { ByteSource } from "./byteSource.ts";
import { maxCompressedLength } from "./snappyBlock.ts";
import { encodeSnappyFrames, FRAME_HEADER_LENGTH, parseFrameHeader, SnappyFrameDecoder } from "./snappyFrames.ts";

// The ssz_snappy req/resp encoding: `varint(len(ssz)) | snappy_frames(ssz)`.

/** A protobuf varint is at most 10 bytes (enough for any uint64). */
const MAX_VARINT_BYTES = 10;

/** Allowed uncompressed sizes of a payload: the SSZ type's bounds, capped by MAX_PAYLOAD_SIZE. */
export interface SizeBounds {
  minSize: number;
  maxSize: number;
}

export function encodeSszSnappy(ssz: Uint8Array): Uint8Array {
  const prefixLength = encodingLength(ssz.length);
  const frames = encodeSnappyFrames(ssz);
  const out = new Uint8Array(prefixLength + frames.length);
  encodeVarint(ssz.length, out, 0);
  out.set(frames, prefixLength);
  return out;
}

/** Read an unsigned protobuf varint of at most 10 bytes; null if the stream ends before its first byte. */
export async function readVarint(source: ByteSource): Promise<number | null> {
  let value = 0;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    const byte = await source.readByte();
    if (byte === null) {
      if (i === 0) return null;
      throw new SszSnappyError(SszSnappyErrorCode.UNEXPECTED_EOF, "stream ended inside a varint");
    }
    value += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) return value;
  }
  throw new SszSnappyError(SszSnappyErrorCode.INVALID_VARINT, "varint longer than 10 bytes");
}

/**
 * Read one ssz_snappy payload: validate the length prefix against `bounds` before reading anything else,
 * then read frames until exactly that many bytes are decoded, never more than `max_encoded_len(n)` bytes.
 * Returns the SSZ bytes (not yet deserialized). Throws UNEXPECTED_EOF with `data.atStart` when the
 * stream ended before the prefix.
 */
export async function readSszSnappyPayload(source: ByteSource, bounds: SizeBounds): Promise<Uint8Array> {
  const length = await readVarint(source);
  if (length === null) {
    throw new SszSnappyError(SszSnappyErrorCode.UNEXPECTED_EOF, "stream ended before the length prefix", {
      atStart: true,
    });
  }
  if (length < bounds.minSize || length > bounds.maxSize) {
    throw new SszSnappyError(SszSnappyErrorCode.LENGTH_OUT_OF_BOUNDS, "length prefix outside the type's bounds", {
      length,
      minSize: bounds.minSize,
      maxSize: bounds.maxSize,
    });
  }
  const maxEncoded = maxCompressedLength(length);
  const decoder = new SnappyFrameDecoder(length);
  const out = new Uint8Array(length);
  let encodedRead = 0;
  let offset = 0;
  while (!decoder.done) {
    const header = parseFrameHeader(await source.readExact(FRAME_HEADER_LENGTH));
    encodedRead += FRAME_HEADER_LENGTH + header.length;
    if (encodedRead > maxEncoded) {
      throw new SszSnappyError(SszSnappyErrorCode.TOO_MANY_ENCODED_BYTES, "more than max_encoded_len bytes", {
        length,
        maxEncoded,
        encodedRead,
      });
    }
    const data = decoder.decodeChunk(header.type, await source.readExact(header.length));
    out.set(data, offset);
    offset += data.length;
  }
  return out;
}

/** Decode a buffer that holds exactly one ssz_snappy payload (a whole request). */
export async function decodeSszSnappy(source: ByteSource, bounds: SizeBounds): Promise<Uint8Array> {
  const ssz = await readSszSnappyPayload(source, bounds);
  if (!(await source.atEnd())) {
    throw new SszSnappyError(SszSnappyErrorCode.TRAILING_BYTES, "bytes after the payload");
  }
  return ssz;
}
