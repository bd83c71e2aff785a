/* Draws a view model into the page. Text always goes in through textContent (never innerHTML),
   so a label coming from the network can never become markup. */
(function (CC) {
  'use strict';
  var F = CC.fmt;
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

  // A small SVG line chart: x over [t0, t1], y 0..100 %, thresholds at 50 and 80, optional pace line.
  function chart(c, t0, t1, big) {
    var w = 300;
    var h = big ? 120 : 40;
    var root = svg('svg', { viewBox: '0 0 ' + w + ' ' + h, preserveAspectRatio: 'none', class: 'chart' + (big ? ' big' : '') });
    var x = function (t) { return ((t - t0) / (t1 - t0) * w).toFixed(1); };
    var y = function (u) { return (h - Math.max(0, Math.min(100, u)) / 100 * h).toFixed(1); };
    [50, 80].forEach(function (u) {
      root.appendChild(svg('line', { x1: 0, x2: w, y1: y(u), y2: y(u), class: 'thr' }));
    });
    var pts = decimate(c.points.filter(function (p) { return p[0] >= t0 && p[0] <= t1; }));
    if (pts.length) {
      root.appendChild(svg('polyline', {
        points: pts.map(function (p) { return x(p[0]) + ',' + y(p[1]); }).join(' '),
        class: 'line ' + c.level
      }));
    }
    var pr = c.projection;
    if (big && pr && F.isNum(c.resetsAt) && pts.length) {
      var last = pts[pts.length - 1];
      var endT = F.isNum(pr.hitAt) ? pr.hitAt : c.resetsAt;
      root.appendChild(svg('line', { x1: x(last[0]), y1: y(last[1]), x2: x(Math.min(endT, t1)), y2: y(pr.endPct), class: 'pace' }));
    }
    return root;
  }

  function bar(c) {
    var b = el('div', 'bar');
    var fill = el('div', 'fill ' + c.level);
    // scaleX instead of width: the bar changes without a layout.
    fill.style.transform = 'scaleX(' + c.frac.toFixed(3) + ')';
    b.appendChild(fill);
    return b;
  }

  function pctNode(c, cls) {
    var n = el('div', 'pct ' + c.level + (cls ? ' ' + cls : ''), c.pctText);
    n.appendChild(el('span', 'unit', '%'));
    return n;
  }

  function resetLine(c) {
    var r = el('div', 'reset', c.resetText);
    if (c.countdown) r.appendChild(el('span', 'countdown', ' · ' + c.countdown));
    return r;
  }

  function cardNode(c, vm) {
    var n = el('section', 'card ' + c.level + (c.warn ? ' alert' : ''));
    n.setAttribute('data-window', c.id);
    var head = el('div', 'head');
    head.appendChild(el('h2', 'label', c.label));
    head.appendChild(pctNode(c));
    n.appendChild(head);
    n.appendChild(bar(c));
    n.appendChild(resetLine(c));
    n.appendChild(chart(c, vm.now - F.DAY, vm.now, false));
    n.appendChild(el('div', 'pace-text', c.projection ? c.projection.text : ''));
    return n;
  }

  function extraNode(x) {
    var n = el('section', 'card extra ' + F.levelName(x.level));
    n.appendChild(el('h2', 'label', 'Extra usage'));
    n.appendChild(el('div', 'money', x.text));
    n.appendChild(el('div', 'reset', x.util === null ? x.limitText : F.pct(x.util) + ' of the limit'));
    return n;
  }

  function overview(vm) {
    var cells = vm.overview.length + (vm.extra ? 1 : 0) + (vm.more ? 1 : 0);
    var g = el('div', 'grid n' + cells + (cells > 4 ? ' compact' : ''));
    vm.overview.forEach(function (c) { g.appendChild(cardNode(c, vm)); });
    if (vm.more) {
      var m = el('section', 'card more');
      m.appendChild(el('h2', 'label', '+' + vm.more + ' more'));
      m.appendChild(el('div', 'reset', 'Press 3 for all limits'));
      g.appendChild(m);
    }
    if (vm.extra) g.appendChild(extraNode(vm.extra));
    return g;
  }

  function detail(vm) {
    var c = vm.cards[vm.detail];
    var n = el('div', 'detail ' + c.level);
    n.setAttribute('data-window', c.id);
    var side = el('div', 'side card' + (c.warn ? ' alert' : ''));
    side.appendChild(el('h2', 'label', c.label));
    if (c.sub) side.appendChild(el('div', 'sub', c.sub));
    side.appendChild(pctNode(c, 'huge'));
    side.appendChild(bar(c));
    side.appendChild(resetLine(c));
    side.appendChild(el('div', 'pace-text', c.projection ? c.projection.text : 'pace: not enough history yet'));
    n.appendChild(side);
    var box = el('div', 'chartbox card');
    var t0 = F.isNum(c.startsAt) ? c.startsAt : vm.now - F.DAY;
    var t1 = F.isNum(c.resetsAt) ? c.resetsAt : vm.now;
    box.appendChild(el('div', 'axis', F.when(t0, vm.now, vm.offsetMin) + ' → ' + F.when(t1, vm.now, vm.offsetMin)));
    box.appendChild(chart(c, t0, t1, true));
    n.appendChild(box);
    return n;
  }

  function list(vm) {
    var t = el('div', 'list');
    vm.cards.forEach(function (c) {
      var row = el('div', 'row ' + c.level);
      row.setAttribute('data-window', c.id);
      row.appendChild(el('span', 'label', c.label));
      row.appendChild(bar(c));
      row.appendChild(el('span', 'pct ' + c.level, c.pctText + ' %'));
      row.appendChild(el('span', 'reset', c.countdown || 'no reset'));
      t.appendChild(row);
    });
    if (vm.extra) {
      var x = el('div', 'row');
      x.appendChild(el('span', 'label', 'Extra usage'));
      x.appendChild(el('span', 'money', vm.extra.text));
      t.appendChild(x);
    }
    return t;
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
    if (vm.screen !== 'data') main = panelNode(vm.panel);
    else if (vm.view === 'detail' && vm.cards.length) main = detail(vm);
    else if (vm.view === 'list') main = list(vm);
    else if (vm.view === 'status') main = statusView(vm);
    else main = overview(vm);
    ui.main.textContent = '';
    ui.main.appendChild(main);
    ui.main.setAttribute('data-screen', vm.screen);
    ui.main.setAttribute('data-view', vm.screen === 'data' ? vm.view : 'panel');
    document.body.setAttribute('data-state', vm.screen === 'data' ? vm.kind : vm.screen);
    setText(ui.badge, vm.badge);
    ui.badge.className = 'badge ' + vm.kind;
    setText(ui.plan, vm.plan);
    ui.banner.textContent = '';
    if (vm.banner) rich(ui.banner, vm.banner);
    ui.banner.hidden = !vm.banner;
    ui.banner.className = 'banner ' + vm.kind;
    setText(ui.updated, vm.updated);
  }

  CC.draw = draw;
  CC.dom = { el: el, rich: rich, setText: setText };
})(window.CC = window.CC || {});
