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
    held: {}, cards: null, noticeUntil: 0
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
      st.payload = c.payload; st.fromCache = true; st.receivedAt = c.receivedAt;
      st.history = c.history || {};
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
    CC.dom.setText(ui.hint, S.device ? t('Dial: views · press: refresh') : t('1–5 views · Enter refresh · M theme'));
    applyTheme(true);
    render();
  }

  function render() {
    var vm = CC.model({ payload: st.payload, history: st.history, conn: st.conn, now: now(),
      offsetMin: clock.offsetMin, settings: S, view: st.view, detail: st.detail,
      fromCache: st.fromCache, receivedAt: st.receivedAt });
    st.count = vm.cards.length;
    CC.draw(vm, ui);
    fitLayout();
    CC.sessions.fit(ui.main);
    tick(true);
    return vm;
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
  function bodyKey(text) { return text.replace(CLOCK_RE, ''); }

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
    // The server's language changed (config set language): follow it, unless ?lang= says.
    if (!S.lang && typeof meta.language === 'string' && meta.language !== I.language()) loadLanguage(meta.language);
    else if (!body.meta) clock.offsetMin = -new Date().getTimezoneOffset();
    st.payload = body; st.fromCache = false; st.receivedAt = now();
    st.conn = { down: false, since: null, error: '', failures: 0 };
    var live = meta.state === 'live' || meta.state === 'stale' || (!body.meta && !body.error);
    if (live && F.windows(body).length) saveCache();
    if (F.windows(body).length) loadHistory(false);
  }

  function poll() {
    var t0 = performance.now();
    return requestText('/usage').then(function (r) {
      if (unchanged(r.text, t0)) { schedule(S.pollMs); return; }
      var body = JSON.parse(r.text);
      if (!body || typeof body !== 'object') throw new Error('HTTP ' + r.status);
      st.bodyKey = bodyKey(r.text);
      accept(body, t0, performance.now());
      schedule(S.pollMs);
      var vm = render();
      // Any new answer may carry new numbers (a status line reading need not be a new read of
      // Claude): the crossings are checked against the cards shown before.
      if (vm.screen === 'data') {
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
    request('/api/history?hours=' + hours).then(function (r) {
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
    request('/api/refresh', 'POST').then(function (r) {
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

  function go(view, detail) {
    st.view = view; st.detail = detail || 0;
    if (view === 'detail') loadHistory(false);
    render();
  }

  function step(dir) {
    var list = CC.views(st.count || 0);
    var at = 0;
    list.forEach(function (v, i) { if (v[0] === st.view && (v[0] !== 'detail' || v[1] === st.detail)) at = i; });
    var next = list[(at + dir + list.length) % list.length];
    go(next[0], next[1]);
  }

  function needData(view, detail) {
    if (st.count) { go(view, detail); return; }
    go('overview');
    toast(t('No limits to show yet · button 4: status'));
  }

  function onKey(e) {
    // A held key acts once: v4.1 auto-repeats (event.repeat), and a second keydown without
    // its keyup is a repeat too.
    var id = e.code || e.key;
    if (e.repeat || st.held[id]) { e.preventDefault(); return; }
    st.held[id] = true;
    var k = e.key;
    var turn = S.reverse ? -1 : 1;
    if (k === '1') go('overview');
    else if (k === '2') needData('detail', st.view === 'detail' ? (st.detail + 1) % Math.max(1, st.count) : 0);
    // Preset 3: the limits as a list; again: Claude Code's sessions (the device has no fifth preset).
    else if (k === '3') go(st.view === 'list' || !st.count ? 'sessions' : 'list');
    else if (k === '5') go('sessions');
    else if (k === '4') go('status');
    else if (k === 'Escape') go('overview');
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
    if (v === 'detail' || v === 'list' || v === 'status' || v === 'sessions') st.view = v;
    document.body.classList.toggle('device', S.device);
    loadCache();
    loadLanguage(S.lang || (st.payload && st.payload.meta && st.payload.meta.language) || '');
    words();
    ui.theme.addEventListener('click', function (e) { e.stopPropagation(); toggleTheme(); });
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
