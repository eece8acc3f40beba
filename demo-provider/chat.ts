/**
 * /v1/chat/completions and /v1/completions of the demo provider, a deterministic test/benchmark
 * fixture: replies echo the prompt plus hash-chosen words, so identical requests give identical bytes.
 * A prompt that asks for JSON and shows its shape (or `response_format` JSON) gets JSON of that
 * shape instead (see json-reply.ts).
 */
import { resolveModel } from './catalogue';
import type { DemoModel } from './catalogue';
import type { Exchange } from './http';
import { DemoError, badRequest, readJson, sendJson, sleep } from './http';
import type { SseEvent } from './sse';
import { streamEvents } from './sse';
import { jsonAskOf, jsonReplyText } from './json-reply';
import { countTokens, fixedReply, identity, maxTokensOf, replyTo } from './text-gen';
import type { TextReply } from './text-gen';
import { chooseToolCall } from './tools';

/**
 * demo-chat-slow answers like a big model on a small GPU: a long reply (about 60 words) at two
 * tokens a second, streamed at that pace, or all at once after the same 30 s when not streamed.
 */
const SLOW_TOKENS_PER_SECOND = 2;
const SLOW_REPLY_WORDS = 60;
const isSlow = (model: DemoModel) => model.id === 'demo-chat-slow';

interface Message {
  role?: unknown;
  content?: unknown;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((p: { type?: unknown; text?: unknown }) => (p?.type === 'text' && typeof p.text === 'string' ? p.text : ''))
    .filter(Boolean)
    .join(' ');
}

/** Shared behaviour of the special models, before any byte is written. */
async function prepare(ex: Exchange): Promise<{ body: Record<string, unknown>; model: DemoModel }> {
  const body = await readJson(ex.req);
  const model = resolveModel(body.model, 'llm');
  if (model.id === 'demo-chat-error') throw new DemoError(500, 'server_error', 'demo upstream failure');
  return { body, model };
}

/** The slow model's pace: buffered answers wait as long as their stream would take. */
async function slowDown(ex: Exchange, model: DemoModel, tokens: number, streamed: boolean): Promise<Exchange> {
  if (!isSlow(model)) return ex;
  if (!streamed) await sleep((tokens * 1000) / SLOW_TOKENS_PER_SECOND, ex.signal);
  return { ...ex, tokensPerSecond: SLOW_TOKENS_PER_SECOND };
}

