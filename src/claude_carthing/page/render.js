/* Draws a view model into the page. Text always goes in through textContent (never innerHTML),
   so a label coming from the network can never become markup. */
(function (CC) {
  'use strict';
  var F = CC.fmt;
  var I = CC.i18n;
  var t = I.t;
  var SVG = 'http://www.w3.org/2000/svg';
  var MAX_POINTS = 120;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function svg(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }

  // Text with `code` spans: odd backtick-separated parts become <code>, all via textContent.
  function rich(parent, text) {
    String(text).split('`').forEach(function (part, i) {
      if (!part) return;
      parent.appendChild(i % 2 ? el('code', null, part) : document.createTextNode(part));
    });
    return parent;
  }

  function setText(node, text) { if (node.textContent !== text) node.textContent = text; }

  function decimate(points) {
    if (points.length <= MAX_POINTS) return points;
    var step = points.length / MAX_POINTS;
    var out = [];
    for (var i = 0; i < MAX_POINTS - 1; i++) out.push(points[Math.floor(i * step)]);
    out.push(points[points.length - 1]);
    return out;
  }

  // An SVG line over [t0, t1] x 0..100 %; the big one adds the 80 % line, now, and the pace.
  function chart(c, pts, t0, t1, now, big) {
    var w = 300;
    var h = 100;
    var root = svg('svg', { viewBox: '0 0 ' + w + ' ' + h, preserveAspectRatio: 'none', class: big ? 'chart big' : 'chart spark' });
    var x = function (t) { return ((Math.max(t0, Math.min(t1, t)) - t0) / (t1 - t0) * w).toFixed(1); };
    var y = function (u) { return (h - Math.max(0, Math.min(100, u)) / 100 * h).toFixed(1); };
    if (big) {
      [0, 50, 100].forEach(function (u) { root.appendChild(svg('line', { x1: 0, x2: w, y1: y(u), y2: y(u), class: 'grid-line' })); });
      root.appendChild(svg('line', { x1: 0, x2: w, y1: y(80), y2: y(80), class: 'thr' }));
      root.appendChild(svg('line', { x1: x(now), x2: x(now), y1: 0, y2: h, class: 'now' }));
    }
    pts = decimate(pts.filter(function (p) { return p[0] >= t0 && p[0] <= t1; }));
    if (pts.length) {
      root.appendChild(svg('polyline', {
        points: pts.map(function (p) { return x(p[0]) + ',' + y(p[1]); }).join(' '),
        class: 'line ' + c.level
      }));
    }
    var pr = c.pace;
    if (big && pts.length && (pr.state === 'hits' || pr.state === 'lasts')) {
      var last = pts[pts.length - 1];
      var p = c.projectionEnd;
      if (p) root.appendChild(svg('line', { x1: x(last[0]), y1: y(last[1]), x2: x(p[0]), y2: y(p[1]), class: 'pace' }));
    }
    return root;
  }

  function bar(frac, cls) {
    var b = el('div', 'bar');
    var fill = el('div', 'fill ' + cls);
    // scaleX instead of width: the bar changes without a layout.
    fill.style.transform = 'scaleX(' + frac.toFixed(3) + ')';
    b.appendChild(fill);
    return b;
  }

  function pctNode(c, cls, tag) {
    // The sign where the language puts it: "42 %", "42%", Turkish "%42".
    var pattern = I.data().formats.percent;
    var at = pattern.indexOf('{n}');
    var sign = pattern.replace('{n}', '').trim();
    var n = el(tag || 'div', 'pct ' + c.level + (cls ? ' ' + cls : ''));
    var unit = el('span', 'unit', sign);
    if (at > 0) n.appendChild(unit);
    n.appendChild(document.createTextNode(I.number(+c.pctText, 0)));
    if (at <= 0) n.appendChild(unit);
    return n;
  }

  function resetLine(c) {
    // Two unbreakable parts: a longer language puts the countdown on a line of its own.
    var r = el('div', 'reset');
    r.appendChild(el('span', 'when', c.resetText));
    if (c.countdown) {
      r.appendChild(document.createTextNode(' ')); // the one place the line may break
      r.appendChild(el('span', 'countdown', '· ' + c.countdown));
    }
    return r;
  }

  function cardNode(c, vm) {
    var n = el('section', 'card ' + c.level + (c.warn ? ' alert' : ''));
    n.setAttribute('data-window', c.id);
    n.appendChild(el('h2', 'label', c.label));
    // A line only when there is history enough to say something; else the numbers get the room
    // (the grid is "roomy"). In two rows of cards it sits beside the number, where it never
    // gets squeezed out by the texts below.
    var twoRows = cells(vm) >= 4;
    var line = c.spark ? chart(c, c.spark, c.spark[0][0], vm.now, vm.now, false) : null;
    if (line && twoRows) {
      var head = el('div', 'headline');
      head.appendChild(pctNode(c));
      head.appendChild(line);
      n.appendChild(head);
      line = null;
    } else {
      n.appendChild(pctNode(c));
    }
    n.appendChild(bar(c.frac, c.level));
    n.appendChild(resetLine(c));
    var said = twoRows && c.pace.short ? c.pace.short : c.pace.text;
    if (said) n.appendChild(el('div', 'pace-text ' + c.pace.state, said));
    if (line) n.appendChild(line);
    return n;
  }

  // Extra usage is money, not a limit: a strip under the cards, in a colour that is no warning.
  function extraNode(x) {
    var n = el('section', 'extra');
    n.appendChild(el('h2', 'label', t('Extra usage')));
    n.appendChild(el('span', 'money', x.spent));
    n.appendChild(el('span', 'of', x.limitText));
    if (x.frac !== null) n.appendChild(bar(x.frac, 'spend'));
    return n;
  }

  function cells(vm) { return vm.overview.length + (vm.more ? 1 : 0); }

  function overview(vm) {
    var n = cells(vm);
    var box = el('div', 'overview');
    var roomy = !vm.overview.some(function (c) { return c.spark; });
    var g = el('div', 'grid n' + n + (n > 4 ? ' compact' : '') + (roomy ? ' roomy' : ''));
    vm.overview.forEach(function (c) { g.appendChild(cardNode(c, vm)); });
    if (vm.more) {
      var m = el('section', 'card more');
      m.appendChild(el('h2', 'label', I.tn('+{n} more', '+{n} more', vm.more)));
      m.appendChild(el('div', 'reset', t('press 3 for all limits')));
      g.appendChild(m);
    }
    box.appendChild(g);
    if (vm.extra) box.appendChild(extraNode(vm.extra));
    return box;
  }

  function projectionEnd(c) {
    var p = c.pace;
    if (!F.isNum(p.at) || !F.isNum(p.end)) return null;
    return [p.at, p.end];
  }

  function axisLabel(text, cls, leftPct) {
    var n = el('span', 'tick ' + cls, text);
    if (leftPct !== null) n.style.left = leftPct.toFixed(1) + '%';
    return n;
  }

  function detail(vm) {
    var c = vm.cards[vm.detail];
    var n = el('div', 'detail ' + c.level);
    n.setAttribute('data-window', c.id);
    var side = el('div', 'side card' + (c.warn ? ' alert' : ''));
    side.appendChild(el('h2', 'label', c.label));
    side.appendChild(pctNode(c, 'huge'));
    side.appendChild(bar(c.frac, c.level));
    side.appendChild(resetLine(c));
    side.appendChild(el('div', 'pace-text ' + c.pace.state, c.pace.text || t('pace: not enough history yet')));
    n.appendChild(side);
    var box = el('div', 'chartbox card');
    var t0 = F.isNum(c.startsAt) ? c.startsAt : vm.now - F.DAY;
    var t1 = F.isNum(c.resetsAt) ? Math.max(c.resetsAt, vm.now) : vm.now;
    var plot = el('div', 'plot');
    var yax = el('div', 'yaxis');
    ['100', '80', '50', '0'].forEach(function (u) {
      var tick = el('span', 'ytick', u);
      tick.style.top = (100 - +u) + '%';
      yax.appendChild(tick);
    });
    plot.appendChild(yax);
    var area = el('div', 'area');
    c.projectionEnd = projectionEnd(c);
    area.appendChild(chart(c, c.points, t0, t1, vm.now, true));
    plot.appendChild(area);
    box.appendChild(plot);
    var xax = el('div', 'xaxis');
    var at = (vm.now - t0) / (t1 - t0) * 100;
    xax.appendChild(axisLabel(F.when(t0, vm.now, vm.offsetMin), 'start', null));
    // "now" sits at its place on the time axis, unless it would cover the ends' labels.
    if (at > 22 && at < 78) xax.appendChild(axisLabel(t('now'), 'mid', at));
    xax.appendChild(axisLabel(F.isNum(c.resetsAt) ? t('reset {time}', { time: F.when(c.resetsAt, vm.now, vm.offsetMin) }) : t('now'), 'end', null));
    box.appendChild(xax);
    n.appendChild(box);
    return n;
  }

  function list(vm) {
    var box = el('div', 'list');
    vm.cards.forEach(function (c) {
      var row = el('div', 'row ' + c.level);
      row.setAttribute('data-window', c.id);
      row.appendChild(el('span', 'label', c.label));
      row.appendChild(bar(c.frac, c.level));
      row.appendChild(el('span', 'pct ' + c.level, F.pct(c.util)));
      row.appendChild(el('span', 'reset', c.countdown || t('no reset')));
      box.appendChild(row);
    });
    if (vm.extra) {
      var x = el('div', 'row extra');
      x.appendChild(el('span', 'label', t('Extra usage')));
      x.appendChild(el('span', 'money', vm.extra.text));
      box.appendChild(x);
    }
    return box;
  }

  function statusView(vm) {
    var t = el('dl', 'info card');
    vm.info.forEach(function (kv) {
      t.appendChild(el('dt', null, kv[0]));
      t.appendChild(rich(el('dd'), kv[1]));
    });
    return t;
  }

  function panelNode(p) {
    var n = el('div', 'panel');
    n.appendChild(el('h2', null, p.title));
    p.lines.forEach(function (line) { if (line) n.appendChild(rich(el('p'), line)); });
    return n;
  }

  // Replace the main area and refresh the small texts around it.
  function draw(vm, ui) {
    var main;
    if (vm.view === 'sessions') main = CC.sessions.view(vm);
    else if (vm.view === 'status') main = statusView(vm);
    else if (vm.screen !== 'data') main = panelNode(vm.panel);
    else if (vm.view === 'accounts') main = CC.accounts.view(vm);
    else if (vm.view === 'detail' && vm.cards.length) main = detail(vm);
    else if (vm.view === 'list') main = list(vm);
    else main = overview(vm);
    ui.main.textContent = '';
    ui.main.appendChild(main);
    ui.main.setAttribute('data-screen', vm.screen);
    ui.main.setAttribute('data-view', vm.view === 'status' || vm.view === 'sessions' ? vm.view : (vm.screen === 'data' ? vm.view : 'panel'));
    document.body.setAttribute('data-state', vm.screen === 'data' ? vm.kind : vm.screen);
    document.body.setAttribute('data-mode', vm.kind);
    if (document.body.classList.contains('night') !== vm.night) document.body.classList.toggle('night', vm.night);
    setText(ui.badge, vm.badge);
    ui.badge.className = 'badge ' + vm.kind;
    setText(ui.plan, vm.plan);
    // Several accounts: the title names the account shown (or "All accounts · 2").
    setText(ui.title, vm.title || t('Claude usage'));
    if (document.body.classList.contains('multi') !== !!vm.multi) document.body.classList.toggle('multi', !!vm.multi);
    ui.banner.textContent = '';
    if (vm.banner) rich(ui.banner, vm.banner);
    ui.banner.hidden = !vm.banner;
    ui.banner.className = 'banner ' + vm.kind;
    setText(ui.updated, vm.updated);
    CC.sessions.banner(vm, ui);
  }

  CC.draw = draw;
  CC.dom = { el: el, rich: rich, setText: setText, bar: bar, pct: pctNode };
})(window.CC = window.CC || {});
