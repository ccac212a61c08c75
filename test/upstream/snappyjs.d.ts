// Minimal typings for the untyped `snappyjs` package (raw/block snappy format).
declare module "snappyjs" {
  type SnappyBuffer = Uint8Array | ArrayBuffer;
  const SnappyJS: {
    uncompress<T extends SnappyBuffer>(compressed: T, maxLength?: number): T;
    compress<T extends SnappyBuffer>(uncompressed: T): T;
  };
  export default SnappyJS;
}
