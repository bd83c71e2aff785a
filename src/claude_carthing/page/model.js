/* The view model: a pure function of (payload, history, connection, now, settings) -> plain data.
   Nothing here touches the DOM, the network or the device clock, so any state can be tested. */
(function (CC) {
  'use strict';
  var F = CC.fmt;
  var I = CC.i18n;
  var t = I.t;
  var MAX_CELLS = 6;
  // Words are looked up when drawn: the language may change while the page runs.
  function reasons() {
    return {
      cloudflare: t('Cloudflare is checking the PC; retrying'),
      auth: t('Claude session expired: run `claude-carthing login`'),
      rate_limited: t('Claude asked for fewer reads; retrying later'),
      network: t('The PC cannot reach claude.ai; retrying'),
      server: t('Claude\'s servers are failing; retrying'),
      schema: t('Claude changed its answer: update claude-carthing'),
      not_configured: t('Not logged in: run `claude-carthing login`')
    };
  }
  function source(name) {
    var names = { oauth: t('Claude Code token'), web: t('claude.ai session'), 'claude-code': 'Claude Code' };
    return names[name] || '';
  }
  function mode(name) {
    var names = { idle: t('idle'), backoff: t('backing off'), paused: t('paused') };
    return names[name] || '';
  }
  var SEVERITY = { warning: 1, critical: 2 };

  // With several accounts, the command that logs in names the account (as the server's words do).
  function forAccount(text, meta) {
    var many = meta && meta.account && meta.accounts && meta.accounts.length > 1;
    return many ? text.replace('claude-carthing login`', 'claude-carthing login --account ' + meta.account + '`') : text;
  }

  function reason(meta) {
    // Auth failures have different fixes (log in again, open Claude Code, another token):
    // only an expired claude.ai session gets the short wording; the others keep the PC's words.
    if (meta.waking === true && !meta.last_error) return t('the PC was asleep, reading again');
    var text = meta.last_error || '';
    if (meta.error_kind === 'auth' && text && text.indexOf('session expired') < 0) return text;
    return forAccount(reasons()[meta.error_kind] || '', meta) || text || t('the last reads failed');
  }

  function money(amount, currency) {
    if (!F.isNum(amount)) return '';
    return I.money(amount, currency);
  }

  function extra(eu) {
    if (!eu || !eu.enabled) return null;
    var limit = F.isNum(eu.limit) && eu.limit > 0;
    var frac = limit && F.isNum(eu.used) ? Math.max(0, Math.min(1, eu.used / eu.limit)) : null;
    var spent = money(eu.used, eu.currency);
    var most = limit ? money(eu.limit, eu.currency) : '';
    return { spent: spent,
      text: limit ? t('{spent} spent of {limit}', { spent: spent, limit: most }) : t('{spent} spent', { spent: spent }),
      limitText: limit ? t('of {limit} this month', { limit: most }) : t('spent, no limit set'),
      frac: frac };
  }

  // The projection in words, from the server's one rule; formatted in the PC's zone here so a
  // cached answer still reads right ("Thu 15:40" once the day has changed).
  function pace(w, nowMs, offsetMin) {
    var p = w.projection;
    if (!p || !p.state) return { text: '', state: 'none' };
    if (p.state === 'hits' && F.isNum(p.at_ms)) {
      var when = F.when(p.at_ms, nowMs, offsetMin);
      // Two rows of cards have the height for two lines: `short` leaves out the reset, which
      // the red line already says ("100 % at Wed 2:51 AM, before the reset" took three).
      return { text: t('{percent} at {time}, before the reset', { percent: F.pct(100), time: when }),
        short: t('{percent} at {time}', { percent: F.pct(100), time: when }),
        state: 'hits', at: p.at_ms, end: 100 };
    }
    if (p.state === 'lasts' && F.isNum(p.at_ms)) {
      return { text: t('lasts until the reset at {time}', { time: F.when(p.at_ms, nowMs, offsetMin) }), state: 'lasts', at: p.at_ms,
        end: F.isNum(p.end_percent) ? p.end_percent : null };
    }
    if (p.state === 'reached' && F.isNum(p.at_ms)) {
      return { text: t('limit reached until {time}', { time: F.when(p.at_ms, nowMs, offsetMin) }), state: 'reached' };
    }
    // The server's words for the unknown cases are English: said again here in the language.
    if (p.text === 'pace: not enough history yet') return { text: t('pace: not enough history yet'), state: 'unknown' };
    if (p.text === 'no reset time') return { text: t('no reset scheduled'), state: 'unknown' };
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
      label: I.label(w.id, w.label),
      sub: w.model || w.surface || '',
      pctText: String(Math.round(w.util)),
      frac: Math.max(0, Math.min(1, w.util / 100)),
      util: w.util,
      severity: w.severity,
      level: F.levelName(lvl),
      warn: lvl === 2,
      resetText: due ? t('reset due, waiting for the next reading')
        : (F.isNum(w.resetsAt) ? t('resets {time}', { time: F.when(w.resetsAt, inp.now, offsetMin) }) : t('no reset scheduled')),
      countdown: cd === null || due ? '' : t('in {left}', { left: cd }),
      pace: due ? { text: '', state: 'due' } : pace(w, inp.now, offsetMin),
      points: points,
      spark: F.enough(run) ? run : null,
      resetsAt: w.resetsAt,
      startsAt: F.isNum(w.resetsAt) ? w.resetsAt - F.periodMs(w) : null
    };
  }

  function panel(screen, meta, p, inp) {
    var server = inp.settings.server || t('this page\'s server');
    if (screen === 'loading') return { title: t('Connecting…'), lines: [t('Asking the PC server at {server} for your usage.', { server: server })] };
    if (screen === 'unreachable') {
      var error = inp.conn.error === 'timed out' ? t('timed out') : (inp.conn.error ? t('no answer') : '');
      return { title: t('Can\'t reach the PC server'), lines: [
        error ? t('Tried {server} ({error}).', { server: server, error: error }) : t('Tried {server}.', { server: server }),
        t('Start it on your PC with `claude-carthing serve`; this screen retries by itself.')] };
    }
    if (screen === 'not_configured') {
      // The server's reason usually says what to run already: then it is not said twice.
      var why = meta.last_error || (p && p.error) || '';
      var todo = why.indexOf('claude-carthing login') < 0 ? [forAccount(t('On your PC, run `claude-carthing login`.'), meta)] : [];
      return { title: t('Not connected to Claude yet'), lines: todo.concat([why,
        t('Leave `claude-carthing serve` running: this screen updates by itself once you are logged in.')]) };
    }
    if (screen === 'waiting') {
      return { title: t('Waiting for the first reading'), lines: [
        t('The PC server is up and asking Claude for your usage.'), meta.last_error || ''] };
    }
    var why = meta.error_kind ? forAccount(reasons()[meta.error_kind] || '', meta) : '';
    var detailText = meta.last_error || (p && p.error) || '';
    return { title: t('No usage data'), lines: [
      why || detailText || t('The server has no usage data to show.'),
      why && detailText && detailText !== why ? detailText : '',
      t('Retrying by itself.')] };
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
    var from = function (text) {
      return F.isNum(dataAt) ? t('{what} · numbers from {time}', { what: text, time: F.hhmm(dataAt, offsetMin) }) : text;
    };
    if (inp.conn.down) {
      return { badge: '', kind: 'stale', banner: from(unreachable(inp.conn.since, offsetMin)) };
    }
    if (inp.fromCache) return { badge: '', kind: 'stale', banner: from(t('Reconnecting to the PC server')) };
    if (state === 'stale' || meta.stale === true) {
      return { badge: '', kind: 'stale', banner: from(t('Not updating: {reason}', { reason: reason(meta) })) };
    }
    if (state === 'demo' || meta.demo) {
      return { badge: '', kind: 'demo', banner: t('Demo: sample numbers, not your account. Run `claude-carthing login` on the PC.') };
    }
    return { badge: t('Live'), kind: 'live', banner: '' };
  }

  function unreachable(since, offsetMin) {
    return F.isNum(since) ? t('PC server unreachable since {time}', { time: F.hhmm(since, offsetMin) }) : t('PC server unreachable');
  }

  // "Updated 3 min ago · claude.ai session · idle: next read in 24 min".
  function freshness(meta, inp, dataAt) {
    // Age alone never makes numbers stale (the server says that); measured against the interval
    // in effect (long while idle), an overdue read is only noted.
    var every = F.isNum(meta.poll_interval_s) ? meta.poll_interval_s * 1000 : null;
    var late = every && meta.stale !== true && inp.now - dataAt > 2 * every + 2 * F.MIN;
    var age = F.age(inp.now - dataAt);
    var parts = [late ? t('Updated {age}, later than expected', { age: age }) : t('Updated {age}', { age: age })];
    if (source(meta.source)) parts.push(source(meta.source));
    var how = mode(meta.poll_mode);
    if (meta.poll_mode === 'paused') parts.push(t('reads paused'));
    else if (F.isNum(meta.next_poll_at_ms)) {
      // Whole minutes rounded up, as `status` says it (terminal.minutes_until).
      var left = Math.ceil((meta.next_poll_at_ms - inp.now) / F.MIN);
      var next = left > 0 ? t('next read in {n} min', { n: left }) : t('next read due now');
      parts.push(how ? t('{mode}: {next}', { mode: how, next: next }) : next);
    }
    return parts.join(' · ');
  }

  function info(meta, state, inp, vm, dataAt, offsetMin) {
    var next = F.isNum(meta.next_poll_at_ms) ? F.when(meta.next_poll_at_ms, inp.now, offsetMin) : t('unknown');
    if (mode(meta.poll_mode)) next = t('{mode}: {next}', { mode: mode(meta.poll_mode), next: next });
    if (F.isNum(meta.poll_interval_s)) next = t('{next} (every {n} min)', { next: next, n: Math.round(meta.poll_interval_s / 60) });
    var states = { live: t('live'), stale: t('stale'), demo: t('demo'), waiting: t('waiting'),
      not_configured: t('not configured'), error: t('error') };
    var rows = [
      [t('Server'), inp.settings.server || t('this page\'s server')],
      [t('Connection'), inp.conn.down ? t('unreachable') : (inp.payload ? t('ok') : t('connecting'))],
      [t('State'), states[state] || state || t('loading')],
      [t('Source'), source(meta.source) || (meta.source === 'demo' ? t('demo') : meta.source) || t('none')],
      [t('Plan'), (inp.payload && inp.payload.plan && inp.payload.plan.name) || t('unknown')],
      [t('Numbers from'), F.isNum(dataAt) ? F.when(dataAt, inp.now, offsetMin) : t('none yet')],
      [t('Next PC read'), next],
      [t('Last error'), meta.last_error || t('none')],
      [t('Version'), meta.version || t('unknown')],
      [t('Language'), I.data().name || I.language()],
      [t('Controls'), controls(inp)]
    ];
    if (inp.multi) {
      var names = inp.multi;
      rows.splice(1, 0, [t('Account'), t('{account} ({n} of {count})', { account: String(inp.account), n: names.indexOf(inp.account) + 1, count: names.length })]);
    }
    return rows;
  }

  function controls(inp) {
    if (inp.multi) {
      return inp.settings.device
        ? t('button 1: all accounts, again: each account · 2-4: this account\'s views · dial: accounts, then views · press dial: refresh')
        : t('1 all accounts, again: each account · 2-5 views · ← → accounts, then views · Enter refresh · M theme');
    }
    return inp.settings.device
      ? t('buttons 1-4: views (3 again: sessions) · dial: next view · press dial: refresh · top-right: theme (hold: auto)')
      : t('1-5 views (5: sessions) · ← → next view · Enter refresh · M theme (hold: auto)');
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
      multi: !!inp.multi, title: inp.multi && inp.account ? String(inp.account) : t('Claude usage')
    };
    vm.info = info(meta, state, inp, vm, dataAt, offsetMin);
    vm.sessions = CC.sessions.model(inp);
    if (screen !== 'data') {
      vm.panel = panel(screen, meta, p, inp);
      vm.kind = screen === 'not_configured' ? 'setup' : screen;
      if (inp.conn.down && p) { vm.banner = unreachable(inp.conn.since, offsetMin); vm.kind = 'stale'; }
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
      if (o.util >= 80 && c.util < o.util - 20) found = { kind: 'reset', text: t('{label} reset: {percent} now', { label: c.label, percent: F.pct(c.util) }) };
      else if (o.util < 95 && c.util >= 95) found = { kind: 'crit', text: t('{label} passed {percent}', { label: c.label, percent: F.pct(95) }) };
      else if (o.util < 80 && c.util >= 80) found = { kind: 'crit', text: t('{label} passed {percent}', { label: c.label, percent: F.pct(80) }) };
      else if ((SEVERITY[c.severity] || 0) > (SEVERITY[o.severity] || 0)) {
        found = { kind: 'crit', text: c.severity === 'critical' ? t('Claude rates {label} critical', { label: c.label })
          : t('Claude rates {label} warning', { label: c.label }) };
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
  CC.reasons = reasons;
  // For the all-accounts overview (accounts.js): the same words and rules as one account's view.
  CC.card = card;
  CC.reason = reason;
  CC.night = night;
  CC.panel = panel;
})(window.CC = window.CC || {});
