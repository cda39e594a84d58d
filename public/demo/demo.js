// The concurrency demo: a client of the public API, nothing more. See index.html for what each panel shows.
const $ = (id) => document.getElementById(id);
const state = {
  key: '',
  walletId: '',
  balance: null,
  lastDebit: null,
  ledgerCursor: null,
  productId: '',
  holds: [],
};

/** A refusal as the service states it (RFC 9457 problem+json). */
class Problem extends Error {
  constructor(status, body, retryAfter) {
    super(body?.detail || body?.title || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
    this.retryAfter = retryAfter;
  }
  describe() {
    const wait = this.retryAfter ? ` Retry after ${this.retryAfter} s.` : '';
    return `${this.body.title || `HTTP ${this.status}`}: ${this.body.detail || ''}${wait}`;
  }
}

async function api(method, path, { body, idempotencyKey, auth = true } = {}) {
  const headers = {};
  if (auth) headers.authorization = `Bearer ${state.key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) throw new Problem(res.status, data, res.headers.get('retry-after'));
  return { data, replayed: res.headers.get('idempotent-replayed') === 'true', status: res.status };
}

/** Shows a refusal; anything that is not a problem document is a bug of this page and is rethrown. */
function show(error) {
  if (!(error instanceof Problem)) throw error;
  const box = $('problem');
  box.textContent = error.describe();
  box.hidden = false;
  clearTimeout(show.timer);
  show.timer = setTimeout(() => (box.hidden = true), 8000);
}

function setResult(id, text, kind) {
  const el = $(id);
  el.textContent = text;
  el.className = `result ${kind || ''}`;
}

const money = (n) => (n === null || n === undefined ? '—' : Number(n).toLocaleString('en-US'));

function enable() {
  const hasKey = Boolean(state.key);
  const hasWallet = hasKey && Boolean(state.walletId) && state.balance !== null;
  $('wallet-load').disabled = !hasKey;
  $('wallet-open').disabled = !hasKey;
  $('debit').disabled = !hasWallet;
  $('debit-retry').disabled = !hasWallet || !state.lastDebit;
  $('debit-race').disabled = !hasWallet;
  $('ledger-more').disabled = !hasWallet || !state.ledgerCursor;
  $('race').disabled = !hasKey || !state.productId;
  $('hold-one').disabled = !hasKey || !state.productId;
}

// ---- key -------------------------------------------------------------------------------------

async function useKey(key) {
  state.key = key.trim();
  sessionStorage.setItem('demo-key', state.key);
  try {
    const me = (await api('GET', '/api/accounts/me')).data;
    $('who').textContent = `Signed in as ${me.name} (${me.role}).`;
  } catch (error) {
    state.key = '';
    sessionStorage.removeItem('demo-key');
    $('who').textContent = 'That key was not accepted.';
    show(error);
  }
  enable();
}

// ---- wallet ----------------------------------------------------------------------------------

async function loadWallet() {
  const id = $('wallet-id').value.trim();
  if (!id) return;
  try {
    const wallet = (await api('GET', `/api/wallets/${encodeURIComponent(id)}`)).data;
    state.walletId = wallet.id;
    state.balance = wallet.balance;
    $('balance').textContent = money(wallet.balance);
    $('currency').textContent = wallet.currency;
    await loadLedger(true);
  } catch (error) {
    show(error);
  }
  enable();
}

async function refreshBalance() {
  const wallet = (await api('GET', `/api/wallets/${state.walletId}`)).data;
  state.balance = wallet.balance;
  $('balance').textContent = money(wallet.balance);
}

async function loadLedger(fresh) {
  const cursor = fresh ? '' : `&cursor=${encodeURIComponent(state.ledgerCursor)}`;
  const page = (await api('GET', `/api/wallets/${state.walletId}/transactions?limit=10${cursor}`)).data;
  if (fresh) $('ledger').replaceChildren();
  for (const t of page.data) {
    const row = document.createElement('tr');
    for (const value of [
      t.type,
      money(t.amount),
      money(t.balance_after),
      t.idempotency_key || '',
      t.created_at.slice(11, 23),
    ]) {
      const cell = document.createElement('td');
      cell.textContent = value;
      cell.title = value;
      row.append(cell);
    }
    $('ledger').append(row);
  }
  state.ledgerCursor = page.next_cursor;
  enable();
}

async function openWallet() {
  try {
    const wallet = (
      await api('POST', '/api/wallets', { body: { currency: 'USD' }, idempotencyKey: crypto.randomUUID() })
    ).data;
    $('wallet-id').value = wallet.id;
    await loadWallet();
  } catch (error) {
    show(error);
  }
}

async function sendDebit(request) {
  $('debit').disabled = $('debit-retry').disabled = true;
  try {
    const before = state.balance;
    const { data, replayed } = await api('POST', `/api/wallets/${state.walletId}/debit`, {
      body: { amount: request.amount },
      idempotencyKey: request.key,
    });
    state.lastDebit = request;
    await refreshBalance();
    await loadLedger(true);
    setResult(
      'debit-result',
      replayed
        ? `Replayed (idempotent-replayed: true): the same entry ${data.id.slice(0, 8)}…, balance unchanged at ${money(state.balance)}.`
        : `Debited ${money(data.amount)}: balance ${money(before)} → ${money(data.balance_after)}.`,
      'ok',
    );
  } catch (error) {
    if (error instanceof Problem) {
      state.lastDebit = request;
      setResult('debit-result', `${error.body.title}: ${error.body.detail}`, 'refused');
    }
    show(error);
  }
  enable();
}

async function debitRace() {
  const n = Number($('race-n').value);
  const amount = Number($('race-amount').value);
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(amount) || amount < 1) return;
  $('debit-race').disabled = true;
  await refreshBalance();
  const predicted = Math.min(n, Math.floor(state.balance / amount));
  setResult('debit-race-result', `Firing ${n} debits of ${amount} at once…`);
  const outcomes = await Promise.allSettled(
    Array.from({ length: n }, () =>
      api('POST', `/api/wallets/${state.walletId}/debit`, {
        body: { amount },
        idempotencyKey: crypto.randomUUID(),
      }),
    ),
  );
  const succeeded = outcomes.filter((o) => o.status === 'fulfilled').length;
  const refused = outcomes.filter(
    (o) => o.status === 'rejected' && o.reason.body?.code === 'insufficient_funds',
  ).length;
  const other = n - succeeded - refused;
  for (const o of outcomes)
    if (o.status === 'rejected' && o.reason.body?.code !== 'insufficient_funds') show(o.reason);
  await refreshBalance();
  await loadLedger(true);
  setResult(
    'debit-race-result',
    `${succeeded} succeeded, ${refused} refused (insufficient_funds), ${other} other; arithmetic predicts ${predicted}. ` +
      `Balance now ${money(state.balance)}.`,
    succeeded === predicted && other === 0 ? 'ok' : 'refused',
  );
  enable();
}

// ---- flash sale ------------------------------------------------------------------------------

async function loadProducts(preferred) {
  const page = (await api('GET', '/api/products?limit=50', { auth: false })).data;
  const select = $('product-id');
  for (const p of page.data) {
    const option = document.createElement('option');
    option.value = p.id;
    option.textContent = p.name;
    select.append(option);
  }
  if (preferred && page.data.some((p) => p.id === preferred)) {
    select.value = preferred;
    state.productId = preferred;
  }
  enable();
}

async function pollStock() {
  if (state.productId) {
    try {
      const p = (await api('GET', `/api/products/${state.productId}`, { auth: false })).data;
      $('available').textContent = p.available_stock;
      $('reserved').textContent = p.reserved_stock;
      $('sold').textContent = p.sold_stock;
      $('total').textContent = p.total_stock;
    } catch (error) {
      show(error);
    }
  }
  setTimeout(pollStock, 1000);
}

function placeHold() {
  return api('POST', '/api/holds', { body: { product_id: state.productId, quantity: 1 } });
}

async function race() {
  const n = Number($('buyers').value);
  if (!Number.isInteger(n) || n < 1) return;
  $('race').disabled = true;
  const before = (await api('GET', `/api/products/${state.productId}`, { auth: false })).data;
  setResult('race-result', `${n} buyers racing for ${before.available_stock} units…`);
  const outcomes = await Promise.allSettled(Array.from({ length: n }, placeHold));
  const granted = outcomes.filter((o) => o.status === 'fulfilled');
  const refused = outcomes.filter(
    (o) => o.status === 'rejected' && o.reason.body?.code === 'insufficient_stock',
  ).length;
  for (const o of outcomes)
    if (o.status === 'rejected' && o.reason.body?.code !== 'insufficient_stock') show(o.reason);
  for (const o of granted) addHold(o.value.data);
  const after = (await api('GET', `/api/products/${state.productId}`, { auth: false })).data;
  const balanced = after.available_stock + after.reserved_stock + after.sold_stock === after.total_stock;
  setResult(
    'race-result',
    `${granted.length} granted, ${refused} refused; ${before.available_stock} were available. ` +
      (balanced && granted.length <= before.available_stock ? 'Nothing oversold.' : 'OVERSOLD!'),
    balanced ? 'ok' : 'refused',
  );
  enable();
}

async function holdOne() {
  try {
    addHold((await placeHold()).data);
  } catch (error) {
    show(error);
  }
}

function addHold(hold) {
  state.holds.unshift({ hold, order: null });
  renderHolds();
}

function renderHolds() {
  const list = $('holds');
  list.replaceChildren();
  const now = Date.now();
  for (const entry of state.holds.slice(0, 20)) {
    const { hold, order } = entry;
    const left = Math.max(0, Math.ceil((Date.parse(hold.expires_at) - now) / 1000));
    const status = order
      ? `order ${order.status}`
      : hold.status === 'active' && left === 0
        ? 'expired'
        : hold.status;
    const item = document.createElement('li');
    item.append(
      `${hold.id.slice(0, 8)}… ${status}${hold.status === 'active' && !order ? `, expires in ${left} s` : ''}`,
    );
    const action = (label, run, enabled) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = label;
      button.disabled = !enabled;
      button.addEventListener('click', () => run(entry).catch(show).finally(renderHolds));
      item.append(button);
    };
    const active = hold.status === 'active' && left > 0 && !order;
    action('Release', releaseHold, active);
    action('Order', orderHold, active);
    action('Pay', payOrder, Boolean(order) && order.status === 'pending_payment' && Boolean(state.walletId));
    list.append(item);
  }
}

async function releaseHold(entry) {
  entry.hold = (await api('DELETE', `/api/holds/${entry.hold.id}`)).data;
}

async function orderHold(entry) {
  entry.order = (
    await api('POST', '/api/orders', {
      body: { hold_id: entry.hold.id },
      idempotencyKey: crypto.randomUUID(),
    })
  ).data;
  entry.hold = { ...entry.hold, status: 'consumed' };
}

async function payOrder(entry) {
  entry.order = (
    await api('POST', `/api/orders/${entry.order.id}/pay`, {
      body: { wallet_id: state.walletId },
      idempotencyKey: crypto.randomUUID(),
    })
  ).data;
  await refreshBalance();
  await loadLedger(true);
}

// ---- providers -------------------------------------------------------------------------------

async function loadBinding() {
  const demo = (await api('GET', '/api/provider-demo', { auth: false })).data.contextual_binding_demo;
  const box = $('binding');
  box.replaceChildren();
  for (const handler of [demo.flight_handler, demo.hotel_handler]) {
    const div = document.createElement('div');
    div.textContent = `${handler.class} was injected with the ${handler.injected_provider} adapter.`;
    box.append(div);
  }
  const note = document.createElement('div');
  note.textContent = demo.explanation;
  box.append(note);
}

async function searchFlights(event) {
  event.preventDefault();
  const query = new URLSearchParams({
    origin: $('origin').value.toUpperCase(),
    destination: $('destination').value.toUpperCase(),
    departure_date: $('departure').value,
    adults: '1',
  });
  try {
    const result = (await api('GET', `/api/flights/offers?${query}`, { auth: false })).data;
    const list = $('offers');
    list.replaceChildren();
    for (const offer of result.offers) {
      const item = document.createElement('li');
      item.textContent = `${result.provider}: ${money(offer.price.amount)} ${offer.price.currency} (minor units)`;
      list.append(item);
    }
    if (result.offers.length === 0) list.textContent = 'No offers.';
  } catch (error) {
    show(error);
  }
}

// ---- wiring ----------------------------------------------------------------------------------

function init() {
  // The key may come in the URL fragment, which browsers never send to a server; it is kept for this
  // tab only and taken out of the address bar.
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (location.hash) history.replaceState(null, '', location.pathname);
  const key = fragment.get('key') || sessionStorage.getItem('demo-key') || '';
  const inAMonth = new Date(Date.now() + 30 * 86400_000).toISOString().slice(0, 10);
  $('departure').value = inAMonth;

  $('key-form').addEventListener('submit', (e) => {
    e.preventDefault();
    useKey($('api-key').value);
  });
  $('wallet-load').addEventListener('click', loadWallet);
  $('wallet-open').addEventListener('click', openWallet);
  $('debit').addEventListener('click', () =>
    sendDebit({ amount: Number($('debit-amount').value), key: crypto.randomUUID() }),
  );
  $('debit-retry').addEventListener('click', () => sendDebit(state.lastDebit));
  $('debit-race').addEventListener('click', debitRace);
  $('ledger-more').addEventListener('click', () => loadLedger(false).catch(show));
  $('product-id').addEventListener('change', (e) => {
    state.productId = e.target.value;
    enable();
  });
  $('race').addEventListener('click', () => race().catch(show));
  $('hold-one').addEventListener('click', holdOne);
  $('flight-form').addEventListener('submit', searchFlights);

  setInterval(renderHolds, 1000);
  pollStock();
  loadBinding().catch(show);
  loadProducts(fragment.get('product')).catch(show);
  if (key) {
    $('api-key').value = key;
    useKey(key).then(() => {
      if (fragment.get('wallet')) {
        $('wallet-id').value = fragment.get('wallet');
        return loadWallet();
      }
    });
  }
  enable();
}

init();
