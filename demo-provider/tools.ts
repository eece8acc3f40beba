/** Deterministic tool calls for the demo provider's "tool-use" feature (a test fixture). */
import { pickWords, seed32 } from './hash';

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

interface ToolDef {
  type?: unknown;
  function?: { name?: unknown; parameters?: { properties?: Record<string, { type?: unknown; enum?: unknown }> } };
}

function argValue(spec: { type?: unknown; enum?: unknown }, seed: number): unknown {
  if (Array.isArray(spec.enum) && spec.enum.length > 0) return spec.enum[seed % spec.enum.length];
  switch (spec.type) {
    case 'number':
    case 'integer':
      return seed % 100;
    case 'boolean':
      return seed % 2 === 0;
    case 'array':
      return [];
    case 'object':
      return {};
    default:
      return pickWords(seed, 1)[0];
  }
}

/**
 * A call to the forced tool, or to one picked by hash, whenever tools are offered and the
 * conversation does not already end with a tool result: tests get a tool call they can rely on.
 */
export function chooseToolCall(body: Record<string, unknown>, seedInput: string): ToolCall | null {
  const tools = Array.isArray(body.tools) ? (body.tools as ToolDef[]) : [];
  const named = tools.filter((t) => typeof t?.function?.name === 'string');
  const messages = body.messages as { role?: unknown }[];
  if (named.length === 0 || body.tool_choice === 'none' || messages[messages.length - 1]?.role === 'tool') {
    return null;
  }
  const seed = seed32('tool', seedInput);
  const forced = body.tool_choice as { function?: { name?: unknown } } | undefined;
  const tool =
    named.find((t) => typeof forced === 'object' && t.function?.name === forced?.function?.name) ??
    named[seed % named.length];
  const args: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(tool.function?.parameters?.properties ?? {})) {
    args[key] = argValue(spec ?? {}, seed32(seedInput, key));
  }
  return {
    id: `call_${seed.toString(16).padStart(8, '0')}`,
    type: 'function',
    function: { name: tool.function?.name as string, arguments: JSON.stringify(args) },
  };
}
