import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import addFormats from 'ajv-formats';
import { OpenAPIBackend, type Operation, ValidationContext } from 'openapi-backend';
import type request from 'supertest';

/** The committed document, as clients read it: the answers are checked against it, not against the code. */
const DOCUMENT = join(__dirname, '..', '..', 'openapi.json');

/**
 * What the document does not describe, on purpose: the demo's static files, Swagger UI and its JSON,
 * the queue dashboard (Bull Board's own API), and controllers that tests mount around the app.
 * Matched on the decoded, lower-cased path, so that no spelling of these slips into or out of the list.
 */
const UNDOCUMENTED: RegExp[] = [
  /^\/demo(\/|$)/,
  /^\/docs(\/|-json$|$)/,
  /^\/admin\/queues(\/|$)/,
  /^\/test-only\//,
];

interface MediaType {
  schema?: Record<string, unknown>;
}
interface Header {
  required?: boolean;
  schema?: { type?: string; enum?: string[] };
}
interface ResponseObject {
  content?: Record<string, MediaType>;
  headers?: Record<string, Header>;
}

type Agent = ReturnType<typeof request>;
type Validate = ((data: unknown) => boolean) & {
  errors?: Array<{ instancePath: string; message?: string; params?: unknown }> | null;
};
interface Compiler {
  compile(schema: object): Validate;
}
type Answer = request.Response;

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'] as const;

/**
 * Checks an answer against the operation the document gives for its request: the status is one the
 * operation declares, the content type is a declared one, the body validates against its schema
 * (nullability and integer types included; an object carries no field its schema does not name),
 * and the declared headers are present when required and well-formed when sent. A request that
 * matches no operation, outside the short list above, must be answered with a problem document.
 */
export class OpenApiContract {
  private readonly validators = new WeakMap<object, Validate>();

  private constructor(
    private readonly api: OpenAPIBackend,
    private readonly ajv: Compiler,
    private readonly problem: Record<string, unknown>,
  ) {}

  static async load(): Promise<OpenApiContract> {
    const api = new OpenAPIBackend({
      definition: closeObjects(JSON.parse(readFileSync(DOCUMENT, 'utf8'))),
      // Quick: dereferenced in memory, validators compiled on first use. Requests are the tests' own business
      // (they send hostile ones on purpose); only answers are checked, with the library's Ajv set up for
      // OpenAPI (nullable, int32/int64) plus the standard string formats.
      quick: true,
      customizeAjv: (ajv) => addFormats(ajv as never) as never,
    });
    await api.init();
    const ajv = api.validator.getAjv(ValidationContext.Response) as unknown as Compiler;
    const problem = (api.definition.components?.schemas?.ProblemDetails ?? {}) as Record<string, unknown>;
    return new OpenApiContract(api, ajv, problem);
  }

  /** The supertest agent, with every answer of every request it makes checked. */
  wrap(agent: Agent): Agent {
    for (const method of METHODS) {
      const send = agent[method].bind(agent) as (url: string) => request.Test;
      (agent as unknown as Record<string, unknown>)[method] = (url: string) =>
        send(url).expect((res: Answer) => this.check(res));
    }
    (agent as unknown as Record<string, unknown>).del = agent.delete;
    return agent;
  }

  /** Throws an Error naming every way the answer departs from the document. */
  check(res: Answer): void {
    const req = requestOf(res);
    const rawPath = req.path.split('?')[0];
    const method = req.method.toLowerCase();
    const operation = this.api.router.matchOperation({ method, path: rawPath, headers: {} }) as
      Operation | undefined;
    const where = `${req.method} ${req.path} → ${res.status}`;
    const problems = operation ? this.checkOperation(operation, res) : this.checkUndocumented(rawPath, res);
    if (problems.length > 0) {
      throw new Error(
        `The answer departs from openapi.json (${where}${operation ? `, operation ${operation.operationId}` : ''}):\n` +
          `${problems.map((p) => `  - ${p}`).join('\n')}\nbody: ${textOf(res).slice(0, 2000)}`,
      );
    }
  }

  private checkOperation(operation: Operation, res: Answer): string[] {
    const responses = operation.responses as Record<string, ResponseObject>;
    const declared =
      responses[String(res.status)] ?? responses[`${String(res.status)[0]}XX`] ?? responses.default;
    if (!declared) {
      return [`status ${res.status} is not declared (declared: ${Object.keys(responses).join(', ')})`];
    }
    return [...this.checkBody(declared, res), ...this.checkHeaders(declared, res)];
  }

