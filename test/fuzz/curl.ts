/** A request as Schemathesis' NDJSON report records it (headers sanitized per schemathesis.toml). */
export interface RecordedRequest {
  method: string;
  uri: string;
  headers: Record<string, string[]>;
  body?: { $base64: string };
}

export function decode(payload: { $base64: string } | undefined): Buffer {
  return payload ? Buffer.from(payload.$base64, 'base64') : Buffer.alloc(0);
}

/** A curl command that sends the same bytes; the member's key becomes `$KEY` so logs do not carry it. */
export function toCurl(request: RecordedRequest, apiKey: string): string {
  const parts = ['curl', '-sS', '-X', request.method];
  for (const [name, values] of Object.entries(request.headers)) {
    for (const value of values) {
      if (name.toLowerCase() === 'authorization') parts.push('-H', '"Authorization: Bearer $KEY"');
      else parts.push('-H', shellQuote(Buffer.from(`${name}: ${value}`)));
    }
  }
  if (request.body) parts.push('--data-binary', shellQuote(decode(request.body)));
  parts.push(shellQuote(Buffer.from(request.uri)));
  return parts.join(' ').split(apiKey).join('$KEY');
}

/** Plain single quotes when the bytes are printable ASCII, else bash's $'...' with \xHH escapes. */
function shellQuote(bytes: Buffer): string {
  const printable = bytes.every((b) => b >= 0x20 && b < 0x7f);
  if (printable && !bytes.includes(0x27)) return `'${bytes.toString('latin1')}'`;
  let out = '';
  for (const b of bytes) {
    if (b === 0x5c) out += '\\\\';
    else if (b === 0x27) out += "\\'";
    else if (b === 0x0d) out += '\\r';
    else if (b === 0x0a) out += '\\n';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return `$'${out}'`;
}
