import { createHash, timingSafeEqual } from 'crypto';
import {
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  Inject,
  Injectable,
  SetMetadata,
  applyDecorators,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'http';
import { ForbiddenError, UnauthorizedError } from './http-errors';
import { type AccountRole, type Caller } from '../domain/caller';
import { ProblemDetails } from './problem-details';
import { routeMetadata } from './route-metadata';

/** Port implemented by the account module: resolves a presented API key to its account. */
export interface ApiKeyAuthenticator {
  /** What is known of a key without asking the database: its caller, null for a wrong key, undefined when not known. */
  known(apiKey: string): Caller | null | undefined;
  /**
   * The caller a key belonged to when it was last found valid, however long ago: a hint for counting
   * the key's requests against its account while it is due for a recheck, never for authorising one.
   */
  seenValid(apiKey: string): Caller | undefined;
  authenticate(apiKey: string): Promise<Caller | null>;
}
export const API_KEY_AUTHENTICATOR = Symbol('API_KEY_AUTHENTICATOR');

export const IS_PUBLIC = 'auth:public';
const REQUIRED_ROLE = 'auth:role';

/** No API key needed (the route may authenticate by other means, like a webhook signature). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Any valid key, customer or admin. */
export const Authenticated = () =>
  applyDecorators(
    ApiBearerAuth(),
    ApiUnauthorizedResponse({
      description: 'Missing or unknown API key (`unauthorized`)',
      type: ProblemDetails,
    }),
  );

/** Only the admin key. */
export const AdminOnly = () =>
  applyDecorators(
    SetMetadata(REQUIRED_ROLE, 'admin'),
    Authenticated(),
    ApiForbiddenResponse({
      description: 'A customer key called an admin endpoint (`forbidden`)',
      type: ProblemDetails,
    }),
  );

export type AuthenticatedRequest = FastifyRequest & {
  caller?: Caller;
  /** A key already checked earlier in this request (by the rate limiter), so it is looked up once. */
  apiKeyCheck?: { key: string; caller: Caller | null };
};

/** Anything with request headers: a Fastify request or Node's own. */
type WithHeaders = { headers: IncomingHttpHeaders };

export function bearerToken(req: WithHeaders): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : undefined;
}

/** The password of a Basic credential, so that a browser can log in to the queue dashboard with the admin key. */
export function basicPassword(req: WithHeaders): string | undefined {
  const match = /^Basic\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

/** Whatever key the request presents, as a bearer token or as a Basic password. */
export function presentedApiKey(req: WithHeaders): string | undefined {
  return bearerToken(req) ?? basicPassword(req);
}

/**
 * Compares a presented secret with the expected one in constant time: both are hashed to one length
 * first, so the comparison takes the same time whatever the length or the content of a guess.
 */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export function rememberKeyCheck(req: AuthenticatedRequest, key: string, caller: Caller | null): void {
  req.apiKeyCheck = { key, caller };
}

/** Global guard: every route needs a key unless marked @Public(); @AdminOnly() routes need the admin key. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(API_KEY_AUTHENTICATOR) private readonly authenticator: ApiKeyAuthenticator,
  ) {}

  /** Each route's marks. */
  private readonly route = routeMetadata((context) => {
    const targets = [context.getHandler(), context.getClass()];
    return {
      public: this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) === true,
      role: this.reflector.getAllAndOverride<AccountRole | undefined>(REQUIRED_ROLE, targets),
    };
  });

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const route = this.route(context);
    if (route.public) return true;

    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const key = bearerToken(req);
    if (!key) throw new UnauthorizedError('Send an API key as "Authorization: Bearer <key>"');
    const caller =
      req.apiKeyCheck?.key === key ? req.apiKeyCheck.caller : await this.authenticator.authenticate(key);
    if (!caller) throw new UnauthorizedError('The API key is not valid');
    req.caller = caller;

    if (route.role === 'admin' && caller.role !== 'admin') {
      throw new ForbiddenError('This endpoint needs the admin key');
    }
    return true;
  }
}

export const CurrentCaller = createParamDecorator((_data: unknown, ctx: ExecutionContext): Caller => {
  const caller = ctx.switchToHttp().getRequest<AuthenticatedRequest>().caller;
  if (!caller) throw new UnauthorizedError('This endpoint needs an API key');
  return caller;
});
