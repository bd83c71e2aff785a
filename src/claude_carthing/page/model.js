/* The view model: a pure function of (payload, history, connection, now, settings) -> plain data.
   Nothing here touches the DOM, the network or the device clock, so any state can be tested. */
(function (CC) {
  'use strict';
  var F = CC.fmt;
  var MAX_CELLS = 6;
  var REASONS = {
    cloudflare: 'Cloudflare is checking the PC; retrying',
    auth: 'Claude session expired: run `claude-carthing login`',
    rate_limited: 'Claude asked for fewer reads; retrying later',
    network: 'The PC cannot reach claude.ai; retrying',
    server: 'Claude\'s servers are failing; retrying',
    schema: 'Claude changed its answer: update claude-carthing',
    not_configured: 'Not logged in: run `claude-carthing login`'
  };
  var SOURCES = { oauth: 'Claude Code token', web: 'claude.ai session', 'claude-code': 'Claude Code' };
  var MODES = { idle: 'idle', backoff: 'backing off', paused: 'paused' };
  var SEVERITY = { warning: 1, critical: 2 };
  var RESET_DUE = 'reset due, waiting for the next reading';  // projection.RESET_DUE

  // With several accounts, the command that logs in names the account (as the server's words do).
  function forAccount(text, meta) {
    var many = meta && meta.account && meta.accounts && meta.accounts.length > 1;
    return many ? text.replace('claude-carthing login`', 'claude-carthing login --account ' + meta.account + '`') : text;
  }

  function reason(meta) {
    // Auth failures have different fixes (log in again, open Claude Code, another token):
    // only an expired claude.ai session gets the short wording; the others keep the PC's words.
    if (meta.waking === true && !meta.last_error) return 'the PC was asleep, reading again';
    var text = meta.last_error || '';
    if (meta.error_kind === 'auth' && text && text.indexOf('session expired') < 0) return text;
    return forAccount(REASONS[meta.error_kind] || '', meta) || text || 'the last reads failed';
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
    var limit = F.isNum(eu.limit) && eu.limit > 0;
    var frac = limit && F.isNum(eu.used) ? Math.max(0, Math.min(1, eu.used / eu.limit)) : null;
    return { spent: money(eu.used, eu.currency), text: money(eu.used, eu.currency) + ' spent' +
      (limit ? ' of ' + money(eu.limit, eu.currency) : ''),
      limitText: limit ? 'of ' + money(eu.limit, eu.currency) + ' this month' : 'spent, no limit set',
      frac: frac };
  }

  // The projection in words, from the server's one rule; formatted in the PC's zone here so a
  // cached answer still reads right ("Thu 15:40" once the day has changed).
  function pace(w, nowMs, offsetMin) {
    var p = w.projection;
    if (!p || !p.state) return { text: '', state: 'none' };
    if (p.state === 'hits' && F.isNum(p.at_ms)) {
      return { text: '100 % at ' + F.when(p.at_ms, nowMs, offsetMin) + ', before the reset', state: 'hits', at: p.at_ms, end: 100 };
    }
    if (p.state === 'lasts' && F.isNum(p.at_ms)) {
      return { text: 'lasts until the reset at ' + F.when(p.at_ms, nowMs, offsetMin), state: 'lasts', at: p.at_ms,
        end: F.isNum(p.end_percent) ? p.end_percent : null };
    }
    if (p.state === 'reached' && F.isNum(p.at_ms)) {
      return { text: 'limit reached until ' + F.when(p.at_ms, nowMs, offsetMin), state: 'reached' };
    }
    return { text: String(p.text || ''), state: 'unknown' };
  }

  function card(w, inp, offsetMin) {
    var lvl = F.level(w.util, w.severity, w.level);
    var cd = F.countdown(w.resetsAt, inp.now);
    var points = ((inp.history && inp.history[w.id]) || []).filter(function (p) {
      return p && F.isNum(p[0]) && F.isNum(p[1]);
    });
    var run = F.currentRun(points, w);
    // A reset time that has passed: one wording, as in `status` and the alerts.
    var due = F.isNum(w.resetsAt) && w.resetsAt <= inp.now;
    return {
      id: w.id,
      label: w.label,
      sub: w.model || w.surface || '',
      pctText: String(Math.round(w.util)),
      frac: Math.max(0, Math.min(1, w.util / 100)),
      util: w.util,
      severity: w.severity,
      level: F.levelName(lvl),
      warn: lvl === 2,
      resetText: due ? RESET_DUE : (F.isNum(w.resetsAt) ? 'resets ' + F.when(w.resetsAt, inp.now, offsetMin) : 'no reset scheduled'),
      countdown: cd === null || due ? '' : 'in ' + cd,
      pace: due ? { text: '', state: 'due' } : pace(w, inp.now, offsetMin),
      points: points,
      spark: F.enough(run) ? run : null,
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
      var todo = why.indexOf('claude-carthing login') < 0 ? [forAccount('On your PC, run `claude-carthing login`.', meta)] : [];
      return { title: 'Not connected to Claude yet', lines: todo.concat([why,
        'Leave `claude-carthing serve` running: this screen updates by itself once you are logged in.']) };
    }
    if (screen === 'waiting') {
      return { title: 'Waiting for the first reading', lines: [
        'The PC server is up and asking Claude for your usage.', meta.last_error || ''] };
    }
    var why = meta.error_kind ? forAccount(REASONS[meta.error_kind] || '', meta) : '';
    var detailText = meta.last_error || (p && p.error) || '';
    return { title: 'No usage data', lines: [
      why || detailText || 'The server has no usage data to show.',
      why && detailText && detailText !== why ? detailText : '',
      'Retrying by itself.'] };
  }

  function pickScreen(p, state, ws, conn) {
    if (!p) return conn.down ? 'unreachable' : 'loading';
    if (state === 'not_configured') return 'not_configured';
    if (ws.length) return 'data';
    if (state === 'waiting') return 'waiting';
    return 'error';
  }

  // The mode, said once: a "Live" chip, or a banner that says why the numbers may be old, or demo.
  // Freshness comes from the server's state, never from the data's age alone.
  function status(meta, state, inp, offsetMin, dataAt) {
    var from = F.isNum(dataAt) ? ' · numbers from ' + F.hhmm(dataAt, offsetMin) : '';
    if (inp.conn.down) {
      var since = F.isNum(inp.conn.since) ? ' since ' + F.hhmm(inp.conn.since, offsetMin) : '';
      return { badge: '', kind: 'stale', banner: 'PC server unreachable' + since + from };
    }
    if (inp.fromCache) return { badge: '', kind: 'stale', banner: 'Reconnecting to the PC server' + from };
    if (state === 'stale' || meta.stale === true) return { badge: '', kind: 'stale', banner: 'Not updating: ' + reason(meta) + from };
    if (state === 'demo' || meta.demo) {
      return { badge: '', kind: 'demo', banner: 'Demo: sample numbers, not your account. Run `claude-carthing login` on the PC.' };
    }
    return { badge: 'Live', kind: 'live', banner: '' };
  }

  // "Updated 3 min ago · claude.ai session · idle: next read in 24 min".
  function freshness(meta, inp, dataAt) {
    var parts = ['Updated ' + F.age(inp.now - dataAt)];
    // Age alone never makes numbers stale (the server says that); measured against the interval
    // in effect (long while idle), an overdue read is only noted.
    var every = F.isNum(meta.poll_interval_s) ? meta.poll_interval_s * 1000 : null;
    if (every && meta.stale !== true && inp.now - dataAt > 2 * every + 2 * F.MIN) parts[0] += ', later than expected';
    if (SOURCES[meta.source]) parts.push(SOURCES[meta.source]);
    var mode = MODES[meta.poll_mode] || '';
    if (meta.poll_mode === 'paused') parts.push('reads paused');
    else if (F.isNum(meta.next_poll_at_ms)) {
      // Whole minutes rounded up, as `status` says it (terminal.minutes_until).
      var left = Math.ceil((meta.next_poll_at_ms - inp.now) / F.MIN);
      var next = left > 0 ? 'next read in ' + left + ' min' : 'next read due now';
      parts.push(mode ? mode + ': ' + next : next);
    }
    return parts.join(' · ');
  }

  function info(meta, state, inp, vm, dataAt, offsetMin) {
    var next = F.isNum(meta.next_poll_at_ms) ? F.when(meta.next_poll_at_ms, inp.now, offsetMin) : 'unknown';
    if (MODES[meta.poll_mode]) next = MODES[meta.poll_mode] + ': ' + next;
    var every = F.isNum(meta.poll_interval_s) ? ' (every ' + Math.round(meta.poll_interval_s / 60) + ' min)' : '';
    var rows = [
      ['Server', inp.settings.server || 'this page\'s server'],
      ['Connection', inp.conn.down ? 'unreachable' : (inp.payload ? 'ok' : 'connecting')],
      ['State', state || 'loading'],
      ['Source', SOURCES[meta.source] || meta.source || 'none'],
      ['Plan', (inp.payload && inp.payload.plan && inp.payload.plan.name) || 'unknown'],
      ['Numbers from', F.isNum(dataAt) ? F.when(dataAt, inp.now, offsetMin) : 'none yet'],
      ['Next PC read', next + every],
      ['Last error', meta.last_error || 'none'],
      ['Version', meta.version || 'unknown'],
      ['Controls', controls(inp)]
    ];
    if (inp.multi) {
      var names = inp.multi;
      rows.splice(1, 0, ['Account', String(inp.account) + ' (' + (names.indexOf(inp.account) + 1) + ' of ' + names.length + ')']);
    }
    return rows;
  }

  function controls(inp) {
    if (inp.multi) {
      return inp.settings.device
        ? 'button 1: all accounts, again: each account · 2-4: this account\'s views · dial: accounts, then views · press dial: refresh'
        : '1 all accounts, again: each account · 2-5 views · ← → accounts, then views · Enter refresh · M theme';
    }
    return inp.settings.device
      ? 'buttons 1-4: views (3 again: sessions) · dial: next view · press dial: refresh · top-right: theme (hold: auto)'
      : '1-5 views (5: sessions) · ← → next view · Enter refresh · M theme (hold: auto)';
  }

  // Everything the screen shows, as plain data.
  function model(inp) {
    // Several accounts (issue 20): the all-accounts overview is the home view.
    if (inp.multi && inp.view === 'accounts') return CC.accounts.model(inp);
    if (inp.view === 'accounts') inp = copy(inp, { view: 'overview' });
    var p = inp.payload;
    var meta = (p && p.meta) || {};
    var state = meta.state || (p ? (p.error ? 'error' : 'live') : null);
    var ws = F.windows(p);
    var offsetMin = F.isNum(inp.offsetMin) ? inp.offsetMin : 0;
    var screen = pickScreen(p, state, ws, inp.conn);
    var fetchedAt = F.isNum(meta.fetched_at_ms) ? meta.fetched_at_ms : inp.receivedAt;
    var dataAt = F.isNum(meta.last_success_at_ms) ? meta.last_success_at_ms : fetchedAt;
    var demo = state === 'demo' || meta.demo === true;
    var vm = {
      screen: screen, state: state || 'loading', view: inp.view, detail: 0,
      plan: (!demo && p && p.plan && p.plan.name) || '', badge: '', kind: '', banner: '',
      cards: [], overview: [], more: 0, extra: null, panel: null, updated: '', offsetMin: offsetMin,
      now: inp.now, info: [], night: night(meta.night, inp.now, offsetMin),
      // The header names the account shown when there are several.
      multi: !!inp.multi, title: inp.multi && inp.account ? String(inp.account) : 'Claude usage'
    };
    vm.info = info(meta, state, inp, vm, dataAt, offsetMin);
    vm.sessions = CC.sessions.model(inp);
    if (screen !== 'data') {
      vm.panel = panel(screen, meta, p, inp);
      vm.kind = screen === 'not_configured' ? 'setup' : screen;
      if (inp.conn.down && p) { vm.banner = 'PC server unreachable since ' + F.hhmm(inp.conn.since, offsetMin); vm.kind = 'stale'; }
      vm.view = inp.view === 'status' || inp.view === 'sessions' ? inp.view : 'overview';
      return vm;
    }
    var st = status(meta, state, inp, offsetMin, dataAt);
    vm.badge = st.badge; vm.kind = st.kind; vm.banner = st.banner;
    vm.cards = ws.map(function (w) { return card(w, inp, offsetMin); });
    vm.extra = extra(p.extra_usage);
    vm.updated = freshness(meta, inp, dataAt);
    var cells = MAX_CELLS;
    if (vm.cards.length > cells) { cells -= 1; vm.more = vm.cards.length - cells; }
    vm.overview = vm.cards.slice(0, cells);
    vm.detail = Math.max(0, Math.min(inp.detail || 0, vm.cards.length - 1));
    return vm;
  }

  function copy(o, extra) {
    var out = {};
    Object.keys(o).forEach(function (k) { out[k] = o[k]; });
    Object.keys(extra).forEach(function (k) { out[k] = extra[k]; });
    return out;
  }

  // Night: "22:00-07:00" in the PC's time (the server's `night` setting); "off" never dims.
  function night(spec, nowMs, offsetMin) {
    var m = /^(\d\d):(\d\d)-(\d\d):(\d\d)$/.exec(String(spec || ''));
    if (!m) return false;
    var from = +m[1] * 60 + +m[2];
    var to = +m[3] * 60 + +m[4];
    var d = new Date(nowMs + offsetMin * F.MIN);
    var at = d.getUTCHours() * 60 + d.getUTCMinutes();
    return from <= to ? at >= from && at < to : at >= from || at < to;
  }

  // A brief notice when a window crosses 80 % or 95 %, Claude's severity goes up, or a window
  // that was above 80 % resets. `before` is the previous reading's cards (null on the first).
  function alerts(before, cards) {
    if (!before) return null;
    var old = {};
    before.forEach(function (c) { old[c.id] = c; });
    var found = null;
    cards.forEach(function (c) {
      var o = old[c.id];
      if (!o || found) return;
      if (o.util >= 80 && c.util < o.util - 20) found = { kind: 'reset', text: c.label + ' reset: ' + c.pctText + ' % now' };
      else if (o.util < 95 && c.util >= 95) found = { kind: 'crit', text: c.label + ' passed 95 %' };
      else if (o.util < 80 && c.util >= 80) found = { kind: 'crit', text: c.label + ' passed 80 %' };
      else if ((SEVERITY[c.severity] || 0) > (SEVERITY[o.severity] || 0)) {
        found = { kind: 'crit', text: 'Claude rates ' + c.label + ' ' + c.severity };
      }
    });
    return found;
  }

  // The list of views the dial steps through, as [view, detailIndex] pairs.
  function views(count) {
    var out = [['overview', 0]];
    for (var i = 0; i < count; i++) out.push(['detail', i]);
    if (count) out.push(['list', 0]);
    out.push(['sessions', 0]);
    out.push(['status', 0]);
    return out;
  }

  CC.model = model;
  CC.views = views;
  CC.alerts = alerts;
  CC.reasons = REASONS;
  // For the all-accounts overview (accounts.js): the same words and rules as one account's view.
  CC.card = card;
  CC.reason = reason;
  CC.night = night;
  CC.panel = panel;
})(window.CC = window.CC || {});
