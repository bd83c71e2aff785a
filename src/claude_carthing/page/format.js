/* Pure helpers: time formatting in the PC's zone, colour levels, windows, history runs.
   The projection ("100 % at 15:40, before the reset") comes from the server, one rule for all.
   ES2017 only (the Car Thing runs Chrome 69): no ?. ?? #private replaceAll fromEntries. */
(function (CC) {
  'use strict';
  var MIN = 60000;
  var HOUR = 3600000;
  var DAY = 86400000;
  var I = CC.i18n;
  var t = I.t;
  var tn = I.tn;
  var LEVELS = ['ok', 'warn', 'crit'];
  // Windows the original server sent as top-level keys, in the order it showed them.
  var LEGACY = [
    ['five_hour', '5-hour', 'session'],
    ['seven_day', 'Weekly', 'weekly'],
    ['seven_day_sonnet', 'Weekly · Sonnet', 'weekly'],
    ['seven_day_opus', 'Weekly · Opus', 'weekly']
  ];
  var NOT_WINDOWS = { windows: 1, extra_usage: 1, plan: 1, meta: 1, error: 1, status: 1 };

  function isNum(x) { return typeof x === 'number' && isFinite(x); }

  // Times in the PC's zone (its UTC offset), so the device's own (often wrong) zone never
  // matters; in the language's own way (24 h or 12 h, weekday names): i18n.js.
  function hhmm(ms, offsetMin) { return I.time(ms, offsetMin, false); }

  function hhmmss(ms, offsetMin) { return I.time(ms, offsetMin, true); }

  // "15:40" when the instant falls on the same local day as now, else "Thu 15:40".
  function when(ms, nowMs, offsetMin) { return I.when(ms, nowMs, offsetMin); }

  // Time left until a reset: "3d 4h", "2h 14m", "14m", "<1m", "soon" once past, null if unknown.
  function countdown(targetMs, nowMs) {
    if (!isNum(targetMs)) return null;
    var d = targetMs - nowMs;
    if (d <= 0) return t('soon');
    if (d < MIN) return t('<1m');
    if (d < HOUR) return t('{m}m', { m: Math.floor(d / MIN) });
    if (d < DAY) return t('{h}h {m}m', { h: Math.floor(d / HOUR), m: Math.floor((d % HOUR) / MIN) });
    return t('{d}d {h}h', { d: Math.floor(d / DAY), h: Math.floor((d % DAY) / HOUR) });
  }

  // Age of data in words: "just now", "4 min ago", "2 h 5 min ago", "3 days ago".
  function age(ms) {
    if (!isNum(ms)) return t('unknown');
    if (ms < MIN) return t('just now');
    if (ms < HOUR) return t('{m} min ago', { m: Math.floor(ms / MIN) });
    if (ms < DAY) {
      var m = Math.floor((ms % HOUR) / MIN);
      var h = Math.floor(ms / HOUR);
      return m ? t('{h} h {m} min ago', { h: h, m: m }) : t('{h} h ago', { h: h });
    }
    return tn('{n} day ago', '{n} days ago', Math.floor(ms / DAY));
  }

  // The server sends each window's `level` (claude_carthing/projection.py, one rule for every
  // display). For an older server: the same rule here. 0 green (<50 %), 1 yellow (<80 %), 2 red;
  // the upstream's own severity wins when stronger.
  function level(util, severity, given) {
    var i = LEVELS.indexOf(given);
    if (i >= 0) return i;
    var byUtil = util >= 80 ? 2 : (util >= 50 ? 1 : 0);
    var bySeverity = severity === 'critical' ? 2 : (severity === 'warning' ? 1 : 0);
    return Math.max(byUtil, bySeverity);
  }

  function levelName(n) { return LEVELS[n]; }

  function pct(u) { return I.pct(Math.round(u)); }

  function toMs(iso, ms) {
    if (isNum(ms)) return ms;
    if (typeof iso === 'string') {
      var t = Date.parse(iso);
      if (isNum(t)) return t;
    }
    return null;
  }

  function prettyKey(key) {
    var words = key.split('_').filter(Boolean);
    return words.map(function (w) { return w.charAt(0).toUpperCase() + w.slice(1); }).join(' ');
  }

  function normal(id, label, group, o) {
    return {
      id: String(id),
      label: String(label),
      group: group || 'other',
      util: isNum(o.utilization) ? o.utilization : 0,
      resetsAt: toMs(o.resets_at, o.resets_at_ms),
      severity: o.severity || null,
      level: typeof o.level === 'string' ? o.level : null,
      projection: o.projection && typeof o.projection === 'object' ? o.projection : null,
      model: o.model || null,
      surface: o.surface || null
    };
  }

  // The windows to show, from `windows[]`, else from the legacy top-level keys.
  function windows(payload) {
    if (!payload || typeof payload !== 'object') return [];
    if (Array.isArray(payload.windows)) {
      return payload.windows.filter(function (w) { return w && typeof w === 'object'; })
        .map(function (w) { return normal(w.id, w.label || prettyKey(String(w.id)), w.group, w); });
    }
    var out = [];
    var seen = {};
    LEGACY.forEach(function (l) {
      seen[l[0]] = 1;
      var o = payload[l[0]];
      if (o && typeof o === 'object') out.push(normal(l[0], l[1], l[2], o));
    });
    Object.keys(payload).forEach(function (k) {
      var o = payload[k];
      if (seen[k] || NOT_WINDOWS[k] || !o || typeof o !== 'object' || !isNum(o.utilization)) return;
      out.push(normal(k, prettyKey(k), k.indexOf('seven_day') === 0 ? 'weekly' : 'other', o));
    });
    return out;
  }

  function periodMs(w) { return (w.group === 'session' || w.id === 'five_hour') ? 5 * HOUR : 7 * DAY; }

  // Points of the current window only: stop at a reset (a drop) or before the window started.
  function currentRun(points, w) {
    var start = isNum(w.resetsAt) ? w.resetsAt - periodMs(w) : -Infinity;
    var run = [];
    for (var i = points.length - 1; i >= 0; i--) {
      var p = points[i];
      if (p[0] < start) break;
      if (run.length && p[1] > run[0][1] + 0.5) break;
      run.unshift(p);
    }
    return run;
  }

  // Enough history to draw a line that says something: 3+ points over 30+ minutes.
  function enough(run) {
    return run.length >= 3 && run[run.length - 1][0] - run[0][0] >= 30 * MIN;
  }

  CC.fmt = {
    MIN: MIN, HOUR: HOUR, DAY: DAY,
    hhmm: hhmm, hhmmss: hhmmss, when: when, countdown: countdown, age: age,
    level: level, levelName: levelName, pct: pct, windows: windows, periodMs: periodMs,
    currentRun: currentRun, enough: enough, isNum: isNum
  };
})(window.CC = window.CC || {});
