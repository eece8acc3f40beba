/** The longest text answer kept in a request's history. */
export const MAX_ANSWER_TEXT = 64 * 1024;

/**
 * The text of an answer, for the history: a chat's messages, a completion's text, a transcription.
 * Undefined for answers that are not text (their outputs are assets). Pure: workflows use it.
 */
export function answerText(body: unknown): string | undefined {
  if (typeof body === 'string') return cap(body);
  if (body === null || typeof body !== 'object') return undefined;
  const answer = body as { choices?: unknown; text?: unknown };
  if (Array.isArray(answer.choices)) {
    const texts = answer.choices.map((c: { message?: { content?: unknown }; text?: unknown } | null) =>
      typeof c?.message?.content === 'string' ? c.message.content : typeof c?.text === 'string' ? c.text : '',
    );
    return cap(texts.join('\n\n'));
  }
  if (typeof answer.text === 'string') return cap(answer.text);
  return undefined;
}

function cap(text: string): string {
  return text.length > MAX_ANSWER_TEXT ? text.slice(0, MAX_ANSWER_TEXT) : text;
}

/**
 * Collects the text of a streamed answer from its server-sent events, chunk by chunk, as they pass
 * (chat deltas and completion text), within MAX_ANSWER_TEXT.
 */
export class StreamedText {
  private pending = '';
  private text = '';
  private readonly decoder = new TextDecoder();

  push(chunk: Uint8Array): void {
    this.pending += this.decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, newline).trim();
      this.pending = this.pending.slice(newline + 1);
      if (line.startsWith('data:')) this.event(line.slice(5).trim());
    }
    if (this.pending.length > MAX_ANSWER_TEXT) this.pending = '';
  }

  get value(): string {
    return this.text;
  }

  private event(data: string): void {
    if (data === '[DONE]' || this.text.length >= MAX_ANSWER_TEXT) return;
    let parsed: { choices?: { delta?: { content?: unknown }; text?: unknown }[] };
    try {
      parsed = JSON.parse(data) as typeof parsed;
    } catch {
      return;
    }
    for (const choice of parsed.choices ?? []) {
      const piece = typeof choice.delta?.content === 'string' ? choice.delta.content : choice.text;
      if (typeof piece === 'string') this.text = cap(this.text + piece);
    }
  }
}
