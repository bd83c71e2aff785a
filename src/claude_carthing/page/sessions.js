/* Claude Code's sessions on the PC (issue 18): the Sessions view and, on every view, the banner
   "my-project is waiting for you". The server sends them in /usage as `sessions` (docs/api.md);
   the words, the order and the fit are made here. Text goes in through textContent only. */
(function (CC) {
  'use strict';
  var F = CC.fmt;
  var I = CC.i18n;
  var t = I.t;
  var ORDER = { waiting: 0, working: 1, idle: 2, ended: 3 };
  function words(state) {
    return { waiting: t('waiting for you'), working: t('working'), idle: t('idle'), ended: t('ended') }[state];
  }
  function failures() {
    return { rate_limit: t('rate limit'), authentication_failed: t('login failed'), billing_error: t('billing problem'),
      server_error: t('Claude server error'), invalid_request: t('invalid request') };
  }
  var MAX_ROWS = 8; // the view shows what fits at 800x480 and counts the rest
  var MAX_NAME = 28;

  function short(name) {
    var s = String(name || t('unnamed'));
    return s.length > MAX_NAME ? s.slice(0, MAX_NAME - 1) + '…' : s;
  }

  // How long a state has lasted: "under a minute", "14 min", "2 h 5 min", "3 d 4 h".
  function span(ms) {
    if (!F.isNum(ms) || ms < F.MIN) return t('under a minute');
    if (ms < F.HOUR) return t('{m} min', { m: Math.floor(ms / F.MIN) });
    if (ms < F.DAY) {
      var m = Math.floor((ms % F.HOUR) / F.MIN);
      var h = Math.floor(ms / F.HOUR);
      return m ? t('{h} h {m} min', { h: h, m: m }) : t('{h} h', { h: h });
    }
    return t('{d} d {h} h', { d: Math.floor(ms / F.DAY), h: Math.floor((ms % F.DAY) / F.HOUR) });
  }

  function failure(kind) {
    if (!kind) return '';
    var k = String(kind);
    return t('last failure: {failure}', { failure: failures()[k] || k.replace(/_/g, ' ') });
  }

  // The sessions in the contract's order (waiting first, longest waiting first, then working,
  // idle, ended), whatever order they came in; unknown states and broken entries are left out.
  function sorted(list) {
    if (!Array.isArray(list)) return [];
    var out = [];
    list.forEach(function (s, i) {
      if (s && typeof s === 'object' && ORDER.hasOwnProperty(s.state)) out.push({ s: s, i: i });
    });
    out.sort(function (a, b) {
      var d = ORDER[a.s.state] - ORDER[b.s.state];
      if (d) return d;
      if (a.s.state === 'waiting') {
        var x = F.isNum(a.s.since_ms) ? a.s.since_ms : Infinity;
        var y = F.isNum(b.s.since_ms) ? b.s.since_ms : Infinity;
        if (x !== y) return x < y ? -1 : 1;
      }
      return a.i - b.i; // Chrome 69's sort is not stable: keep the server's order by hand
    });
    return out.map(function (o) { return o.s; });
  }

  function row(s, now, multi) {
    var since = F.isNum(s.since_ms) ? Math.max(0, now - s.since_ms) : null;
    var when = s.state === 'ended' ? (since === null ? '' : F.age(since)) : (since === null ? '' : span(since));
    var info = [];
    // Several accounts (issue 20): whose session it is.
    if (multi && s.account) info.push(String(s.account));
    info.push(s.model ? String(s.model) : t('model not known yet'));
    if (F.isNum(s.context_pct)) info.push(t('context {percent}', { percent: F.pct(s.context_pct) }));
    if (s.state === 'waiting' && s.waiting_for === 'permission') info.push(t('asks your permission'));
    return {
      id: String(s.session_id || ''),
      project: short(s.project),
      state: s.state,
      stateText: words(s.state) + (when ? ' · ' + when : ''),
      info: info.join(' · '),
      failure: failure(s.last_failure)
    };
  }

  // "my-project is waiting for you", "my-project and 2 more are waiting for you", or ''.
  function bannerText(list) {
    var waiting = list.filter(function (s) { return s.state === 'waiting'; });
    if (!waiting.length) return '';
    var first = short(waiting[0].project);
    if (waiting.length === 1) return t('{name} is waiting for you', { name: first });
    return I.tn('{name} and {n} more are waiting for you', '{name} and {n} more are waiting for you',
      waiting.length - 1, { name: first });
  }

  // What the Sessions view and the banner show, as plain data. Nothing is claimed while the PC
  // server is unreachable or the answer is an old one from the cache.
  function model(inp) {
    var p = inp.payload;
    var current = !!p && !inp.conn.down && !inp.fromCache;
    var list = current ? sorted(p.sessions) : [];
    var vm = { rows: [], more: 0, banner: current ? bannerText(list) : '', empty: null };
    vm.rows = list.slice(0, MAX_ROWS).map(function (s) { return row(s, inp.now, !!inp.multi); });
    vm.more = Math.max(0, list.length - MAX_ROWS);
    if (list.length) return vm;
    if (!p || inp.conn.down) {
      vm.empty = { title: t('Sessions unknown'), lines: [t('The PC server is not answering; this view fills in once it does.')] };
    } else if (inp.fromCache) {
      vm.empty = { title: t('Sessions unknown'), lines: [t('Reconnecting to the PC server.')] };
    } else if (!Array.isArray(p.sessions)) {
      vm.empty = { title: t('No session list'), lines: [t('This PC server does not report Claude Code sessions: update claude-carthing.')] };
    } else {
      vm.empty = { title: t('No Claude Code sessions'), lines: [
        t('Sessions show here while Claude Code runs on the PC.'),
        t('To connect it, run `claude-carthing claude-code install` on the PC.')] };
    }
    return vm;
  }

  function view(vm) {
    var s = vm.sessions;
    var el = CC.dom.el;
    if (!s.rows.length) {
      var n = el('div', 'panel sessions-empty');
      n.appendChild(el('h2', null, s.empty.title));
      s.empty.lines.forEach(function (line) { n.appendChild(CC.dom.rich(el('p'), line)); });
      return n;
    }
    var box = el('div', 'sessions');
    box.setAttribute('data-more', String(s.more));
    s.rows.forEach(function (r) {
      var item = el('section', 'session s-' + r.state);
      item.setAttribute('data-session', r.id);
      var top = el('div', 's-top');
      top.appendChild(el('span', 's-project', r.project));
      top.appendChild(el('span', 's-state ' + r.state, r.stateText));
      item.appendChild(top);
      var sub = el('div', 's-sub');
      sub.appendChild(el('span', 's-info', r.info));
      if (r.failure) sub.appendChild(el('span', 's-fail', r.failure));
      item.appendChild(sub);
      box.appendChild(item);
    });
    var more = el('div', 's-more', I.tn('+{n} more', '+{n} more', s.more));
    if (!s.more) more.style.display = 'none';
    box.appendChild(more);
    return box;
  }

  // After layout: rows that do not fit the screen are counted in "+N more" instead of cut off.
  function fit(main) {
    var box = main.querySelector('.sessions');
    if (!box || box.scrollHeight <= box.clientHeight + 1) return;
    var rows = box.querySelectorAll('.session');
    var more = box.querySelector('.s-more');
    var hidden = +box.getAttribute('data-more') || 0;
    var limit = box.getBoundingClientRect().bottom + 0.5;
    var n = rows.length;
    var last = function () { return more.style.display === 'none' ? rows[n - 1] : more; };
    while (n > 1 && last().getBoundingClientRect().bottom > limit) {
      n -= 1;
      rows[n].style.display = 'none';
      hidden += 1;
      more.textContent = I.tn('+{n} more', '+{n} more', hidden);
      more.style.display = '';
    }
  }

  // The banner on every view; the same element is reused, so showing it costs one text change.
  function banner(vm, ui) {
    var text = vm.sessions ? vm.sessions.banner : '';
    CC.dom.setText(ui.waiting, text);
    if (ui.waiting.hidden !== !text) ui.waiting.hidden = !text;
    if (document.body.classList.contains('waiting-on') !== !!text) document.body.classList.toggle('waiting-on', !!text);
  }

  CC.sessions = { model: model, view: view, fit: fit, banner: banner, sorted: sorted, span: span };
})(window.CC = window.CC || {});
