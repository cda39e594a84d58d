import { Controller, ExecutionContext, Get } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AdminOnly, ApiKeyAuthenticator, ApiKeyGuard, AuthenticatedRequest, Public } from './auth';
import { Caller } from '../domain/caller';
import { ForbiddenError, UnauthorizedError } from './http-errors';

@Controller()
class Routes {
  @Public() @Get() open() {}
  @Get() customer() {}
  @AdminOnly() @Get() admin() {}
}

const alice: Caller = { accountId: 'a1', name: 'Alice', role: 'customer' };
const root: Caller = { accountId: 'a0', name: 'admin', role: 'admin' };
const keys: Record<string, Caller> = { 'alice-key': alice, 'admin-key': root };
const authenticator: ApiKeyAuthenticator = {
  known: (key) => keys[key] ?? null,
  seenValid: (key) => keys[key] ?? undefined,
  authenticate: async (key) => keys[key] ?? null,
};
const guard = new ApiKeyGuard(new Reflector(), authenticator);

function contextFor(
  handler: keyof Routes,
  authorization?: string,
): { ctx: ExecutionContext; req: AuthenticatedRequest } {
  const req = { headers: authorization ? { authorization } : {} } as AuthenticatedRequest;
  const ctx = {
    getType: () => 'http',
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => req }),
  } as unknown as ExecutionContext;
  return { ctx, req };
}

describe('ApiKeyGuard', () => {
  it('lets anyone call a public route', async () => {
    await expect(guard.canActivate(contextFor('open').ctx)).resolves.toBe(true);
  });

  it('refuses a missing key with 401 unauthorized', async () => {
    await expect(guard.canActivate(contextFor('customer').ctx)).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('refuses an unknown key and a malformed header', async () => {
    await expect(guard.canActivate(contextFor('customer', 'Bearer nope').ctx)).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
    await expect(guard.canActivate(contextFor('customer', 'Basic alice-key').ctx)).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
  });

  it('attaches the caller for a known key', async () => {
    const { ctx, req } = contextFor('customer', 'Bearer alice-key');
    await expect(guard.canActivate(ctx)).resolves.toBe(true);
    expect(req.caller).toEqual(alice);
  });

  it('refuses a customer on an admin route with 403 and admits the admin', async () => {
    await expect(guard.canActivate(contextFor('admin', 'Bearer alice-key').ctx)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(guard.canActivate(contextFor('admin', 'bearer admin-key').ctx)).resolves.toBe(true);
  });
});
