/**
 * What the simulated client offers the server: the capabilities it declares in `initialize`, and
 * its answers to the server's own requests (`roots/list`, `elicitation/create`,
 * `sampling/createMessage`), as the client profile says. Anything else the server asks for is
 * answered with -32601. Every server request is reported (and counted in the result).
 */
import { pathToFileURL } from 'node:url';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ErrorCode,
  ListRootsRequestSchema,
  McpError,
  type ClientCapabilities,
  type ElicitResult,
} from '@modelcontextprotocol/sdk/types.js';
import { sampleValue } from '../target/schema-sample.js';
import type { ClientCapabilitiesModel } from './types.js';

/** The text a `sampling/createMessage` gets: no model is called. */
export const SAMPLING_ANSWER = 'mcp-reliability: simulated sampling answer (no model was called)';

export function declaredCapabilities(model: ClientCapabilitiesModel): ClientCapabilities {
  const caps: ClientCapabilities = {};
  if (model.roots.declared) caps.roots = { listChanged: true };
  // Form mode, with the SDK filling omitted fields from the schema's defaults (SEP-1034).
  if (model.elicitation.declared) caps.elicitation = { form: { applyDefaults: true } };
  if (model.sampling.declared) caps.sampling = {};
  return caps;
}

type RequestedSchema = { properties?: Record<string, Record<string, unknown>>; required?: string[] };

/** An `accept` answer: every field with a default gets it (the SDK applies those), every required one without a value. */
export function acceptedContent(schema: RequestedSchema | undefined): Record<string, string | number | boolean | string[]> {
  const content: Record<string, string | number | boolean | string[]> = {};
  for (const key of schema?.required ?? []) {
    const prop = schema?.properties?.[key];
    if (prop && prop.default !== undefined) continue;
    const value = sampleValue(prop);
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || Array.isArray(value)) {
      content[key] = value as string | number | boolean | string[];
    }
  }
  return content;
}

export function answerServerRequests(client: Client, model: ClientCapabilitiesModel, workspaceDir: string | undefined, report: (method: string, answer: string) => void): void {
  if (model.roots.declared) {
    client.setRequestHandler(ListRootsRequestSchema, () => {
      const roots = model.roots.answer === 'workspace' && workspaceDir ? [{ uri: pathToFileURL(workspaceDir).href, name: 'workspace' }] : [];
      report('roots/list', roots.length ? `1 root (${roots[0]!.uri})` : 'an empty list');
      return { roots };
    });
  }
  if (model.elicitation.declared) {
    client.setRequestHandler(ElicitRequestSchema, (request): ElicitResult => {
      const answer = model.elicitation.answer;
      report('elicitation/create', answer);
      if (answer !== 'accept') return { action: answer };
      const params = request.params as { requestedSchema?: RequestedSchema };
      return { action: 'accept', content: acceptedContent(params.requestedSchema) };
    });
  }
  if (model.sampling.declared) {
    client.setRequestHandler(CreateMessageRequestSchema, () => {
      report('sampling/createMessage', 'a fixed assistant text');
      return { role: 'assistant', content: { type: 'text', text: SAMPLING_ANSWER }, model: 'mcp-reliability-simulator', stopReason: 'endTurn' };
    });
  }
  // Requests for a capability this client did not declare (or methods nobody knows).
  client.fallbackRequestHandler = async (request) => {
    report(request.method, 'method not found (-32601)');
    throw new McpError(ErrorCode.MethodNotFound, `Method not found: ${request.method}`);
  };
}
