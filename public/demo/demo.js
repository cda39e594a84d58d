// The concurrency demo: a client of the public API, nothing more. See index.html for what each panel shows.
// It holds customer keys only (from `npm run seed`'s link or pasted): top-ups are transfers from the
// seed's "Demo bank" customer, and the flash-sale race uses the seed's buyers, one customer each.
const $ = (id) => document.getElementById(id);
const state = {
  key: '',
  accountId: '',
  wallets: [],
  walletId: '',
  lastDebit: null,
  ledgerCursor: null,
  productId: '',
  bank: null,
  buyers: [],
  /** The holds and orders this page made, as the API last showed them; their ids survive a reload. */
  holds: [],
};

// ---- money -----------------------------------------------------------------------------------

const exponents = new Map();
/** Digits after the decimal point of a currency (ISO 4217 exponent): 2 for USD, 0 for JPY. */
function exponent(currency) {
  if (!exponents.has(currency)) {
    let digits = 2;
    try {
      digits = new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions()
        .maximumFractionDigits;
    } catch {
      // An unknown code: two digits, as most currencies have.
    }
    exponents.set(currency, digits);
  }
  return exponents.get(currency);
}

/** Minor units as money, exactly (no floating point): 100000 USD → "1,000.00 USD" ("1,000.00" with `bare`). */
function money(minor, currency, bare = false) {
  if (minor === null || minor === undefined || !currency) return '—';
  const digits = exponent(currency);
  const value = BigInt(minor);
  const abs = value < 0n ? -value : value;
  const scale = 10n ** BigInt(digits);
  const fraction = digits ? `.${(abs % scale).toString().padStart(digits, '0')}` : '';
  const number = `${value < 0n ? '−' : ''}${(abs / scale).toLocaleString('en-US')}${fraction}`;
  return bare ? number : `${number} ${currency}`;
}

/** "12.5" USD → 1250; null for anything that is not a positive amount with at most the currency's digits. */
function toMinor(text, currency) {
  const digits = exponent(currency);
  const match = /^\s*(\d+)(?:\.(\d*))?\s*$/.exec(text);
  if (!match || (match[2] ?? '').length > digits) return null;
  const minor =
    BigInt(match[1]) * 10n ** BigInt(digits) + BigInt((match[2] ?? '').padEnd(digits, '0') || '0');
  return minor > 0n && minor <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(minor) : null;
}

// ---- the API ---------------------------------------------------------------------------------

