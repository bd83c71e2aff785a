/* The running page: settings, the server's clock, polling with backoff, the cache, keys, theme.
   All drawing goes through CC.model (pure) and CC.draw. */
(function (CC) {
  'use strict';
  var F = CC.fmt;
  var I = CC.i18n;
  var t = I.t;
  var CACHE_KEY = 'claude-carthing.last';
  var I18N_KEY = 'claude-carthing.i18n';
  var THEME_KEY = 'claude-carthing.theme';
  var FETCH_TIMEOUT_MS = 10000;
  var MANUAL_GAP_MS = 30000;
  var HISTORY_EVERY_MS = 5 * 60000;
  var LONG_PRESS_MS = 700;
  var NOTICE_MS = 6000;

  function readSettings() {
    var q = new URLSearchParams(location.search);
    var http = location.protocol === 'http:' || location.protocol === 'https:';
    var server = q.get('server') || (http ? '' : 'http://172.16.42.1:8080');
    var poll = parseFloat(q.get('poll'));
    var day = (q.get('day') || '7-19').split('-').map(Number);
    return {
      server: server.replace(/\/+$/, ''),
      // Every 2 s: a Claude Code status line reading shows within 2 s (an unchanged answer
      // costs one fetch and no redraw).
      pollMs: (isFinite(poll) && poll >= 1 ? poll : 2) * 1000,
      theme: q.get('theme'),
      seconds: q.get('seconds') === '1',
      dayFrom: isFinite(day[0]) ? day[0] : 7,
      dayTo: isFinite(day[1]) ? day[1] : 19,
      view: q.get('view'),
      // Several accounts: start in this account's view instead of the all-accounts overview.
      account: q.get('account'),
      // The Car Thing opens the page from file:// (deploy); its hints name the dial and buttons.
      device: location.protocol === 'file:' || q.get('device') === '1',
      // Some dials turn the other way (v4.1 is unproven): deploy --reverse-dial sets dial=reverse.
      reverse: q.get('dial') === 'reverse',
      // The language: the PC server's choice (its `language` setting), unless ?lang= says.
      lang: q.get('lang') || ''
    };
  }

  var S = readSettings();
  var ui = {};
  var st = {
    payload: null, fromCache: false, receivedAt: null, history: {}, historyAt: -Infinity,
    historyFor: null, conn: { down: false, since: null, error: '', failures: 0 },
    view: 'overview', detail: 0, lastManual: -Infinity, toastUntil: 0, pressM: 0,
    held: {}, cards: null, noticeUntil: 0,
    // Several accounts (issue 20): every account's name (null: one account, the page as before),
    // the account shown (its /usage?account=), /api/accounts' answer for the home view, and each
    // visited account's last document, so a switch back shows numbers at once.
    multi: null, account: null, acc: null, accKey: null, accFromCache: false, docs: {}, atStart: true
  };
  // Server clock = serverBase + (performance.now() - perfBase): immune to the device clock.
  var clock = { serverBase: null, perfBase: 0, offsetMin: 0, deviceSkew: 0 };
  var pollTimer = null;
  var lastMinute = null;

  function now() {
    if (clock.serverBase !== null) return clock.serverBase + (performance.now() - clock.perfBase);
    return Date.now() + clock.deviceSkew;
  }

  function storage() { try { return window.localStorage; } catch (e) { return null; } }

  function loadCache() {
    var ls = storage();
    try {
      var c = ls && JSON.parse(ls.getItem(CACHE_KEY) || 'null');
      if (!c || !c.payload) return;
      // Started in one account's view (?account=): another account's numbers are not its own.
      var cachedFor = c.payload.meta && c.payload.meta.account;
      if (st.account && cachedFor && cachedFor !== st.account) return;
      st.payload = c.payload; st.fromCache = true; st.receivedAt = c.receivedAt;
      st.history = c.history || {};
      if (c.acc && Array.isArray(c.acc.accounts)) { st.acc = c.acc; st.accFromCache = true; }
      learnAccounts(c.payload.meta || {});
      clock.deviceSkew = c.deviceSkew || 0; clock.offsetMin = c.offsetMin || 0;
    } catch (e) { /* a broken cache is just no cache */ }
  }

  function saveCache() {
    var ls = storage();
    if (!ls) return;
    var small = {};
    Object.keys(st.history).forEach(function (k) { small[k] = st.history[k].slice(-150); });
    try {
      ls.setItem(CACHE_KEY, JSON.stringify({ payload: st.payload, receivedAt: st.receivedAt, history: small,
        acc: st.multi ? st.acc : null,
        deviceSkew: now() - Date.now(), offsetMin: clock.offsetMin }));
    } catch (e) { /* storage full or disabled: the page still works */ }
  }

  // The words and formats of the language, from the server; the last ones are kept for a start
  // without the PC.
  var i18nAsked = null;
  var i18nLoaded = false;
  function loadLanguage(lang) {
    var ls = storage();
    if (lang === i18nAsked) return;
    i18nAsked = lang;
    if (ls && !i18nLoaded) {
      try {
        var kept = JSON.parse(ls.getItem(I18N_KEY) || 'null');
        if (kept && (!S.lang || kept.asked === S.lang) && I.use(kept.data)) i18nLoaded = true;
      } catch (e) { /* a broken cache is just no cache */ }
    }
    request('/api/i18n?lang=' + encodeURIComponent(lang)).then(function (r) {
      if (r.status !== 200 || !I.use(r.body)) { i18nAsked = null; return; }
      i18nLoaded = true;
      if (ls) { try { ls.setItem(I18N_KEY, JSON.stringify({ asked: S.lang, data: r.body })); } catch (e) { /* not kept */ } }
      words();
    }).catch(function () { i18nAsked = null; });
  }

  // Everything drawn in words: after a change of language.
  function words() {
    document.title = t('Claude usage');
    CC.dom.setText(ui.title, t('Claude usage'));
    CC.dom.setText(ui.hint, hint());
    applyTheme(true);
    render();
  }

  function render() {
    var vm = CC.model({ payload: st.payload, history: st.history, conn: st.conn, now: now(),
      offsetMin: clock.offsetMin, settings: S, view: st.view, detail: st.detail,
      fromCache: st.fromCache, receivedAt: st.receivedAt,
      multi: st.multi, account: st.account, accounts: st.acc, accountsFromCache: st.accFromCache });
    // On the all-accounts view, keys 2-4 open the views of the account shown last.
    st.count = vm.view === 'accounts' ? F.windows(st.payload).length : vm.cards.length;
    CC.draw(vm, ui);
    CC.dom.setText(ui.hint, hint());
    fitLayout();
    CC.sessions.fit(ui.main);
    CC.accounts.fit(ui.main);
    if (st.multi) CC.accounts.shorten(ui.title, function () { return ui.title.scrollWidth > ui.title.clientWidth + 1; });
    tick(true);
    return vm;
  }

  function hint() {
    if (st.multi) return S.device ? t('Dial: accounts, views · press: refresh') : t('1 accounts · 2–5 views · Enter refresh');
    return S.device ? t('Dial: views · press: refresh') : t('1–5 views · Enter refresh · M theme');
  }

  // The hint yields when the footer's own words need the room (long states, big fonts), and a
  // sparkline squeezed below a readable height yields to the numbers.
  function fitLayout() {
    var foot = ui.hint.parentNode;
    foot.classList.remove('tight');
    if (foot.scrollWidth > foot.clientWidth + 1) foot.classList.add('tight');
    // Bigger numbers where no card has a line, unless they would not fit (a banner, long words).
    var roomy = ui.main.querySelector('.grid.roomy');
    if (roomy) {
      var cards = roomy.querySelectorAll('.card');
      for (var k = 0; k < cards.length; k++) {
        if (cards[k].scrollHeight > cards[k].clientHeight + 1 || cards[k].scrollWidth > cards[k].clientWidth + 1) {
          roomy.classList.remove('roomy');
          break;
        }
      }
    }
    // A card too full for its texts (a long language, six cards and banners) drops the
    // countdown first: the reset time itself stays, at the same size.
    var full = ui.main.querySelectorAll('.card');
    for (var c = 0; c < full.length; c++) {
      var left = full[c].querySelector('.reset .countdown');
      if (left && full[c].scrollHeight > full[c].clientHeight + 1) left.style.display = 'none';
    }
    var sparks = ui.main.querySelectorAll('.chart.spark');
    for (var i = 0; i < sparks.length; i++) {
      if (sparks[i].getBoundingClientRect().height < 14) sparks[i].style.display = 'none';
    }
  }

  function request(path, method) {
    var ctrl = typeof AbortController === 'function' ? new AbortController() : null;
    var timer = setTimeout(function () { if (ctrl) ctrl.abort(); }, FETCH_TIMEOUT_MS);
    var opts = { method: method || 'GET', cache: 'no-store', credentials: 'omit' };
    if (ctrl) opts.signal = ctrl.signal;
    return fetch(S.server + path, opts).then(function (res) {
      clearTimeout(timer);
      return res.json().then(function (body) { return { status: res.status, body: body }; });
    }, function (err) { clearTimeout(timer); throw err; });
  }

  function requestText(path) {
    var ctrl = typeof AbortController === 'function' ? new AbortController() : null;
    var timer = setTimeout(function () { if (ctrl) ctrl.abort(); }, FETCH_TIMEOUT_MS);
    var opts = { method: 'GET', cache: 'no-store', credentials: 'omit' };
    if (ctrl) opts.signal = ctrl.signal;
    return fetch(S.server + path, opts).then(function (res) {
      clearTimeout(timer);
      return res.text().then(function (text) { return { status: res.status, text: text }; });
    }, function (err) { clearTimeout(timer); throw err; });
  }

  // The answer without the server's clock, which changes on every request.
  var CLOCK_RE = /"server_time_ms":\s*(-?\d+)/;
  var CLOCKS_RE = /"server_time_ms":\s*(-?\d+)/g; // /api/accounts has one per account too
  function bodyKey(text) { return text.replace(CLOCKS_RE, ''); }

  // Polled every 2 s, /usage is mostly the same answer: then only the clock is taken from it,
  // with no parse of the rest, no redraw and no cache write.
  function unchanged(text, t0) {
    if (!st.payload || st.fromCache || st.conn.down || st.bodyKey !== bodyKey(text)) return false;
    var m = CLOCK_RE.exec(text);
    if (m) { clock.serverBase = +m[1]; clock.perfBase = (t0 + performance.now()) / 2; }
    if (F.windows(st.payload).length) loadHistory(false);
    tick(); // the clock's text follows the PC's at once (a full redraw only if the minute moved)
    return true;
  }

  function schedule(ms) {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(poll, ms);
  }

  function backoffMs() { return Math.min(S.pollMs, 2000 * Math.pow(2, Math.min(st.conn.failures - 1, 10))); }

  function accept(body, t0, t1) {
    var meta = body.meta || {};
    if (F.isNum(meta.server_time_ms)) {
      clock.serverBase = meta.server_time_ms; clock.perfBase = (t0 + t1) / 2;
    }
    if (F.isNum(meta.utc_offset_minutes)) clock.offsetMin = meta.utc_offset_minutes;
    else if (!body.meta) clock.offsetMin = -new Date().getTimezoneOffset();
    // The server's language changed (config set language): follow it, unless ?lang= says.
    if (!S.lang && typeof meta.language === 'string' && meta.language !== I.language()) loadLanguage(meta.language);
    st.payload = body; st.fromCache = false; st.receivedAt = now();
    st.conn = { down: false, since: null, error: '', failures: 0 };
    learnAccounts(meta);
    if (st.account) st.docs[st.account] = { payload: body, key: st.bodyKey, at: st.receivedAt };
    var live = meta.state === 'live' || meta.state === 'stale' || (!body.meta && !body.error);
    if (live && F.windows(body).length) saveCache();
    if (F.windows(body).length) loadHistory(false);
  }

  // Several accounts: `meta.accounts` lists them all, the default first (one name, or none from
  // an older server: the page is the one-account page). The home view is then the overview of
  // all accounts, unless the user has gone elsewhere already.
  function learnAccounts(meta) {
    var names = Array.isArray(meta.accounts) ? meta.accounts.filter(function (n) { return typeof n === 'string' && n; }) : [];
    if (names.length >= 2) {
      st.multi = names;
      if (!st.account || names.indexOf(st.account) < 0) st.account = typeof meta.account === 'string' && meta.account ? meta.account : names[0];
      if (st.atStart && st.view === 'overview') st.view = 'accounts';
    } else if (st.multi) {
      st.multi = null; st.account = null; st.acc = null; st.accKey = null; st.docs = {};
      if (st.view === 'accounts') st.view = 'overview';
    }
  }

  function onHome() { return !!st.multi && st.view === 'accounts'; }

  function accountQuery(first) { return st.account ? (first ? '?' : '&') + 'account=' + encodeURIComponent(st.account) : ''; }

  // Show another account: its last known document at once (if visited before), then its own.
  function useAccount(name) {
    if (!name || name === st.account) return false;
    var d = st.docs[name];
    st.account = name;
    st.payload = d ? d.payload : null; st.bodyKey = d ? d.key : null; st.receivedAt = d ? d.at : null;
    st.fromCache = false;
    st.history = {}; st.historyAt = -Infinity; st.historyFor = null; st.cards = null;
    return true;
  }

  // /usage?account= answered 404 (an account that is gone): back to the home view, with the
  // names the server has now.
  function lostAccount(r) {
    if (r.status !== 404 || !st.account) return false;
    var body;
    try { body = JSON.parse(r.text); } catch (e) { return false; }
    if (!body || !Array.isArray(body.accounts)) return false;
    st.account = null; st.payload = null; st.bodyKey = null; st.docs = {};
    learnAccounts({ accounts: body.accounts, account: body.accounts[0] });
    if (st.multi) st.view = 'accounts';
    return true;
  }

  function takeUsage(r, t0) {
    if (unchanged(r.text, t0)) return false;
    var body = JSON.parse(r.text);
    if (!body || typeof body !== 'object') throw new Error('HTTP ' + r.status);
    st.bodyKey = bodyKey(r.text);
    accept(body, t0, performance.now());
    return true;
  }

  // /api/accounts, read like /usage: an answer equal to the last one but for the clock costs no
  // parse and no redraw.
  function takeAccounts(r, t0) {
    if (st.acc && !st.accFromCache && !st.conn.down && st.accKey === bodyKey(r.text)) {
      var m = CLOCK_RE.exec(r.text);
      if (m) { clock.serverBase = +m[1]; clock.perfBase = (t0 + performance.now()) / 2; }
      return false;
    }
    var body = JSON.parse(r.text);
    if (!body || !Array.isArray(body.accounts)) return false;
    st.accKey = bodyKey(r.text); st.acc = body; st.accFromCache = false;
    if (F.isNum(body.server_time_ms)) { clock.serverBase = body.server_time_ms; clock.perfBase = (t0 + performance.now()) / 2; }
    if (F.isNum(body.utc_offset_minutes)) clock.offsetMin = body.utc_offset_minutes;
    saveCache();
    return true;
  }

  function poll() {
    var t0 = performance.now();
    var path = '/usage' + accountQuery(true);
    var home = onHome();
    // On the home view the account shown last is read too, for Claude Code's sessions (the
    // waiting banner), unless /api/accounts carries them itself.
    var usage = !home || !(st.acc && Array.isArray(st.acc.sessions));
    var asks = [usage ? requestText(path) : null, home ? requestText('/api/accounts') : null];
    return Promise.all(asks).then(function (rs) {
      // The user moved to another account meanwhile: its own read is under way.
      if (path !== '/usage' + accountQuery(true)) return;
      if (rs[0] && lostAccount(rs[0])) { schedule(0); render(); return; }
      var changed = rs[0] ? takeUsage(rs[0], t0) : false;
      if (rs[1]) changed = takeAccounts(rs[1], t0) || changed;
      // Several accounts just found: the overview of all of them at once.
      schedule(onHome() && !home ? 0 : S.pollMs);
      if (!changed) return;
      var vm = render();
      // Any new answer may carry new numbers (a status line reading need not be a new read of
      // Claude): the crossings are checked against the cards shown before.
      if (vm.screen === 'data' && vm.view !== 'accounts') {
        var found = CC.alerts(st.cards, vm.cards);
        st.cards = vm.cards;
        if (found) notice(found);
      }
    }).catch(function (err) {
      if (!st.conn.down) st.conn = { down: true, since: now(), error: '', failures: 0 };
      st.conn.failures += 1;
      st.conn.error = err && err.name === 'AbortError' ? 'timed out' : 'no answer'; // said by the model
      schedule(backoffMs());
      render();
    });
  }

  function historyHours() {
    if (st.view !== 'detail') return 24;
    var w = F.windows(st.payload)[st.detail];
    return w && F.periodMs(w) > F.DAY ? 24 * 7 : 24;
  }

  // History for the charts: every 5 minutes, or at once when a view needs a longer span.
  function loadHistory(force) {
    var hours = historyHours();
    if (!force && hours === st.historyFor && now() - st.historyAt < HISTORY_EVERY_MS) return;
    st.historyAt = now(); st.historyFor = hours;
    var account = st.account;
    request('/api/history?hours=' + hours + accountQuery(false)).then(function (r) {
      if (account !== st.account) return; // another account's history
      if (r.body && r.body.series && typeof r.body.series === 'object') {
        st.history = r.body.series;
        render();
      }
    }).catch(function () { st.historyAt = -Infinity; });
  }

  function toast(text, ms) {
    CC.dom.setText(ui.toast, text);
    st.toastUntil = performance.now() + (ms || 4000);
    scheduleTick();
  }

  // A brief, prominent notice (seconds, then gone): no endless animation.
  function notice(found) {
    CC.dom.setText(ui.notice, found.text);
    ui.notice.className = 'notice ' + found.kind;
    ui.notice.hidden = false;
    st.noticeUntil = performance.now() + NOTICE_MS;
    scheduleTick();
  }

  function manualRefresh() {
    if (!st.payload || st.conn.down) {
      toast(t('Checking the PC server again…'));
      poll();
      return;
    }
    var left = MANUAL_GAP_MS - (performance.now() - st.lastManual);
    if (left > 0) { toast(t('Refresh again in {n} s', { n: Math.ceil(left / 1000) })); return; }
    st.lastManual = performance.now();
    toast(t('Refreshing…'));
    // On the all-accounts view every account is asked; elsewhere the account shown.
    var names = onHome() ? st.multi : [st.account];
    Promise.all(names.map(function (name) {
      return request('/api/refresh' + (name ? '?account=' + encodeURIComponent(name) : ''), 'POST');
    })).then(function (rs) {
      var r = rs[0];
      if (r.status === 429) toast(t('Claude was read moments ago; try again in {n} s', { n: r.body.retry_in_s || 30 }));
      // The PC reads Claude in the background: look again shortly.
      setTimeout(poll, 1500);
      setTimeout(poll, 6000);
    }).catch(function () { poll(); });
  }

  // Theme: "dark", "light" or "auto" (light from dayFrom to dayTo o'clock, PC time).
  function themeMode() {
    var ls = storage();
    return (ls && ls.getItem(THEME_KEY)) || S.theme || 'dark';
  }

  function applyTheme(force) {
    var mode = themeMode();
    var light = mode === 'light';
    if (mode === 'auto') {
      var hour = new Date(now() + clock.offsetMin * F.MIN).getUTCHours();
      light = hour >= S.dayFrom && hour < S.dayTo;
    }
    if (document.body.classList.contains('light') !== light) document.body.classList.toggle('light', light);
    // The button says what a press does; "auto" is named while the automatic theme runs.
    // A phone shows the short words instead: its header keeps one row ("Light", "Auto · Dark").
    var auto = mode === 'auto';
    var key = (auto ? 'auto-' : '') + (light ? 'dark' : 'light');
    if (force === true || ui.theme.getAttribute('data-words') !== key) {
      var long = { light: t('Switch to light'), dark: t('Switch to dark'),
        'auto-light': t('Auto · switch to light'), 'auto-dark': t('Auto · switch to dark') }[key];
      var short = { light: t('Light'), dark: t('Dark'), 'auto-light': t('Auto · Light'), 'auto-dark': t('Auto · Dark') }[key];
      ui.theme.textContent = '';
      ui.theme.appendChild(CC.dom.el('span', 'verb', long));
      ui.theme.appendChild(CC.dom.el('span', 'short', short));
      ui.theme.setAttribute('data-words', key);
      ui.theme.setAttribute('aria-label', light ? t('Switch to the dark theme') : t('Switch to the light theme'));
    }
  }

  function setTheme(mode) {
    var ls = storage();
    if (ls) { try { ls.setItem(THEME_KEY, mode); } catch (e) { /* not remembered */ } }
    applyTheme();
  }

  function toggleTheme() { setTheme(document.body.classList.contains('light') ? 'dark' : 'light'); }

  // `account`: show that account (several accounts); undefined keeps the one shown.
  function go(view, detail, account) {
    st.atStart = false;
    var wasHome = onHome();
    var moved = useAccount(account);
    st.view = view; st.detail = detail || 0;
    if (view === 'detail') loadHistory(false);
    render();
    // Another account's numbers, or all accounts', are read at once.
    if (moved || (onHome() && !wasHome)) poll();
  }

  // The dial's stops: [view, detail, account]. With several accounts: the overview of all, each
  // account's overview, then the views of the account shown (details, list, sessions, status).
  function stops() {
    var list = CC.views(st.count || 0);
    if (!st.multi) return list;
    var out = [['accounts', 0]];
    st.multi.forEach(function (name) { out.push(['overview', 0, name]); });
    list.slice(1).forEach(function (v) { out.push([v[0], v[1], st.account]); });
    return out;
  }

  function step(dir) {
    var list = stops();
    var at = 0;
    list.forEach(function (v, i) {
      if (v[0] === st.view && (v[0] !== 'detail' || v[1] === st.detail) && (v[0] !== 'overview' || !st.multi || v[2] === st.account)) at = i;
    });
    var next = list[(at + dir + list.length) % list.length];
    go(next[0], next[1], next[2]);
  }

  function needData(view, detail) {
    if (st.count) { go(view, detail); return; }
    if (!onHome()) go('overview'); // the all-accounts overview stays where it is
    toast(t('No limits to show yet · button 4: status'));
  }

  // Preset 1 (several accounts): the overview of all accounts; pressed there, the first
  // account's own overview; pressed on an account's overview, the next account's, and after the
  // last, all accounts again. From any other view it goes home at once.
  function presetOne() {
    var names = st.multi;
    if (st.view === 'accounts') { go('overview', 0, names[0]); return; }
    var i = names.indexOf(st.account);
    if (st.view === 'overview' && i >= 0 && i + 1 < names.length) go('overview', 0, names[i + 1]);
    else go('accounts');
  }

  // Back (Escape) goes up one level: a view of an account -> its overview -> all accounts.
  function back() {
    if (!st.multi) go('overview');
    else go(st.view === 'overview' || st.view === 'accounts' ? 'accounts' : 'overview');
  }

  function onKey(e) {
    // A held key acts once: v4.1 auto-repeats (event.repeat), and a second keydown without
    // its keyup is a repeat too.
    var id = e.code || e.key;
    if (e.repeat || st.held[id]) { e.preventDefault(); return; }
    st.held[id] = true;
    var k = e.key;
    var turn = S.reverse ? -1 : 1;
    if (k === '1') { if (st.multi) presetOne(); else go('overview'); }
    else if (k === '2') needData('detail', st.view === 'detail' ? (st.detail + 1) % Math.max(1, st.count) : 0);
    // Preset 3: the limits as a list; again: Claude Code's sessions (the device has no fifth preset).
    else if (k === '3') go(st.view === 'list' || !st.count ? 'sessions' : 'list');
    else if (k === '5') go('sessions');
    else if (k === '4') go('status');
    else if (k === 'Escape') back();
    else if (k === 'ArrowRight') step(turn);
    else if (k === 'ArrowLeft') step(-turn);
    else if (k === 'Enter') manualRefresh();
    else if (k === 'm' || k === 'M') { st.pressM = performance.now(); return; }
    else return;
    e.preventDefault();
  }

  function onKeyUp(e) {
    delete st.held[e.code || e.key];
    if ((e.key === 'm' || e.key === 'M') && st.pressM) {
      var held = performance.now() - st.pressM;
      st.pressM = 0;
      if (held >= LONG_PRESS_MS) setTheme('auto');
      else toggleTheme();
    }
  }

  var lastWheel = 0;
  function onWheel(e) {
    var d = Math.abs(e.deltaX) > Math.abs(e.deltaY) ? e.deltaX : e.deltaY;
    // Let phones and small windows scroll; on the fixed screen the dial turns views.
    if (!d || document.documentElement.scrollHeight > window.innerHeight + 2) return;
    var t = performance.now();
    if (t - lastWheel < 120) return;
    lastWheel = t;
    step((d > 0 ? 1 : -1) * (S.reverse ? -1 : 1));
  }

  function onClick(e) {
    var acct = e.target.closest ? e.target.closest('[data-account]') : null;
    if (acct && onHome()) { go('overview', 0, acct.getAttribute('data-account')); return; }
    var card = e.target.closest ? e.target.closest('[data-window]') : null;
    if (card && st.view === 'overview') {
      var ids = F.windows(st.payload).map(function (w) { return w.id; });
      var i = ids.indexOf(card.getAttribute('data-window'));
      if (i >= 0) go('detail', i);
    } else if (st.view !== 'overview' && e.target.closest && e.target.closest('main')) {
      go('overview');
    }
  }

  // Each minute (server time): the clock's text and a full render. The page wakes when something on it changes: the clock's next minute (second, with
  // ?seconds=1) or a toast or notice due to leave; not every second for nothing, now that
  // /usage is read every 2 s.
  var tickTimer = null;
  function scheduleTick() {
    var step = S.seconds ? 1000 : F.MIN;
    var ms = step - (((now() % step) + step) % step) + 15;
    var p = performance.now();
    if (st.toastUntil) ms = Math.min(ms, st.toastUntil - p + 15);
    if (st.noticeUntil) ms = Math.min(ms, st.noticeUntil - p + 15);
    clearTimeout(tickTimer);
    tickTimer = setTimeout(tick, Math.max(15, ms));
  }

  function tick(fromRender) {
    var t = now();
    CC.dom.setText(ui.clock, S.seconds ? F.hhmmss(t, clock.offsetMin) : F.hhmm(t, clock.offsetMin));
    var minute = Math.floor(t / F.MIN);
    if (st.toastUntil && performance.now() > st.toastUntil) { st.toastUntil = 0; CC.dom.setText(ui.toast, ''); }
    if (st.noticeUntil && performance.now() > st.noticeUntil) { st.noticeUntil = 0; ui.notice.hidden = true; }
    scheduleTick();
    if (fromRender === true) { lastMinute = minute; return; }
    if (minute !== lastMinute) { lastMinute = minute; applyTheme(); render(); }
  }

  function start() {
    ['main', 'title', 'badge', 'plan', 'banner', 'waiting', 'updated', 'clock', 'theme', 'toast', 'notice', 'hint'].forEach(function (id) {
      ui[id] = document.getElementById(id);
    });
    var v = S.view;
    if (v === 'detail' || v === 'list' || v === 'status' || v === 'sessions') { st.view = v; st.atStart = false; }
    if (S.account) { st.account = S.account; st.atStart = false; }
    document.body.classList.toggle('device', S.device);
    loadCache();
    loadLanguage(S.lang || (st.payload && st.payload.meta && st.payload.meta.language) || '');
    words();
    ui.theme.addEventListener('click', function (e) { e.stopPropagation(); toggleTheme(); });
    // Several accounts: a tap on the title (an account's name) goes to the overview of all.
    ui.title.addEventListener('click', function () { if (st.multi) go('accounts'); });
    document.addEventListener('keydown', onKey);
    document.addEventListener('keyup', onKeyUp);
    window.addEventListener('wheel', onWheel, { passive: true });
    ui.main.addEventListener('click', onClick);
    window.addEventListener('online', function () { poll(); });
    window.addEventListener('blur', function () { st.held = {}; });
    scheduleTick();
    poll();
    if (CC.approvals) CC.approvals.start(S);
  }

  CC.app = { start: start, now: now, poll: poll, settings: S, state: st };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})(window.CC = window.CC || {});
