/**
 * Which advertised `supported_features` a chat or completion body needs from its model: a model
 * that lacks one is refused with a 400 naming it, before any provider sees the request.
 */
export function requiredChatFeatures(body: Record<string, unknown>): string[] {
  const features: string[] = [];
  if (body.stream === true) features.push('streaming');
  if ((Array.isArray(body.tools) && body.tools.length > 0) || Array.isArray(body.functions)) features.push('tool-use');
  if (Array.isArray(body.messages) && body.messages.some(hasImagePart)) features.push('vision');
  return features;
}

function hasImagePart(message: unknown): boolean {
  const content = (message as { content?: unknown } | null)?.content;
  return Array.isArray(content) && content.some((part) => (part as { type?: string } | null)?.type === 'image_url');
}
