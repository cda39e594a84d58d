// `npm run seed`: demo data for a running service (`npm start` in another terminal), through its API:
// a customer with funded USD and EUR wallets and a few products. Prints the customer's key and a link
// that opens /demo ready to use. Running it again makes another customer; nothing is overwritten.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const secretsFile = path.join(__dirname, '..', '.data', 'dev-secrets.json');
const base = (process.env.SEED_URL || `http://localhost:${process.env.PORT || 3000}`).replace(/\/$/, '');
const adminKey =
  process.env.ADMIN_API_KEY ||
  (fs.existsSync(secretsFile) ? JSON.parse(fs.readFileSync(secretsFile, 'utf8')).ADMIN_API_KEY : undefined);

async function call(method, url, key, body) {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      'idempotency-key': crypto.randomUUID(),
    },
    body: JSON.stringify(body),
  });
  const answer = await res.json();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${answer.title}: ${answer.detail}`);
  return answer;
}

async function main() {
  if (!adminKey) throw new Error('no admin key: set ADMIN_API_KEY, or run `npm start` once first');
  const customer = await call('POST', '/api/accounts', adminKey, { name: 'Demo customer' });
  const wallets = {};
  for (const currency of ['USD', 'EUR']) {
    const wallet = await call('POST', '/api/wallets', adminKey, { currency, account_id: customer.id });
    await call('POST', `/api/wallets/${wallet.id}/credit`, adminKey, {
      amount: 100000,
      description: 'Demo funds',
    });
    wallets[currency] = wallet.id;
  }
  const products = [];
  for (const [name, price, stock] of [
    ['Flash-sale sneakers', 4999, 10],
    ['Concert ticket', 8900, 100],
    ['Coffee beans', 1599, 1000],
  ]) {
    products.push(await call('POST', '/api/products', adminKey, { name, price, currency: 'USD', stock }));
  }
  const say = (line) => process.stdout.write(`${line}\n`);
  say(`Customer key:  ${customer.api_key}   (shown once; stored only as a hash)`);
  say(`Wallets:       USD ${wallets.USD}, EUR ${wallets.EUR} (1000.00 each)`);
  say(`Products:      ${products.map((p) => `${p.name} ${p.id}`).join(', ')}`);
  // The key travels in the fragment, which browsers never send to a server.
  say(`Demo page:     ${base}/demo/#key=${customer.api_key}&wallet=${wallets.USD}&product=${products[0].id}`);
}

main().catch((error) => {
  console.error(`Could not seed ${base}: ${error.message}`);
  process.exit(1);
});
