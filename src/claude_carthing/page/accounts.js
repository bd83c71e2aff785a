/* Several Claude accounts (issue 20): the all-accounts overview, the home view when the PC server
   watches two or more accounts (`meta.accounts` in /usage, `GET /api/accounts`). One row per
   account: its name, its state, its 5-hour, weekly and worst per-model weekly percentages.
   Pure model here, drawing with textContent only, and a fit pass that shortens long words with
   "…" instead of letting them be cut off. */
(function (CC) {
  'use strict';
  var F = CC.fmt;
  var I = CC.i18n;
  var t = I.t;
  var tn = I.tn;
  var MAX_ROWS = 4; // what the 800x480 screen holds legibly; the others are counted
  var MAX_NAME = 32;

  function short(text, max) {
    var s = String(text || '');
    return s.length > max ? s.slice(0, max - 1) + '…' : s;
  }

  function plain(text) { return String(text || '').replace(/`/g, ''); }

  function isFive(w) { return w.id === 'five_hour' || w.group === 'session'; }

  // The 5-hour window, the all-models weekly one, and the per-model (or per-surface) weekly
  // window with the highest use.
  function pick(ws) {
    var five = null;
    var week = null;
    var worst = null;
    ws.forEach(function (w) { if (!five && isFive(w)) five = w; });
    ws.forEach(function (w) { if (!week && w.id === 'seven_day') week = w; });
    ws.forEach(function (w) {
      if (!week && w !== five && w.group === 'weekly' && !w.model && !w.surface) week = w;
    });
    ws.forEach(function (w) {
      if (w === five || w === week || isFive(w)) return;
      if (!worst || w.util > worst.util) worst = w;
    });
    return { five: five, week: week, worst: worst };
  }

  function cell(label, shortLabel, w, inp, offsetMin) {
    if (!w) return { label: label, none: true, text: t('none') };
    var c = CC.card(w, { now: inp.now, history: null }, offsetMin);
    var due = F.isNum(w.resetsAt) && w.resetsAt <= inp.now;
    return {
      label: label, shortLabel: shortLabel, none: false, pctText: c.pctText, level: c.level,
      frac: c.frac, warn: c.warn, countdown: c.countdown,
      resetText: due ? t('reset due') : c.resetText
    };
  }

  // The account's state in a few words; a failing account keeps its last numbers beside them.
  function stateOf(e, meta, ws, inp, offsetMin) {
    var state = e.state || meta.state || (ws.length ? 'live' : 'error');
    var err = meta.last_error || e.error || '';
    var at = F.isNum(meta.last_success_at_ms) ? meta.last_success_at_ms : null;
    var when = at !== null ? F.when(at, inp.now, offsetMin) : '';
    if (inp.conn.down || inp.accountsFromCache) {
      // Nothing is known now: no account is called live.
      return { kind: 'stale', text: ws.length ? (at !== null ? t('numbers from {time}', { time: when }) : t('old numbers')) : t('no data') };
    }
    if (state === 'live' && meta.stale !== true) return { kind: 'live', text: t('Live') };
    if (state === 'demo' || meta.demo === true) return { kind: 'demo', text: t('Demo: sample numbers') };
    if (state === 'not_configured') {
      // The server's words already say it (in English, as the PC's errors do): not twice.
      if (err && err.indexOf('Not logged in') === 0) return { kind: 'error', text: plain(err) };
      return { kind: 'error', text: err ? t('Not logged in: {reason}', { reason: plain(err) }) : t('Not logged in') };
    }
    if (state === 'waiting' && !ws.length) return { kind: 'wait', text: t('Waiting for the first reading') };
    var why = plain(CC.reason({ waking: meta.waking, last_error: err, error_kind: meta.error_kind,
                                account: meta.account, accounts: meta.accounts }));
    if (!ws.length) return { kind: 'error', text: t('No usage data: {reason}', { reason: why }) };
    var text = t('Not updating: {reason}', { reason: why });
    return { kind: 'stale', text: at !== null ? t('{what} · numbers from {time}', { what: text, time: when }) : text };
  }

  function row(e, inp, offsetMin) {
    var meta = e.meta && typeof e.meta === 'object' ? e.meta : {};
    var ws = F.windows({ windows: Array.isArray(e.windows) ? e.windows : [] });
    var p = pick(ws);
    var cells = null;
    if (ws.length) {
      var worstName = p.worst ? I.label(p.worst.id, p.worst.label) : '';
      var worstLabel = p.worst ? (p.worst.model || p.worst.surface || worstName) : '';
      cells = [cell(t('5-hour'), t('5-hour'), p.five, inp, offsetMin),
        cell(t('Weekly'), t('Weekly'), p.week, inp, offsetMin),
        p.worst ? cell(worstName, worstLabel, p.worst, inp, offsetMin)
          // i18n: the column of an account's fullest per-model weekly limit, when it has none
          : { label: t('Per model'), none: true, text: t('none') }];
    }
    var worst = -1;
    (cells || []).forEach(function (c) { if (!c.none) worst = Math.max(worst, ['ok', 'warn', 'crit'].indexOf(c.level)); });
    var name = String(e.name || '');
    return {
      name: name,
      label: short(name, MAX_NAME),
      plan: plan(e),
      state: stateOf(e, meta, ws, inp, offsetMin),
      cells: cells,
      level: worst >= 0 ? ['ok', 'warn', 'crit'][worst] : 'none',
      alert: worst === 2
    };
  }

  // "Max · default": the plan's name, and which account is the default one.
  function plan(e) {
    var name = e.plan && e.plan.name ? String(e.plan.name) : '';
    if (e['default'] !== true) return name;
    // i18n: beside the plan of the default account (the one with today's files)
    var word = t('default');
    return name ? name + ' · ' + word : word;
  }

  // The home view's model: the same fields as CC.model's, with `rows` for the accounts.
  function model(inp) {
    var offsetMin = F.isNum(inp.offsetMin) ? inp.offsetMin : 0;
    var p = inp.payload;
    var meta = (p && p.meta) || {};
    var doc = inp.accounts;
    var entries = doc && Array.isArray(doc.accounts) ? doc.accounts.filter(function (e) { return e && typeof e === 'object'; }) : [];
    var count = entries.length || (inp.multi || []).length;
    var vm = {
      screen: 'data', state: 'accounts', view: 'accounts', detail: 0, multi: true,
      title: t('All accounts · {n}', { n: count }), plan: '', badge: '', kind: 'live', banner: '',
      cards: [], overview: [], more: 0, extra: null, panel: null, updated: '', offsetMin: offsetMin,
      now: inp.now, info: [], night: CC.night(meta.night, inp.now, offsetMin), rows: [], moreAccounts: 0
    };
    // Claude Code's sessions: from /api/accounts when it carries them, else from the /usage of
    // the account shown last (every account's /usage lists all sessions).
    vm.sessions = CC.sessions.model(doc && Array.isArray(doc.sessions)
      ? { payload: { sessions: doc.sessions }, conn: inp.conn, fromCache: inp.accountsFromCache, now: inp.now, multi: true }
      : inp);
    if (!entries.length) {
      vm.screen = inp.conn.down ? 'unreachable' : 'loading';
      vm.kind = vm.screen;
      vm.panel = CC.panel(vm.screen, meta, p, inp);
      return vm;
    }
    vm.rows = entries.slice(0, MAX_ROWS).map(function (e) { return row(e, inp, offsetMin); });
    vm.moreAccounts = Math.max(0, entries.length - MAX_ROWS);
    var failing = entries.map(function (e) { return row(e, inp, offsetMin); })
      .filter(function (r) { return r.state.kind !== 'live' && r.state.kind !== 'demo'; }).length;
    if (inp.conn.down) {
      vm.kind = 'stale';
      vm.banner = F.isNum(inp.conn.since) ? t('PC server unreachable since {time}', { time: F.hhmm(inp.conn.since, offsetMin) })
        : t('PC server unreachable');
    } else if (inp.accountsFromCache) {
      vm.kind = 'stale';
      vm.banner = t('Reconnecting to the PC server');
    } else if (!failing) {
      vm.badge = t('Live');
    } else {
      vm.kind = 'mixed';
    }
    var how = inp.conn.down || inp.accountsFromCache ? t('last known numbers')
      : (failing ? tn('{n} not updating', '{n} not updating', failing) : t('all live'));
    vm.updated = tn('{n} account', '{n} accounts', entries.length) + ' · ' + how;
    return vm;
  }

  function cellNode(c) {
    var el = CC.dom.el;
    var n = el('div', 'a-cell ' + (c.none ? 'none' : c.level));
    var label = el('div', 'label', c.label);
    if (c.shortLabel && c.shortLabel !== c.label) label.setAttribute('data-short', c.shortLabel);
    n.appendChild(label);
    if (c.none) {
      n.appendChild(el('div', 'a-none', c.text));
      return n;
    }
    var num = el('div', 'a-num');
    num.appendChild(CC.dom.pct(c, '', 'span')); // "42 %", "42%", Turkish "%42"
    if (c.countdown) num.appendChild(el('span', 'a-cd', c.countdown));
    n.appendChild(num);
    n.appendChild(CC.dom.bar(c.frac, c.level));
    n.appendChild(el('div', 'reset', c.resetText));
    return n;
  }

  function view(vm) {
    var el = CC.dom.el;
    var n = vm.rows.length;
    var wrap = el('div', 'accounts-home');
    var box = el('div', 'accounts n' + Math.max(2, Math.min(4, n)) + (n >= 3 ? ' a-dense' : ''));
    vm.rows.forEach(function (r) {
      var s = el('section', 'acct ' + r.level + (r.alert ? ' alert' : '') + (r.cells ? '' : ' empty'));
      s.setAttribute('data-account', r.name);
      var id = el('div', 'a-id');
      id.appendChild(el('h2', 'a-name', r.label));
      if (r.plan) id.appendChild(el('span', 'a-plan', r.plan));
      id.appendChild(el('div', 'a-state ' + r.state.kind, r.state.text));
      s.appendChild(id);
      if (r.cells) r.cells.forEach(function (c) { s.appendChild(cellNode(c)); });
      box.appendChild(s);
    });
    wrap.appendChild(box);
    if (vm.moreAccounts) wrap.appendChild(el('div', 'a-more', tn('+{n} more: press 1 or turn the dial', '+{n} more: press 1 or turn the dial', vm.moreAccounts)));
    return wrap;
  }

  // Too wide for its box. Not the height: a CJK font's glyphs reach past a line of the same
  // size, which Chrome counts as overflow; the rows' height is checked against the row itself.
  function over(el) { return el.scrollWidth > el.clientWidth + 1; }

  // Shorten a text with "…", word by word, then letter by letter, until `tooBig` is false.
  function shorten(el, tooBig) {
    if (!tooBig()) return;
    var words = el.textContent.split(' ');
    while (words.length > 1 && tooBig()) {
      words.pop();
      el.textContent = words.join(' ').replace(/[\s·,:;]+$/, '') + '…';
    }
    var text = el.textContent.replace(/…$/, '');
    while (text.length > 1 && tooBig()) {
      text = text.slice(0, -1);
      el.textContent = text + '…';
    }
  }

  // After layout: what does not fit yields, so nothing is cut off at 800x480.
  function fit(main) {
    var rows = main.querySelectorAll('.accounts .acct');
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      var labels = r.querySelectorAll('.a-cell .label');
      for (var k = 0; k < labels.length; k++) {
        var l = labels[k];
        if (over(l) && l.getAttribute('data-short')) l.textContent = l.getAttribute('data-short');
        shorten(l, over.bind(null, l));
      }
      // The countdown beside the percentage, where room allows (the reset time stays below).
      // Measured as drawn: a countdown a fraction of a pixel too wide is cut off as well.
      var nums = r.querySelectorAll('.a-num');
      for (var j = 0; j < nums.length; j++) {
        var cd = nums[j].querySelector('.a-cd');
        if (cd && cd.getBoundingClientRect().right > nums[j].getBoundingClientRect().right + 0.5) cd.style.display = 'none';
      }
      // Less height than the texts (a banner above, four accounts): bars and reset lines go.
      if (r.scrollHeight > r.clientHeight + 1) r.classList.add('tight');
      var id = r.querySelector('.a-id');
      var name = r.querySelector('.a-name');
      var state = r.querySelector('.a-state');
      shorten(name, over.bind(null, name));
      // The row's own height is the limit (a centred name column grows with its text).
      var room = r.clientHeight - parseFloat(getComputedStyle(r).paddingTop) - parseFloat(getComputedStyle(r).paddingBottom);
      shorten(state, function () { return over(state) || over(id) || id.offsetHeight > room + 1; });
    }
  }

  CC.accounts = { model: model, view: view, fit: fit, shorten: shorten, pick: pick };
})(window.CC = window.CC || {});