function usage(prompt: number, completion: number): Record<string, number> {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

function wantsUsage(body: Record<string, unknown>): boolean {
  const opts = body.stream_options as { include_usage?: unknown } | undefined;
  return opts?.include_usage === true;
}

/** JSON of the asked shape when the prompt (or response_format) asks for it, else the echo reply. */
function answer(
  seedInput: string,
  prompt: string,
  instructions: string[],
  responseFormat: unknown,
  maxTokens: number | null,
  model: DemoModel,
): TextReply {
  const ask = jsonAskOf(prompt, instructions, responseFormat);
  if (ask) return fixedReply(jsonReplyText(seedInput, ask), maxTokens);
  return replyTo(seedInput, prompt, maxTokens, isSlow(model) ? SLOW_REPLY_WORDS : 0);
}

export async function chatCompletions(ex: Exchange): Promise<void> {
  const { body, model } = await prepare(ex);
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) throw badRequest("'messages' must be a non-empty array");
  if (!messages.every((m: Message) => typeof m === 'object' && m !== null && typeof m.role === 'string')) {
    throw badRequest("Each message needs a string 'role'");
  }
  const maxTokens = maxTokensOf(body);
  const seedInput = JSON.stringify([model.id, messages, body.tools ?? null]);
  const { id, created } = identity('chatcmpl', seedInput);
  const lastUser = [...(messages as Message[])].reverse().find((m) => m.role === 'user');
  const promptTokens = messages.reduce((n: number, m: Message) => n + countTokens(textOf(m.content)), 0);
  const toolCall = model.supported_features.includes('tool-use') ? chooseToolCall(body, seedInput) : null;
  const instructions = (messages as Message[])
    .filter((m) => m.role === 'system' || m.role === 'developer')
    .map((m) => textOf(m.content));
  const reply = answer(seedInput, textOf(lastUser?.content), instructions, body.response_format, maxTokens, model);
  const paced = await slowDown(ex, model, reply.pieces.length, body.stream === true);
  const content = reply.pieces.join('');
  const completionTokens = toolCall ? Math.ceil(toolCall.function.arguments.length / 4) + 1 : reply.pieces.length;
  const finishReason = toolCall ? 'tool_calls' : reply.finishReason;
  const head = (object: string): Record<string, unknown> => ({
    id,
    object,
    created,
    model: model.id,
    system_fingerprint: 'fp_demo',
  });

  if (body.stream !== true) {
    const message = toolCall
      ? { role: 'assistant', content: null, tool_calls: [toolCall] }
      : { role: 'assistant', content };
    sendJson(ex.res, 200, {
      ...head('chat.completion'),
      choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
      usage: usage(promptTokens, completionTokens),
    });
    return;
  }
  const chunk = (delta: unknown, finish: string | null = null): unknown => ({
    ...head('chat.completion.chunk'),
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });
  const events: SseEvent[] = [{ data: chunk({ role: 'assistant', content: '' }), paced: false }];
  if (toolCall) {
    const { name, arguments: args } = toolCall.function;
    const opening = { index: 0, id: toolCall.id, type: 'function', function: { name, arguments: '' } };
    events.push({ data: chunk({ tool_calls: [opening] }), paced: true });
    events.push({ data: chunk({ tool_calls: [{ index: 0, function: { arguments: args } }] }), paced: true });
  } else {
    for (const piece of reply.pieces) events.push({ data: chunk({ content: piece }), paced: true });
  }
  events.push({ data: chunk({}, finishReason), paced: false });
  if (wantsUsage(body)) {
    const data = { ...head('chat.completion.chunk'), choices: [], usage: usage(promptTokens, completionTokens) };
    events.push({ data, paced: false });
  }
  await streamEvents(paced, events);
}

export async function completions(ex: Exchange): Promise<void> {
  const { body, model } = await prepare(ex);
  const raw = body.prompt;
  const prompts = typeof raw === 'string' ? [raw] : Array.isArray(raw) && raw.length > 0 ? raw : null;
  if (!prompts || !prompts.every((p) => typeof p === 'string')) {
    throw badRequest("'prompt' must be a string or a non-empty array of strings");
  }
  const maxTokens = maxTokensOf(body);
  const seedInput = JSON.stringify([model.id, prompts]);
  const { id, created } = identity('cmpl', seedInput);
  const replies = (prompts as string[]).map((p, i) => answer(`${seedInput}#${i}`, p, [], null, maxTokens, model));
  const paced = await slowDown(
    ex,
    model,
    replies.reduce((n, r) => n + r.pieces.length, 0),
    body.stream === true,
  );
  const promptTokens = (prompts as string[]).reduce((n, p) => n + countTokens(p), 0);
  const completionTokens = replies.reduce((n, r) => n + r.pieces.length, 0);
  const base = { id, object: 'text_completion', created, model: model.id };

  if (body.stream !== true) {
    const choices = replies.map((r, index) => ({
      text: r.pieces.join(''),
      index,
      logprobs: null,
      finish_reason: r.finishReason,
    }));
    sendJson(ex.res, 200, { ...base, choices, usage: usage(promptTokens, completionTokens) });
    return;
  }
  const chunk = (index: number, text: string, finish: string | null): unknown => ({
    ...base,
    choices: [{ text, index, logprobs: null, finish_reason: finish }],
  });
  const events: SseEvent[] = [];
  replies.forEach((r, index) => {
    for (const piece of r.pieces) events.push({ data: chunk(index, piece, null), paced: true });
    events.push({ data: chunk(index, '', r.finishReason), paced: false });
  });
  if (wantsUsage(body)) {
    events.push({ data: { ...base, choices: [], usage: usage(promptTokens, completionTokens) }, paced: false });
  }
  await streamEvents(paced, events);
}
