/* Claude Code's permission requests: a full-screen card over any view.
   Press the dial (Enter): allow once. Back (Escape): deny. Only a fresh press counts: a key
   pressed down at least GRACE_MS after the card appeared and let go within PRESS_MS, with no
   auto-repeat; a key held from before never answers. Text goes in with textContent only. */
(function (CC) {
  'use strict';
  var POLL_MS = 1000;
  var GRACE_MS = 500;
  var PRESS_MS = 1500;
  var SAID_MS = 2500;
  var t = CC.i18n.t;
  function kindLabel(kind) {
    return { command: t('Command'), path: t('File'), url: t('URL'), input: t('Input') }[kind] || t('Input');
  }
  var S = null;
  var secret = null;
  var list = [];
  var shown = null; // the request on the card
  var shownAt = 0;
  var busy = false;
  var said = null; // { text, until }: why the last answer was refused
  var down = {}; // keys down now: { at, fresh }
  var ui = {};

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined) n.textContent = text;
    return n;
  }

  function post(path, body) {
    // text/plain: a "simple" request, no CORS preflight from the device's file:// page.
    return fetch(S.server + path, { method: 'POST', body: JSON.stringify(body), cache: 'no-store',
      headers: { 'Content-Type': 'text/plain' } }).then(function (res) {
      return res.json().then(function (b) { return { status: res.status, body: b }; },
        function () { return { status: res.status, body: {} }; });
    });
  }

  function build() {
    var card = el('div', 'approval');
    card.id = 'approval';
    card.hidden = true;
    card.setAttribute('role', 'alertdialog');
    var head = el('div', 'ap-head');
    ui.title = el('span', 'ap-title', '');
    ui.count = el('span', 'ap-count', '');
    head.appendChild(ui.title);
    head.appendChild(ui.count);
    ui.where = el('div', 'ap-where', '');
    ui.kind = el('div', 'ap-kind', '');
    ui.text = el('pre', 'ap-text', '');
    ui.said = el('div', 'ap-said', '');
    ui.hint = el('div', 'ap-hint', '');
    var buttons = el('div', 'ap-buttons');
    ui.allow = el('button', 'ap-allow', '');
    ui.deny = el('button', 'ap-deny', '');
    ui.allow.type = ui.deny.type = 'button';
    ui.allow.addEventListener('click', function (e) { e.stopPropagation(); tap('allow'); });
    ui.deny.addEventListener('click', function (e) { e.stopPropagation(); tap('deny'); });
    buttons.appendChild(ui.deny);
    buttons.appendChild(ui.allow);
    [head, ui.where, ui.kind, ui.text, ui.said, ui.hint, buttons].forEach(function (n) { card.appendChild(n); });
    document.body.appendChild(card);
    ui.card = card;
  }

  // Each setter touches the DOM only on a change: the page is redrawn every second.
  function setText(node, text) { if (node.textContent !== text) node.textContent = text; }
  function setAttr(node, name, value) { if (node.getAttribute(name) !== value) node.setAttribute(name, value); }
  function setFlag(node, name, on) { if (node[name] !== on) node[name] = on; }

  function draw() {
    var at = performance.now();
    if (said && at > said.until) said = null;
    var item = list.length ? list[0] : null;
    if (!item || !shown || item.id !== shown.id) {
      shown = item;
      shownAt = at; // a new request: a new grace time
    }
    setFlag(ui.card, 'hidden', !shown && !said);
    if (document.body.classList.contains('asking') === ui.card.hidden) document.body.classList.toggle('asking', !ui.card.hidden);
    setText(ui.said, said ? said.text : '');
    // The card's own words, in the language loaded by now.
    setText(ui.title, t('Claude Code asks'));
    setText(ui.hint, t('Press the dial: allow once · Back: deny'));
    setText(ui.allow, t('Allow once'));
    setText(ui.deny, t('Deny'));
    if (!shown) {
      [ui.count, ui.where, ui.kind, ui.text].forEach(function (n) { setText(n, ''); });
      setFlag(ui.allow, 'disabled', true);
      setFlag(ui.deny, 'disabled', true);
      setAttr(ui.card, 'data-id', '');
      return;
    }
    setAttr(ui.card, 'data-id', shown.id);
    setText(ui.count, list.length > 1 ? t('1 of {n}', { n: list.length }) : '');
    setText(ui.where, (shown.project || t('a project')) + ' · ' + (shown.tool || t('a tool')));
    setText(ui.kind, shown.cut ? t('{kind} (too long to show whole: deny here or answer in the terminal)', { kind: kindLabel(shown.kind) })
      : kindLabel(shown.kind));
    if (ui.text.textContent !== shown.text) { ui.text.textContent = shown.text; ui.text.scrollTop = 0; }
    setFlag(ui.allow, 'disabled', !!shown.cut);
    setFlag(ui.deny, 'disabled', false);
  }

  function answer(decision) {
    if (!shown || busy) return;
    if (decision === 'allow' && shown.cut) return;
    var item = shown;
    busy = true;
    post('/api/approvals/answer', { secret: secret, id: item.id, decision: decision }).then(function (r) {
      busy = false;
      if (r.status !== 200) said = { text: (r.body && r.body.error) ? t('Not sent: {why}', { why: r.body.error }) : t('Not sent'), until: performance.now() + SAID_MS };
      list = list.filter(function (p) { return p.id !== item.id; });
      draw();
    }, function () {
      busy = false;
      said = { text: t('Not sent: the PC does not answer'), until: performance.now() + SAID_MS };
      draw();
    });
  }

  function tap(decision) {
    if (shown && performance.now() - shownAt >= GRACE_MS) answer(decision);
  }

  function scroll(dir) {
    ui.text.scrollTop += dir * 40;
  }

  // Capture on window: runs before the page's own key handler, which never sees a key while
  // the card is up.
  function onKeyDown(e) {
    var id = e.code || e.key;
    var held = e.repeat || down[id];
    if (!held) down[id] = { at: performance.now(), fresh: !!shown && performance.now() - shownAt >= GRACE_MS, shown: shown && shown.id };
    else if (down[id]) down[id].fresh = false; // auto-repeat: a hold, not a press
    if (ui.card.hidden) return;
    e.stopImmediatePropagation();
    e.preventDefault();
    if (held) return;
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown') scroll(S.reverse ? -1 : 1);
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') scroll(S.reverse ? 1 : -1);
  }

  function onKeyUp(e) {
    var id = e.code || e.key;
    var press = down[id];
    delete down[id];
    if (ui.card.hidden) return;
    e.preventDefault(); // the page still sees it: it must know the key is up
    if (!press || !press.fresh || !shown || press.shown !== shown.id) return;
    if (performance.now() - press.at > PRESS_MS) return;
    if (e.key === 'Enter') answer('allow');
    else if (e.key === 'Escape') answer('deny');
  }

  function onWheel(e) {
    if (ui.card.hidden) return;
    e.stopImmediatePropagation();
    var d = Math.abs(e.deltaX) > Math.abs(e.deltaY) ? e.deltaX : e.deltaY;
    if (d) scroll((d > 0 ? 1 : -1) * (S.reverse ? -1 : 1));
  }

  function poll() {
    post('/api/approvals/pending', { secret: secret }).then(function (r) {
      if (r.status === 200 && r.body && r.body.requests) list = r.body.requests;
      else list = [];
      draw();
    }, function () { list = []; draw(); }).then(function () { setTimeout(poll, POLL_MS); });
  }

  function start(settings) {
    S = settings;
    build();
    window.addEventListener('keydown', onKeyDown, true);
    window.addEventListener('keyup', onKeyUp, true);
    window.addEventListener('wheel', onWheel, true);
    window.addEventListener('blur', function () { down = {}; });
    var q = new URLSearchParams(location.search);
    var key = q.get('key');
    if (key) { secret = key; poll(); return; }
    if (location.protocol !== 'http:') return;
    // The server's own page: the secret comes from a same-origin request (never cross-origin).
    post('/api/approvals/secret', {}).then(function (r) {
      if (r.status === 200 && r.body && typeof r.body.secret === 'string') { secret = r.body.secret; poll(); }
    }, function () {});
  }

  CC.approvals = { start: start, state: function () { return { list: list, shown: shown }; } };
})(window.CC = window.CC || {});