/** A v4 UUID from getRandomValues, which (unlike crypto.randomUUID) works outside secure contexts too. */
function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A refusal as the service states it (RFC 9457 problem+json). */
class Problem extends Error {
  constructor(status, body, retryAfter) {
    super(body?.detail || body?.title || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
    this.retryAfter = retryAfter;
  }
  describe() {
    const fields = (this.body.errors ?? []).map((e) => `${e.field} ${e.message}`).join('; ');
    const wait = this.retryAfter ? ` Retry after ${this.retryAfter} s.` : '';
    return `${this.body.title || `HTTP ${this.status}`}: ${this.body.detail || ''}${fields ? ` (${fields})` : ''}${wait}`;
  }
}

async function api(method, path, { body, idempotencyKey, key = state.key, auth = true } = {}) {
  const headers = {};
  if (auth) headers.authorization = `Bearer ${key}`;
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

// ---- what the page shows ---------------------------------------------------------------------

/** A refusal nobody asked about here (a page load, a poll); anything that is not a problem is a bug and is rethrown. */
function show(error) {
  if (!(error instanceof Problem)) throw error;
  const box = $('problem');
  box.textContent = error.describe();
  box.hidden = false;
}

function setResult(id, text, kind = '') {
  const el = $(id);
  el.textContent = text;
  el.className = `result ${kind}`;
}

/** One fresh result per action: the other result lines of its panel are cleared when it starts. */
function begin(id, text) {
  $('problem').hidden = true;
  for (const el of $(id).closest('section').querySelectorAll('.result')) setResult(el.id, '');
  setResult(id, text, 'pending');
}

/** Runs an action of the result line `id`; a refusal ends up on that line. */
async function act(id, text, work) {
  begin(id, text);
  try {
    await work();
  } catch (error) {
    if (error instanceof Problem) {
      setResult(id, error.describe(), 'refused');
    } else {
      // A bug of this page, or the network: said where the click was, and kept for the console.
      setResult(id, `This page failed: ${error.message}`, 'refused');
      enable();
      pollEvents();
      throw error;
    }
  }
  enable();
  pollEvents();
}

const wallet = () => state.wallets.find((w) => w.id === state.walletId);
const currency = () => wallet()?.currency ?? 'USD';

function enable() {
  const hasKey = Boolean(state.key);
  const hasWallet = hasKey && Boolean(wallet());
  $('wallet-open').disabled = !hasKey || state.wallets.some((w) => w.currency === 'USD');
  $('fund').disabled = !hasWallet || !state.bank;
  $('debit').disabled = !hasWallet;
  $('debit-retry').disabled = !hasWallet || !state.lastDebit;
  $('debit-race').disabled = !hasWallet;
  $('authorize-capture').disabled = !hasWallet;
  $('ledger-more').disabled = !hasWallet || !state.ledgerCursor;
  $('race').disabled = !state.productId || state.buyers.length === 0;
  $('hold-one').disabled = !hasKey || !state.productId;
  for (const button of document.querySelectorAll('.offers button')) button.disabled = !hasKey;
}

// ---- key -------------------------------------------------------------------------------------

async function useKey(key) {
  state.key = key.trim();
  resetEvents();
  sessionStorage.setItem('demo-key', state.key);
  try {
    const me = (await api('GET', '/api/accounts/me')).data;
    state.accountId = me.id;
    $('who').textContent = `Signed in as ${me.name} (${me.role}).`;
  } catch (error) {
    state.key = '';
    sessionStorage.removeItem('demo-key');
    $('who').textContent = 'That key was not accepted.';
    enable();
    return show(error);
  }
  pollEvents();
  await Promise.all([loadWallets(), loadHolds()]).catch(show);
  enable();
}

// ---- wallet ----------------------------------------------------------------------------------

async function loadWallets(preferred) {
  state.wallets = (await api('GET', '/api/wallets?limit=100')).data.data;
  const select = $('wallet-id');
  select.replaceChildren(
    ...state.wallets.map((w) => new Option(`${w.currency} wallet ${w.id.slice(0, 8)}…`, w.id)),
  );
  const chosen = [preferred, state.walletId, sessionStorage.getItem('demo-wallet')].find((id) =>
    state.wallets.some((w) => w.id === id),
  );
  state.walletId = chosen ?? state.wallets[0]?.id ?? '';
  select.value = state.walletId;
  await showWallet();
}

async function showWallet() {
  if (!wallet()) {
    for (const id of ['balance', 'held', 'wallet-available']) $(id).textContent = '—';
    $('ledger').replaceChildren();
    return;
  }
  sessionStorage.setItem('demo-wallet', state.walletId);
  for (const unit of document.querySelectorAll('#wallet-panel .unit')) unit.textContent = currency();
  await refreshBalance();
  await loadLedger(true);
}

async function refreshBalance() {
  const fresh = (await api('GET', `/api/wallets/${state.walletId}`)).data;
  state.wallets = state.wallets.map((w) => (w.id === fresh.id ? fresh : w));
  $('balance').textContent = money(fresh.balance, fresh.currency);
  $('held').textContent = money(fresh.held, fresh.currency);
  $('wallet-available').textContent = money(fresh.available, fresh.currency);
  return fresh.balance;
}

async function loadLedger(fresh) {
  const cursor = fresh ? '' : `&cursor=${encodeURIComponent(state.ledgerCursor)}`;
  const page = (await api('GET', `/api/wallets/${state.walletId}/transactions?limit=8${cursor}`)).data;
  if (fresh) $('ledger').replaceChildren();
  for (const t of page.data) {
    const row = document.createElement('tr');
    row.title = `Idempotency-Key: ${t.idempotency_key || '—'}`;
    const cells = [
      [`${t.type}${t.reference_type ? ` (${t.reference_type})` : ''}`, ''],
      [money(t.amount, currency(), true), 'num'],
      [money(t.balance_after, currency(), true), 'num'],
      [t.idempotency_key || '—', 'key'],
    ];
    for (const [value, kind] of cells) {
      const cell = document.createElement('td');
      cell.textContent = value;
      cell.className = kind;
      row.append(cell);
    }
    $('ledger').append(row);
  }
  state.ledgerCursor = page.next_cursor;
  enable();
}

async function openWallet() {
  await act('fund-result', 'Opening a USD wallet…', async () => {
    const created = (
      await api('POST', '/api/wallets', { body: { currency: 'USD' }, idempotencyKey: newKey() })
    ).data;
    await loadWallets(created.id);
    setResult('fund-result', `Opened a USD wallet, ${created.id.slice(0, 8)}…`, 'ok');
  });
}

/** A top-up: a transfer from the seed's bank customer, with the bank's key. */
async function addFunds() {
  const amount = toMinor($('fund-amount').value, currency());
  if (amount === null)
    return setResult('fund-result', `Type an amount in ${currency()}, e.g. 500.00`, 'refused');
  await act('fund-result', `Transferring ${money(amount, currency())} from the demo bank…`, async () => {
    const before = wallet().balance;
    const transfer = (
      await api('POST', '/api/transfers', {
        key: state.bank.key,
        body: {
          from_wallet_id: state.bank.walletId,
          to_wallet_id: state.walletId,
          amount,
          description: 'Top-up from the demo bank',
        },
        idempotencyKey: newKey(),
      })
    ).data;
    const after = await refreshBalance();
    await loadLedger(true);
    setResult(
      'fund-result',
      `Added ${money(transfer.amount, transfer.currency)} by transfer: balance ${money(before, currency())} → ${money(after, currency())}.`,
      'ok',
    );
  });
}

async function sendDebit(request) {
  const label = request === state.lastDebit ? 'Sending the same debit again…' : 'Debiting…';
  await act('debit-result', label, async () => {
    const before = wallet().balance;
    try {
      const { data, replayed } = await api('POST', `/api/wallets/${state.walletId}/debit`, {
        body: { amount: request.amount },
        idempotencyKey: request.key,
      });
      state.lastDebit = request;
      const now = await refreshBalance();
      await loadLedger(true);
      setResult(
        'debit-result',
        replayed
          ? `Replayed (idempotent-replayed: true): the same entry ${data.id.slice(0, 8)}…, balance unchanged at ${money(now, currency())}.`
          : `Debited ${money(data.amount, currency())}: balance ${money(before, currency())} → ${money(data.balance_after, currency())}.`,
        'ok',
      );
    } catch (error) {
      if (error instanceof Problem) state.lastDebit = request;
      throw error;
    }
  });
}

async function debitRace() {
  const n = Number($('race-n').value);
  const amount = toMinor($('race-amount').value, currency());
  if (!Number.isInteger(n) || n < 1 || n > 200 || amount === null)
    return setResult('debit-race-result', `Type N (1..200) and an amount in ${currency()}`, 'refused');
  await act('debit-race-result', `Firing ${n} debits of ${money(amount, currency())} at once…`, async () => {
    const balance = await refreshBalance();
    const predicted = Math.min(n, Math.floor(balance / amount));
    const outcomes = await Promise.allSettled(
      Array.from({ length: n }, () =>
        api('POST', `/api/wallets/${state.walletId}/debit`, { body: { amount }, idempotencyKey: newKey() }),
      ),
    );
    const succeeded = outcomes.filter((o) => o.status === 'fulfilled').length;
    const refused = outcomes.filter(
      (o) => o.status === 'rejected' && o.reason.body?.code === 'insufficient_funds',
    );
    const other = outcomes.filter(
      (o) => o.status === 'rejected' && o.reason.body?.code !== 'insufficient_funds',
    );
    const after = await refreshBalance();
    await loadLedger(true);
    setResult(
      'debit-race-result',
      `${succeeded} succeeded, ${refused.length} refused (insufficient_funds), ${other.length} other; ` +
        `arithmetic predicts ${predicted}. Balance ${money(balance, currency())} → ${money(after, currency())}.` +
        (other.length ? ` First other: ${other[0].reason.describe()}` : ''),
      succeeded === predicted && other.length === 0 ? 'ok' : 'refused',
    );
  });
}

/**
 * An authorization (money moves from available to held, the balance stays), then a capture of part
 * of it: one debit of the part, the rest released.
 */
async function authorizeThenCapture() {
  const amount = toMinor($('authorize-amount').value, currency());
  const part = toMinor($('capture-amount').value, currency());
  if (amount === null || part === null)
    return setResult(
      'authorize-result',
      `Type two amounts in ${currency()}, e.g. 20.00 and 12.50`,
      'refused',
    );
  await act('authorize-result', `Authorizing ${money(amount, currency())}…`, async () => {
    await refreshBalance();
    const before = wallet();
    const authorization = (
      await api('POST', `/api/wallets/${state.walletId}/authorizations`, {
        body: { amount, description: 'Demo: authorize, then capture part' },
        idempotencyKey: newKey(),
      })
    ).data;
    await refreshBalance();
    const holding = wallet();
    setResult(
      'authorize-result',
      `Authorized ${money(amount, currency())}: held ${money(holding.held, currency())}, available ` +
        `${money(holding.available, currency())}; capturing ${money(part, currency())}…`,
      'pending',
    );
    const captured = (
      await api('POST', `/api/authorizations/${authorization.id}/capture`, {
        body: { amount: part },
        idempotencyKey: newKey(),
      })
    ).data;
    await refreshBalance();
    await loadLedger(true);
    const after = wallet();
    setResult(
      'authorize-result',
      `Authorized ${money(amount, currency())} (available ${money(before.available, currency())} → ` +
        `${money(holding.available, currency())}, balance unchanged), then captured ` +
        `${money(captured.captured_amount, currency())} and released ` +
        `${money(captured.amount - captured.captured_amount, currency())}: balance ` +
        `${money(before.balance, currency())} → ${money(after.balance, currency())}, held ${money(after.held, currency())}.`,
      'ok',
    );
  });
}

// ---- flash sale ------------------------------------------------------------------------------

async function loadProducts() {
  const page = (await api('GET', '/api/products?limit=50', { auth: false })).data;
  const select = $('product-id');
  for (const p of page.data) select.append(new Option(`${p.name}, ${money(p.price, p.currency)}`, p.id));
  const chosen = sessionStorage.getItem('demo-product');
  if (page.data.some((p) => p.id === chosen)) {
    select.value = chosen;
    state.productId = chosen;
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

function showBuyers() {
  $('buyers').max = String(state.buyers.length || 1);
  $('buyers').value = String(Math.min(Number($('buyers').value) || 1, state.buyers.length || 1));
  $('buyers-note').textContent = state.buyers.length
    ? `${state.buyers.length} buyers, each a customer of their own, from npm run seed.`
    : 'No buyers: open this page from the link npm run seed prints to race distinct customers.';
}

async function race() {
  const n = Number($('buyers').value);
  if (!Number.isInteger(n) || n < 1 || n > state.buyers.length)
    return setResult('race-result', `N is 1..${state.buyers.length}`, 'refused');
  await act('race-result', `${n} buyers racing…`, async () => {
    const before = (await api('GET', `/api/products/${state.productId}`, { auth: false })).data;
    const outcomes = await Promise.allSettled(
      state.buyers
        .slice(0, n)
        .map((key) => api('POST', '/api/holds', { key, body: { product_id: state.productId, quantity: 1 } })),
    );
    const granted = outcomes.filter((o) => o.status === 'fulfilled').length;
    const refused = outcomes.filter(
      (o) => o.status === 'rejected' && o.reason.body?.code === 'insufficient_stock',
    );
    const other = outcomes.filter(
      (o) => o.status === 'rejected' && o.reason.body?.code !== 'insufficient_stock',
    );
    const after = (await api('GET', `/api/products/${state.productId}`, { auth: false })).data;
    const balanced = after.available_stock + after.reserved_stock + after.sold_stock === after.total_stock;
    const exact = granted === Math.min(n, before.available_stock);
    setResult(
      'race-result',
      `${granted} granted, ${refused.length} refused, ${other.length} other; ${before.available_stock} were available. ` +
        (balanced && exact ? 'Nothing oversold.' : 'Not as predicted!') +
        (other.length ? ` First other: ${other[0].reason.describe()}` : ''),
      balanced && exact && other.length === 0 ? 'ok' : 'refused',
    );
  });
}

const holdsKey = () => `demo-holds:${state.accountId}`;
function saveHolds() {
  const ids = state.holds.map(({ hold, order }) => ({ hold: hold.id, order: order?.id ?? null }));
  sessionStorage.setItem(holdsKey(), JSON.stringify(ids.slice(0, 20)));
}

/** The page's holds and orders as the API shows them now: after a reload too. */
async function loadHolds() {
  const ids = JSON.parse(sessionStorage.getItem(holdsKey()) ?? '[]');
  const entries = await Promise.all(
    ids.map(async ({ hold, order }) => {
      try {
        return {
          hold: (await api('GET', `/api/holds/${hold}`)).data,
          order: order ? (await api('GET', `/api/orders/${order}`)).data : null,
        };
      } catch (error) {
        if (error instanceof Problem && error.status === 404) return null;
        throw error;
      }
    }),
  );
  state.holds = entries.filter(Boolean);
  renderHolds();
}

async function holdOne() {
  await act('hold-result', 'Holding one unit…', async () => {
    const hold = (await api('POST', '/api/holds', { body: { product_id: state.productId, quantity: 1 } }))
      .data;
    state.holds.unshift({ hold, order: null });
    saveHolds();
    renderHolds();
    setResult(
      'hold-result',
      `Held 1 unit until ${new Date(hold.expires_at).toLocaleTimeString('en-GB')}.`,
      'ok',
    );
  });
}

function renderHolds() {
  const list = $('holds');
  list.replaceChildren();
  const now = Date.now();
  for (const entry of state.holds) {
    const { hold, order } = entry;
    const left = Math.max(0, Math.ceil((Date.parse(hold.expires_at) - now) / 1000));
    const active = hold.status === 'active' && left > 0 && !order;
    const item = document.createElement('li');
    const text = document.createElement('span');
    text.className = 'what';
    text.textContent = order
      ? `Order ${order.id.slice(0, 8)}…: ${order.status.replace(/_/g, ' ')}, ${money(order.amount, order.currency)}`
      : `Hold ${hold.id.slice(0, 8)}…: ${active ? `active, ${left} s left` : hold.status === 'active' ? 'expired' : hold.status}`;
    item.append(text);
    const actions = document.createElement('span');
    actions.className = 'actions';
    const action = (label, run, enabled) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = label;
      button.disabled = !enabled;
      button.addEventListener('click', () =>
        act('hold-result', `${label}…`, async () => {
          setResult('hold-result', await run(entry), 'ok');
          saveHolds();
          renderHolds();
        }),
      );
      actions.append(button);
    };
    action('Release', releaseHold, active);
    action('Order', orderHold, active);
    action('Pay', payOrder, order?.status === 'pending_payment' && wallet()?.currency === order.currency);
    item.append(actions);
    list.append(item);
  }
}

async function releaseHold(entry) {
  entry.hold = (await api('DELETE', `/api/holds/${entry.hold.id}`)).data;
  return 'Released: the unit is available again.';
}

async function orderHold(entry) {
  entry.order = (
    await api('POST', '/api/orders', { body: { hold_id: entry.hold.id }, idempotencyKey: newKey() })
  ).data;
  entry.hold = { ...entry.hold, status: 'consumed' };
  return `Ordered: ${money(entry.order.amount, entry.order.currency)} to pay.`;
}

async function payOrder(entry) {
  const before = wallet().balance;
  entry.order = (
    await api('POST', `/api/orders/${entry.order.id}/pay`, {
      body: { wallet_id: state.walletId },
      idempotencyKey: newKey(),
    })
  ).data;
  const after = await refreshBalance();
  await loadLedger(true);
  return `Paid ${money(entry.order.amount, entry.order.currency)}: balance ${money(before, currency())} → ${money(after, currency())}.`;
}

// ---- travel ----------------------------------------------------------------------------------

async function loadBinding() {
  const demo = (await api('GET', '/api/provider-demo', { auth: false })).data.contextual_binding_demo;
  $('binding').textContent =
    `Flights book through ${demo.flight_handler.injected_provider}, hotels through ` +
    `${demo.hotel_handler.injected_provider} (sandbox providers unless PROVIDER_MODE=live).`;
}

async function searchFlights(event) {
  event.preventDefault();
  const query = new URLSearchParams({
    origin: $('origin').value.toUpperCase(),
    destination: $('destination').value.toUpperCase(),
    departure_date: $('departure').value,
    adults: '1',
  });
  await act('booking-result', 'Searching…', async () => {
    const result = (await api('GET', `/api/flights/offers?${query}`, { auth: false })).data;
    const list = $('offers');
    list.replaceChildren();
    for (const offer of result.offers.slice(0, 5)) {
      const item = document.createElement('li');
      const text = document.createElement('span');
      text.className = 'what';
      text.textContent = `${result.provider}: ${money(offer.price.amount, offer.price.currency)}`;
      const book = document.createElement('button');
      book.type = 'button';
      book.textContent = 'Book';
      book.addEventListener('click', () => bookOffer(offer));
      item.append(text, book);
      list.append(item);
    }
    setResult(
      'booking-result',
      result.offers.length ? `${result.offers.length} offers.` : 'No offers.',
      'ok',
    );
  });
}

async function bookOffer(offer) {
  const { currency: payIn, amount } = offer.price;
  const from = state.wallets.find((w) => w.currency === payIn);
  if (!from)
    return setResult('booking-result', `Booking needs a ${payIn} wallet: this key has none.`, 'refused');
  const lastName = $('traveler').value;
  await act('booking-result', `Booking for Ada ${lastName}…`, async () => {
    const booking = (
      await api('POST', '/api/bookings', {
        body: {
          type: 'flight',
          offer_id: offer.id,
          wallet_id: from.id,
          // The sandbox's pricing, like many airlines', asks for the date of birth.
          traveler: {
            first_name: 'Ada',
            last_name: lastName,
            email: 'ada@example.com',
            date_of_birth: '1990-04-21',
          },
        },
        idempotencyKey: newKey(),
      })
    ).data;
    const debited = `Debited ${money(booking.amount, booking.currency)} from the ${payIn} wallet`;
    setResult(
      'booking-result',
      `${debited}; booking ${booking.id.slice(0, 8)}… is queued (${booking.status}).`,
      'pending',
    );
    let now = booking;
    while (now.status === 'pending') {
      await new Promise((resolve) => setTimeout(resolve, 500));
      now = (await api('GET', `/api/bookings/${booking.id}`)).data;
    }
    if (from.id === state.walletId) {
      await refreshBalance();
      await loadLedger(true);
    }
    if (now.status === 'confirmed') {
      setResult('booking-result', `${debited}; the provider confirmed it: ${now.confirmation_code}.`, 'ok');
    } else if (now.status === 'failed') {
      const entries = (await api('GET', `/api/wallets/${from.id}/transactions?limit=20`)).data.data;
      const refund = entries.find((t) => t.type === 'credit' && t.reference_id === booking.id);
      setResult(
        'booking-result',
        `${debited}; the provider refused it (${now.failure_reason}): ` +
          (refund ? `refunded ${money(refund.amount, payIn)}, once.` : 'no refund found!'),
        refund ? 'ok' : 'refused',
      );
    } else {
      setResult('booking-result', `${debited}; the booking is ${now.status.replace(/_/g, ' ')}.`, 'refused');
    }
  });
}

// ---- events ----------------------------------------------------------------------------------

/** How often the list asks for new events while the page is visible, and how many it keeps. */
const EVENT_POLL_MS = 2000;
const EVENTS_KEPT = 50;
const feed = { timer: 0, busy: false, again: false };

/** A short line for an event's resource: its id, and its status or its money as the type suggests. */
function summarize(type, object) {
  const o = object ?? {};
  const resource = type.slice(0, type.indexOf('.')).replace(/_/g, ' ');
  const parts = [];
  if (o.balance !== undefined) {
    parts.push(
      `balance ${money(o.balance, o.currency)}`,
      `held ${money(o.held, o.currency)}`,
      `available ${money(o.available, o.currency)}`,
    );
  } else {
    if (o.status) parts.push(String(o.status).replace(/_/g, ' '));
    if (o.amount !== undefined && o.currency)
      parts.push(
        o.captured_amount
          ? `${money(o.captured_amount, o.currency)} of ${money(o.amount, o.currency)}`
          : money(o.amount, o.currency),
      );
  }
  const id = o.id ? ` ${String(o.id).slice(0, 8)}…` : '';
  return `${resource}${id}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

function eventItem(event) {
  const item = document.createElement('li');
  item.dataset.eventId = event.id;
  item.dataset.createdAt = event.created_at;
  const time = document.createElement('time');
  time.dateTime = event.created_at;
  time.textContent = new Date(event.created_at).toLocaleTimeString('en-GB');
  const type = document.createElement('span');
  type.className = 'type';
  type.textContent = event.type;
  const what = document.createElement('span');
  what.className = 'what';
  what.textContent = summarize(event.type, event.data?.object);
  item.append(time, type, what);
  return item;
}

/**
 * Adds the events not shown yet, each once (by id), in place by time, newest first; only new items
 * are inserted, so a screen reader announces just those. The oldest beyond EVENTS_KEPT go.
 */
function addEvents(page) {
  const list = $('events');
  const shown = new Set(Array.from(list.children, (li) => li.dataset.eventId));
  for (const event of page) {
    if (shown.has(event.id)) continue;
    shown.add(event.id);
    const at = Date.parse(event.created_at);
    const older = Array.from(list.children).find((li) => Date.parse(li.dataset.createdAt) < at);
    list.insertBefore(eventItem(event), older ?? null);
  }
  while (list.children.length > EVENTS_KEPT) list.lastElementChild.remove();
}

function setEventsError(text) {
  if ($('events-error').textContent !== text) $('events-error').textContent = text;
}

function resetEvents() {
  $('events').replaceChildren();
  setEventsError('');
}

/** One read of the newest events with the page's key; a failure is said on the list's error line. */
async function fetchEvents() {
  const key = state.key;
  let page;
  try {
    page = (await api('GET', '/api/events?limit=20', { key })).data.data;
  } catch (error) {
    if (key !== state.key) return;
    const reason = error instanceof Problem ? error.describe() : error.message;
    return setEventsError(`Could not read the events (${reason}); trying again.`);
  }
  if (key !== state.key) return;
  setEventsError('');
  addEvents(page);
}

/**
 * Reads the events now, then every EVENT_POLL_MS while the page is visible. A call while a read is
 * under way asks for one more read after it, so an action's events are never missed.
 */
async function pollEvents() {
  if (feed.busy) {
    feed.again = true;
    return;
  }
  clearTimeout(feed.timer);
  feed.busy = true;
  try {
    do {
      feed.again = false;
      if (state.key && document.visibilityState === 'visible') await fetchEvents();
    } while (feed.again);
  } finally {
    feed.busy = false;
    if (document.visibilityState === 'visible') feed.timer = setTimeout(pollEvents, EVENT_POLL_MS);
  }
}

// ---- wiring ----------------------------------------------------------------------------------

function init() {
  // Keys may come in the URL fragment, which browsers never send to a server; they are kept for this
  // tab only and taken out of the address bar.
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (location.hash) history.replaceState(null, '', location.pathname);
  for (const name of ['bank', 'bank_wallet', 'buyers'])
    if (fragment.get(name)) sessionStorage.setItem(`demo-${name}`, fragment.get(name));
  const bankKey = sessionStorage.getItem('demo-bank');
  const bankWallet = sessionStorage.getItem('demo-bank_wallet');
  state.bank = bankKey && bankWallet ? { key: bankKey, walletId: bankWallet } : null;
  if (!state.bank)
    $('fund').title = 'Open this page from the link npm run seed prints: top-ups come from its bank account';
  state.buyers = (sessionStorage.getItem('demo-buyers') ?? '').split(',').filter(Boolean);
  if (fragment.get('wallet')) sessionStorage.setItem('demo-wallet', fragment.get('wallet'));
  if (fragment.get('product')) sessionStorage.setItem('demo-product', fragment.get('product'));
  const key = fragment.get('key') || sessionStorage.getItem('demo-key') || '';
  $('departure').value = new Date(Date.now() + 30 * 86400_000).toISOString().slice(0, 10);
  showBuyers();

  $('key-form').addEventListener('submit', (e) => {
    e.preventDefault();
    useKey($('api-key').value);
  });
  $('wallet-id').addEventListener('change', (e) => {
    state.walletId = e.target.value;
    state.lastDebit = null;
    showWallet().catch(show).finally(enable);
  });
  $('wallet-open').addEventListener('click', openWallet);
  $('fund').addEventListener('click', addFunds);
  $('debit').addEventListener('click', () => {
    const amount = toMinor($('debit-amount').value, currency());
    if (amount === null)
      return setResult('debit-result', `Type an amount in ${currency()}, e.g. 0.50`, 'refused');
    sendDebit({ amount, key: newKey() });
  });
  $('debit-retry').addEventListener('click', () => sendDebit(state.lastDebit));
  $('debit-race').addEventListener('click', debitRace);
  $('authorize-capture').addEventListener('click', authorizeThenCapture);
  $('ledger-more').addEventListener('click', () => loadLedger(false).catch(show));
  $('product-id').addEventListener('change', (e) => {
    state.productId = e.target.value;
    sessionStorage.setItem('demo-product', state.productId);
    enable();
  });
  $('race').addEventListener('click', race);
  $('hold-one').addEventListener('click', holdOne);
  $('flight-form').addEventListener('submit', searchFlights);

  setInterval(renderHolds, 1000);
  pollStock();
  // Hidden, the page stops asking for events; shown again, it asks at once.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') pollEvents();
    else clearTimeout(feed.timer);
  });
  pollEvents();
  loadBinding().catch(show);
  loadProducts().catch(show);
  if (key) {
    $('api-key').value = key;
    useKey(key);
  }
  enable();
}

init();
