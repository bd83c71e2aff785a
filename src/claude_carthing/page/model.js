/* The view model: a pure function of (payload, history, connection, now, settings) -> plain data.
   Nothing here touches the DOM, the network or the device clock, so any state can be tested. */
(function (CC) {
  'use strict';
  var F = CC.fmt;
  var MAX_CELLS = 6;
  var REASONS = {
    cloudflare: 'Cloudflare challenge, retrying',
    auth: 'Claude session expired — run `claude-carthing login`',
    rate_limited: 'Claude is rate-limiting reads, retrying later',
    network: 'The PC cannot reach claude.ai, retrying',
    server: 'Claude\'s servers are failing, retrying',
    schema: 'Claude changed its answer — update claude-carthing',
    not_configured: 'Not logged in — run `claude-carthing login`'
  };

  function reason(meta) {
    // Auth failures have different fixes (log in again, open Claude Code, another token):
    // only an expired claude.ai session gets the short wording; the others keep the PC's words.
    var text = meta.last_error || '';
    if (meta.error_kind === 'auth' && text && text.indexOf('session expired') < 0) return text;
    return REASONS[meta.error_kind] || text || 'the last reads failed';
  }

  function money(amount, currency) {
    if (!F.isNum(amount)) return '';
    try {
      return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency || 'USD' }).format(amount);
    } catch (e) {
      return amount.toFixed(2) + ' ' + (currency || '');
    }
  }

  function extra(eu) {
    if (!eu || !eu.enabled) return null;
    var text = money(eu.used, eu.currency) + ' spent';
    if (F.isNum(eu.limit)) text += ' of ' + money(eu.limit, eu.currency);
    var util = F.isNum(eu.utilization) ? eu.utilization : null;
    return { text: text, util: util, level: util === null ? 0 : F.level(util, null),
      limitText: F.isNum(eu.limit) ? 'monthly limit' : 'no spending limit' };
  }

  function card(w, inp, offsetMin, fetchedAt) {
    var lvl = F.level(w.util, w.severity);
    var cd = F.countdown(w.resetsAt, inp.now);
    var points = (inp.history && inp.history[w.id]) || [];
    return {
      id: w.id,
      label: w.label,
      sub: w.model || w.surface || '',
      pctText: String(Math.round(w.util)),
      frac: Math.max(0, Math.min(1, w.util / 100)),
      util: w.util,
      level: F.levelName(lvl),
      warn: lvl === 2,
      resetText: F.isNum(w.resetsAt) ? 'resets ' + F.when(w.resetsAt, inp.now, offsetMin) : 'no reset scheduled',
      countdown: cd === null ? '' : (cd === 'soon' ? 'soon' : 'in ' + cd),
      projection: F.projection(w, points, fetchedAt, inp.now, offsetMin),
      points: points,
      resetsAt: w.resetsAt,
      startsAt: F.isNum(w.resetsAt) ? w.resetsAt - F.periodMs(w) : null
    };
  }

  function panel(screen, meta, p, inp) {
    var server = inp.settings.server || 'this page\'s server';
    if (screen === 'loading') return { title: 'Connecting…', lines: ['Asking the PC server at ' + server + ' for your usage.'] };
    if (screen === 'unreachable') {
      return { title: 'Can\'t reach the PC server', lines: [
        'Tried ' + server + (inp.conn.error ? ' (' + inp.conn.error + ')' : '') + '.',
        'Start it on your PC with `claude-carthing serve`; this screen retries by itself.'] };
    }
    if (screen === 'not_configured') {
      // The server's reason usually says what to run already: then it is not said twice.
      var why = meta.last_error || (p && p.error) || '';
      var todo = why.indexOf('claude-carthing login') < 0 ? ['On your PC, run `claude-carthing login`.'] : [];
      return { title: 'Not connected to Claude yet', lines: todo.concat([why,
        'Leave `claude-carthing serve` running: this screen updates by itself once you are logged in.']) };
    }
    if (screen === 'waiting') {
      return { title: 'Waiting for the first reading', lines: [
        'The PC server is up and asking Claude for your usage.', meta.last_error || ''] };
    }
    return { title: 'No usage data', lines: [
      meta.error_kind ? REASONS[meta.error_kind] || '' : '',
      meta.last_error || (p && p.error) || 'The server has no usage data to show.',
      'Retrying by itself.'] };
  }

  function pickScreen(p, state, ws, conn) {
    if (!p) return conn.down ? 'unreachable' : 'loading';
    if (state === 'not_configured') return 'not_configured';
    if (ws.length) return 'data';
    if (state === 'waiting') return 'waiting';
    return 'error';
  }

  // Banner and badge for a screen with data: why the numbers may be old, or that they are demo.
  function status(p, meta, state, inp, offsetMin, dataAt) {
    var old = F.age(inp.now - dataAt);
    if (inp.conn.down) {
      var since = F.isNum(inp.conn.since) ? ' since ' + F.hhmm(inp.conn.since, offsetMin) : '';
      return { badge: 'STALE', kind: 'stale', banner: 'PC server unreachable' + since + ' · data ' + old };
    }
    if (inp.fromCache) return { badge: 'CACHED', kind: 'stale', banner: 'Reconnecting to the PC server · data ' + old };
    if (state === 'stale') return { badge: 'STALE', kind: 'stale', banner: reason(meta) + ' · data ' + old };
    if (state === 'demo' || meta.demo) {
      return { badge: 'DEMO', kind: 'demo', banner: 'Demo data, not your account · run `claude-carthing login` on the PC' };
    }
    return { badge: 'LIVE', kind: 'live', banner: '' };
  }

  // Everything the screen shows, as plain data.
  function model(inp) {
    var p = inp.payload;
    var meta = (p && p.meta) || {};
    var state = meta.state || (p ? (p.error ? 'error' : 'live') : null);
    var ws = F.windows(p);
    var offsetMin = F.isNum(inp.offsetMin) ? inp.offsetMin : 0;
    var screen = pickScreen(p, state, ws, inp.conn);
    var fetchedAt = F.isNum(meta.fetched_at_ms) ? meta.fetched_at_ms : inp.receivedAt;
    var dataAt = F.isNum(meta.last_success_at_ms) ? meta.last_success_at_ms : fetchedAt;
    var vm = {
      screen: screen, state: state || 'loading', view: inp.view, detail: 0,
      plan: (p && p.plan && p.plan.name) || '', badge: '', kind: '', banner: '',
      cards: [], more: 0, extra: null, panel: null, updated: '', offsetMin: offsetMin,
      now: inp.now, info: []
    };
    if (screen !== 'data') {
      vm.panel = panel(screen, meta, p, inp);
      if (screen === 'not_configured') { vm.badge = 'SETUP'; vm.kind = 'stale'; }
      if (inp.conn.down && p) vm.banner = 'PC server unreachable since ' + F.hhmm(inp.conn.since, offsetMin);
      vm.view = 'overview';
      return vm;
    }
    var st = status(p, meta, state, inp, offsetMin, dataAt);
    vm.badge = st.badge; vm.kind = st.kind; vm.banner = st.banner;
    vm.cards = ws.map(function (w) { return card(w, inp, offsetMin, fetchedAt); });
    vm.extra = extra(p.extra_usage);
    vm.updated = 'Updated ' + F.age(inp.now - dataAt) + (F.isNum(dataAt) ? ' (' + F.hhmm(dataAt, offsetMin) + ')' : '');
    var cells = MAX_CELLS - (vm.extra ? 1 : 0);
    if (vm.cards.length > cells) { cells -= 1; vm.more = vm.cards.length - cells; }
    vm.overview = vm.cards.slice(0, cells);
    vm.detail = Math.max(0, Math.min(inp.detail || 0, vm.cards.length - 1));
    vm.info = [
      ['Server', inp.settings.server || 'same origin'],
      ['Connection', inp.conn.down ? 'unreachable' : 'ok'],
      ['State', state + (meta.source ? ' · source ' + meta.source : '')],
      ['Plan', vm.plan || 'unknown'],
      ['Data from', F.isNum(dataAt) ? F.when(dataAt, inp.now, offsetMin) : 'unknown'],
      ['Next PC read', F.isNum(meta.next_poll_at_ms) ? F.when(meta.next_poll_at_ms, inp.now, offsetMin) : 'unknown'],
      ['Last error', meta.last_error || 'none'],
      ['Version', meta.version || 'unknown'],
      ['Controls', '1 overview · 2 details · 3 all limits · 4 this page · dial: next · Enter: refresh · M: theme']
    ];
    return vm;
  }

  // The list of views the dial steps through, as [view, detailIndex] pairs.
  function views(count) {
    var out = [['overview', 0]];
    for (var i = 0; i < count; i++) out.push(['detail', i]);
    out.push(['list', 0]);
    out.push(['status', 0]);
    return out;
  }

  CC.model = model;
  CC.views = views;
  CC.reasons = REASONS;
})(window.CC = window.CC || {});
