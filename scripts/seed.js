// `npm run seed`: demo data for a running service (`npm start` in another terminal), through its API:
// a customer with funded USD and EUR wallets, a "bank" customer the demo page draws top-ups from,
// buyers for the flash-sale race, and a few products. Prints the customer's key and a link that opens
// /demo ready to use. Running it again makes new accounts; nothing is overwritten.
//
// It talks to what `npm start` runs: the URL is SEED_URL, else the port of the instance running in
// this checkout (.data/instance.json), else PORT from the environment or `.env`, else 3000; the admin
// key is ADMIN_API_KEY from the environment or `.env`, else the one `npm start` generated into .data/.
'use strict';
const { randomUUID } = require('crypto');
const fs = require('fs');
const path = require('path');
const { runningInstance } = require('./processes');

const root = path.join(__dirname, '..');
const dotenv = path.join(root, '.env');
if (fs.existsSync(dotenv)) process.loadEnvFile(dotenv);

const readJson = (file) => (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {});
const port = runningInstance()?.port || process.env.PORT || 3000;
const base = (process.env.SEED_URL || `http://localhost:${port}`).replace(/\/$/, '');
const adminKey =
  process.env.ADMIN_API_KEY || readJson(path.join(root, '.data', 'dev-secrets.json')).ADMIN_API_KEY;
const BUYERS = 20;

async function call(method, url, key, body) {
  let res;
  try {
    res = await fetch(`${base}${url}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
      },
      body: JSON.stringify(body),
    });
  } catch (error) {
    throw new Error(
      `nothing answers at ${base} (${error.cause?.code ?? error.message}): is \`npm start\` running?`,
      { cause: error },
    );
  }
  const answer = await res.json();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${answer.title}: ${answer.detail}`);
  return answer;
}

async function fundedWallet(accountId, currency, amount) {
  const wallet = await call('POST', '/api/wallets', adminKey, { currency, account_id: accountId });
  await call('POST', `/api/wallets/${wallet.id}/credit`, adminKey, { amount, description: 'Demo funds' });
  return wallet.id;
}

async function main() {
  if (!adminKey)
    throw new Error('no admin key: set ADMIN_API_KEY (or put it in .env), or run `npm start` once first');
  const customer = await call('POST', '/api/accounts', adminKey, { name: 'Demo customer' });
  const wallets = {};
  for (const currency of ['USD', 'EUR'])
    wallets[currency] = await fundedWallet(customer.id, currency, 100000);
  // The page holds customer keys only: its top-ups are transfers from this account's wallet.
  const bank = await call('POST', '/api/accounts', adminKey, { name: 'Demo bank' });
  const bankWallet = await fundedWallet(bank.id, 'USD', 100000000);
  const buyers = [];
  for (let i = 1; i <= BUYERS; i++) {
    buyers.push((await call('POST', '/api/accounts', adminKey, { name: `Buyer ${i}` })).api_key);
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
  say(`Wallets:       USD ${wallets.USD}, EUR ${wallets.EUR} (1,000.00 each)`);
  say(`Products:      ${products.map((p) => `${p.name} ${p.id}`).join(', ')}`);
  say(
    `Buyers:        ${BUYERS} more customers for the flash-sale race; a "Demo bank" customer funds top-ups`,
  );
  // The keys travel in the fragment, which browsers never send to a server.
  const fragment = new URLSearchParams({
    key: customer.api_key,
    wallet: wallets.USD,
    product: products[0].id,
    bank: bank.api_key,
    bank_wallet: bankWallet,
    buyers: buyers.join(','),
  });
  say(`Demo page:     ${base}/demo/#${fragment}`);
}

main().catch((error) => {
  console.error(`Could not seed ${base}: ${error.message}`);
  process.exit(1);
});
