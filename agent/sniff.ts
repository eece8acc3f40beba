/**
 * Content types from magic bytes, for outputs whose server did not say (or said only
 * application/octet-stream): the platform serves assets back with the type recorded here.
 */
const SIGNATURES: { type: string; match: (b: Buffer) => boolean }[] = [
  { type: 'image/png', match: (b) => b.readUInt32BE(0) === 0x89504e47 },
  { type: 'image/jpeg', match: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { type: 'image/webp', match: (b) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP' },
  { type: 'image/gif', match: (b) => ascii(b, 0, 4) === 'GIF8' },
  { type: 'audio/wav', match: (b) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WAVE' },
  { type: 'audio/ogg', match: (b) => ascii(b, 0, 4) === 'OggS' },
  { type: 'audio/flac', match: (b) => ascii(b, 0, 4) === 'fLaC' },
  // An MPEG audio frame starts with 11 set sync bits; JPEG (FFD8) was matched above.
  { type: 'audio/mpeg', match: (b) => ascii(b, 0, 3) === 'ID3' || (b[0] === 0xff && (b[1] & 0xe0) === 0xe0) },
  { type: 'video/mp4', match: (b) => ascii(b, 4, 8) === 'ftyp' },
  { type: 'video/webm', match: (b) => b.readUInt32BE(0) === 0x1a45dfa3 },
  { type: 'model/gltf-binary', match: (b) => ascii(b, 0, 4) === 'glTF' },
];

const FALLBACK = 'application/octet-stream';

/** The content type the bytes look like, or application/octet-stream. */
export function sniffContentType(bytes: Buffer): string {
  if (bytes.length < 12) return FALLBACK;
  return SIGNATURES.find((s) => s.match(bytes))?.type ?? FALLBACK;
}

/** The server's content type when it is meaningful, else what the bytes look like. */
export function contentTypeOf(declared: string | null, bytes: Buffer): string {
  const type = declared?.trim();
  return type && !type.toLowerCase().startsWith(FALLBACK) ? type : sniffContentType(bytes);
}

function ascii(b: Buffer, start: number, end: number): string {
  return b.toString('latin1', start, end);
}