  private checkUndocumented(rawPath: string, res: Answer): string[] {
    let path = rawPath;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      // A malformed escape is routed by no one; the raw path is what there is to match.
    }
    path = path.replace(/\/{2,}/g, '/').toLowerCase();
    if (UNDOCUMENTED.some((pattern) => pattern.test(path))) return [];
    if (res.status < 400)
      return [`no operation of the document answers this request, yet it got ${res.status}`];
    return this.checkBody({ content: { 'application/problem+json': { schema: this.problem } } }, res);
  }

  private checkBody(declared: ResponseObject, res: Answer): string[] {
    const type = String(res.headers['content-type'] ?? '')
      .split(';')[0]
      .trim()
      .toLowerCase();
    const head = requestOf(res).method === 'HEAD';
    const text = textOf(res);
    const hasBody = !head && text.length > 0;
    if (!declared.content)
      return hasBody ? [`a body of type "${type}" where the document declares none`] : [];
    if (!hasBody) return head ? [] : ['no body where the document declares one'];
    const media = declared.content[type];
    if (!media)
      return [`content type "${type}" is not declared (${Object.keys(declared.content).join(', ')})`];
    if (!media.schema) return [];
    const validate = this.validatorFor(media.schema);
    let body: unknown = text;
    if (type.endsWith('json')) {
      try {
        body = JSON.parse(text);
      } catch {
        return [`a body of type "${type}" that is not JSON`];
      }
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (e) => `body${e.instancePath}: ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`,
    );
  }

  private checkHeaders(declared: ResponseObject, res: Answer): string[] {
    const problems: string[] = [];
    for (const [name, header] of Object.entries(declared.headers ?? {})) {
      const value = res.headers[name.toLowerCase()] as string | undefined;
      if (value === undefined) {
        if (header.required) problems.push(`header ${name} is required and missing`);
        continue;
      }
      const schema = header.schema ?? {};
      if (schema.type === 'integer' && !/^\d+$/.test(value))
        problems.push(`header ${name} is not an integer: ${value}`);
      if (schema.enum && !schema.enum.includes(value))
        problems.push(`header ${name} is not one of ${schema.enum}: ${value}`);
    }
    return problems;
  }

  private validatorFor(schema: Record<string, unknown>): Validate {
    let validate = this.validators.get(schema);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.validators.set(schema, validate);
    }
    return validate;
  }
}

/** The body as received: supertest's text, or the string a test's own parser made of it. */
function textOf(res: Answer): string {
  if (typeof res.text === 'string') return res.text;
  if (typeof res.body === 'string') return res.body;
  return Buffer.isBuffer(res.body) ? res.body.toString('utf8') : '';
}

/** The request an answer is to (superagent keeps Node's ClientRequest on it, untyped). */
function requestOf(res: Answer): { method: string; path: string } {
  return (res as unknown as { req: { method: string; path: string } }).req;
}

/**
 * Objects whose schema names their properties get `additionalProperties: false` unless the schema
 * says otherwise, so that a field the document does not declare fails the test, as a missing one does.
 */
function closeObjects<T>(node: T): T {
  if (Array.isArray(node)) {
    for (const item of node) closeObjects(item);
  } else if (node && typeof node === 'object') {
    const schema = node as Record<string, unknown>;
    if (schema.properties && typeof schema.properties === 'object' && !('additionalProperties' in schema)) {
      schema.additionalProperties = false;
    }
    for (const value of Object.values(schema)) closeObjects(value);
  }
  return node;
}

let loaded: Promise<OpenApiContract> | undefined;

/** The contract of this test file's run, loaded once. */
export function openApiContract(): Promise<OpenApiContract> {
  if (!existsSync(DOCUMENT)) {
    // Not a reason to start no app at all: `npm run openapi` starts one to write the file.
    return Promise.resolve(MISSING);
  }
  loaded ??= OpenApiContract.load();
  return loaded;
}

/** Refuses every request when there is no document to check answers against. */
const MISSING = {
  wrap: (): never => {
    throw new Error('openapi.json is missing: run `npm run openapi` and commit the file it writes');
  },
} as unknown as OpenApiContract;
