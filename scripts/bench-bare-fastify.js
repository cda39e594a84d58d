// The baseline of the bench's CPU scenarios (scripts/bench-cpu.js): a bare Fastify 5 server that
// answers the service's routes with the same JSON, and nothing else: no authentication, validation,
// database, Redis, logging or metrics. Resources are kept in Maps that the bench fills through
// PUT /bench/… with the service's own answers, so that each answer has the same fields and status.
// Run by the bench in a child process: `PORT=… node scripts/bench-bare-fastify.js`.
'use strict';
const { randomUUID } = require('crypto');
const Fastify = require('fastify');

/** id → { read: the product as GET answers it, hold: { status, type, body } a hold on it gets }. */
const products = new Map();
/** id → { debit: { status, type, body } a debit of it gets }. */
const wallets = new Map();

const notFound = (req, reply) =>
  reply
    .code(404)
    .type('application/problem+json')
    .send({ type: 'about:blank', title: 'Not found', status: 404, code: 'not_found', request_id: req.id });

/**
 * The answer of `template` to this request: a success gets a new id, the request's fields and the
 * current time; a refusal gets the request's id.
 */
function answer(req, reply, template, fields) {
  const body =
    template.status < 300
      ? { ...template.body, ...fields, id: randomUUID(), created_at: new Date().toISOString() }
      : { ...template.body, request_id: req.id };
  return reply.code(template.status).type(template.type).send(body);
}

const app = Fastify();

app.get('/health', async () => ({ status: 'ok' }));

app.put('/bench/products/:id', async (req) => {
  products.set(req.params.id, req.body);
  return { id: req.params.id };
});

app.put('/bench/wallets/:id', async (req) => {
  wallets.set(req.params.id, req.body);
  return { id: req.params.id };
});

app.get('/api/products/:id', async (req, reply) => {
  const product = products.get(req.params.id);
  if (!product) return notFound(req, reply);
  return product.read;
});

app.post('/api/holds', async (req, reply) => {
  const { product_id: productId, quantity } = req.body ?? {};
  const product = products.get(productId);
  if (!product) return notFound(req, reply);
  return answer(req, reply, product.hold, { product_id: productId, quantity });
});

app.post('/api/wallets/:id/debit', async (req, reply) => {
  const wallet = wallets.get(req.params.id);
  if (!wallet || !req.headers['idempotency-key']) return notFound(req, reply);
  return answer(req, reply, wallet.debit, {
    amount: req.body?.amount,
    idempotency_key: req.headers['idempotency-key'],
  });
});

app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' }).catch((error) => {
  console.error(error);
  process.exit(1);
});
