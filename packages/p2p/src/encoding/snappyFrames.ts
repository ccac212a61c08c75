import { crc32c } from "@node-rs/crc32";
import { SszSnappyError, SszSnappyErrorCode } from "../errors.ts";
import { compressBlock, maxCompressedLength, uncompressBlock } from "./snappyBlock.ts";

// Snappy framing format (google/snappy framing_format.txt): a stream identifier, then chunks of
// `type (1) | length (3, little-endian) | body`. Data chunks carry a masked CRC-32C of their
// uncompressed bytes, then at most 65536 bytes of data (compressed or raw).

export const ChunkType = {
  COMPRESSED: 0x00,
  UNCOMPRESSED: 0x01,
  PADDING: 0xfe,
  STREAM_IDENTIFIER: 0xff,
} as const;

export const FRAME_HEADER_LENGTH = 4;
export const CHECKSUM_LENGTH = 4;
/** Maximum uncompressed bytes carried by one data chunk. */
export const MAX_CHUNK_DATA = 65536;
const STREAM_IDENTIFIER_BODY = Uint8Array.from([0x73, 0x4e, 0x61, 0x50, 0x70, 0x59]); // "sNaPpY"
export const STREAM_IDENTIFIER = Uint8Array.from([
  ChunkType.STREAM_IDENTIFIER,
  0x06,
  0x00,
  0x00,
  ...STREAM_IDENTIFIER_BODY,
]);
/** Largest body a well-formed chunk can have: a compressed chunk of incompressible 64 KiB. */
export const MAX_FRAME_BODY = CHECKSUM_LENGTH + maxCompressedLength(MAX_CHUNK_DATA);

/** `((crc >> 15) | (crc << 17)) + 0xa282ead8`, over 32 bits. */
export function maskedCrc32c(data: Uint8Array): number {
  const crc = crc32c(data) >>> 0;
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}

/** Frame `data`: stream identifier, then one chunk per 64 KiB, compressed unless that does not shrink it. */
export function encodeSnappyFrames(data: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [STREAM_IDENTIFIER];
  let total = STREAM_IDENTIFIER.length;
  for (let offset = 0; offset < data.length; offset += MAX_CHUNK_DATA) {
    const chunk = data.subarray(offset, Math.min(offset + MAX_CHUNK_DATA, data.length));
    const compressed = compressBlock(chunk);
    const useCompressed = compressed.length < chunk.length;
    const body = useCompressed ? compressed : chunk;
    const header = new Uint8Array(FRAME_HEADER_LENGTH + CHECKSUM_LENGTH);
    const bodyLength = CHECKSUM_LENGTH + body.length;
    header[0] = useCompressed ? ChunkType.COMPRESSED : ChunkType.UNCOMPRESSED;
    header[1] = bodyLength & 0xff;
    header[2] = (bodyLength >>> 8) & 0xff;
    header[3] = (bodyLength >>> 16) & 0xff;
    new DataView(header.buffer).setUint32(FRAME_HEADER_LENGTH, maskedCrc32c(chunk), true);
    parts.push(header, body);
    total += header.length + body.length;
  }
  const out = new Uint8Array(total);
  let pos = 0;
  for (const part of parts) {
    out.set(part, pos);
    pos += part.length;
  }
  return out;
}

export interface FrameHeader {
  type: number;
  length: number;
}

/** Parse a 4-byte chunk header and bound its length before the body is read. */
export function parseFrameHeader(header: Uint8Array): FrameHeader {
  const type = header[0];
  const length = header[1] | (header[2] << 8) | (header[3] << 16);
  if (length > MAX_FRAME_BODY) {
    throw new SszSnappyError(SszSnappyErrorCode.FRAME_TOO_LARGE, "snappy frame longer than any valid chunk", {
      type,
      length,
    });
  }
  return { type, length };
}

/**
 * Decodes the chunks of one framed stream that must yield exactly `expectedLength` bytes. Fed one
 * chunk at a time; returns the chunk's uncompressed data (empty for skippable chunks). Every
 * inconsistency becomes a typed SszSnappyError.
 */
export class SnappyFrameDecoder {
  private readonly expectedLength: number;
  private decodedLength = 0;
  private sawStreamIdentifier = false;

  constructor(expectedLength: number) {
    this.expectedLength = expectedLength;
  }

  get remaining(): number {
    return this.expectedLength - this.decodedLength;
  }

  get done(): boolean {
    return this.sawStreamIdentifier && this.decodedLength === this.expectedLength;
  }

  decodeChunk(type: number, body: Uint8Array): Uint8Array {
    if (type === ChunkType.STREAM_IDENTIFIER) {
      if (body.length !== STREAM_IDENTIFIER_BODY.length || !body.every((b, i) => b === STREAM_IDENTIFIER_BODY[i])) {
        throw new SszSnappyError(SszSnappyErrorCode.MISSING_STREAM_IDENTIFIER, "bad snappy stream identifier");
      }
      this.sawStreamIdentifier = true;
      return EMPTY;
    }
    if (!this.sawStreamIdentifier) {
      throw new SszSnappyError(
        SszSnappyErrorCode.MISSING_STREAM_IDENTIFIER,
        "snappy stream does not start with its identifier",
        {
          type,
        },
      );
    }
    if (type === ChunkType.COMPRESSED || type === ChunkType.UNCOMPRESSED) {
      if (body.length < CHECKSUM_LENGTH) {
        throw new SszSnappyError(SszSnappyErrorCode.INVALID_SNAPPY, "snappy data chunk shorter than its checksum", {
          length: body.length,
        });
      }
      const expectedCrc = new DataView(body.buffer, body.byteOffset, CHECKSUM_LENGTH).getUint32(0, true);
      const payload = body.subarray(CHECKSUM_LENGTH);
      const maxData = Math.min(MAX_CHUNK_DATA, this.remaining);
      let data: Uint8Array;
      if (type === ChunkType.COMPRESSED) {
        data = uncompressBlock(payload, maxData);
      } else {
        if (payload.length > maxData) {
          throw new SszSnappyError(
            SszSnappyErrorCode.TOO_MANY_DECODED_BYTES,
            "uncompressed chunk exceeds the announced length",
            {
              length: payload.length,
              maxData,
            },
          );
        }
        data = payload;
      }
      if (maskedCrc32c(data) !== expectedCrc) {
        throw new SszSnappyError(SszSnappyErrorCode.INVALID_CHECKSUM, "snappy chunk checksum mismatch");
      }
      this.decodedLength += data.length;
      return data;
    }
    if (type >= 0x02 && type <= 0x7f) {
      throw new SszSnappyError(SszSnappyErrorCode.RESERVED_FRAME_TYPE, "reserved unskippable snappy chunk", { type });
    }
    // 0x80..0xfd reserved skippable, 0xfe padding: skip
    return EMPTY;
  }
}

const EMPTY = new Uint8Array(0);
