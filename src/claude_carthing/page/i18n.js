/* The page's words and formats in the user's language, all from the PC server: GET /api/i18n
   sends the messages (gettext catalogs), the plural rule as a table, and CLDR patterns and names
   (times, weekdays, numbers, percentages, money). The device browser's Intl data is never used:
   Chrome 69 on the Car Thing may have none for the language. ES2017 only. */
(function (CC) {
  'use strict';
  // English until the server answers (or from the cache): the same data /api/i18n?lang=en sends.
  var ENGLISH = {
    language: 'en', messages: {}, plurals: {}, plural_table: null,
    formats: {
      time: 'HH:mm', seconds: 'HH:mm:ss', weekday_time: 'E HH:mm',
      weekdays: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'], am: 'AM', pm: 'PM',
      decimal: '.', group: ',', minus: '-', percent: '{n} %', currency: '¤#,##0.00',
      currencies: { USD: ['US$', 2] }
    }
  };
  var data = ENGLISH;

  function use(d) {
    if (!d || typeof d !== 'object' || !d.formats || !d.messages) return false;
    data = d;
    if (document.documentElement.lang !== d.language) document.documentElement.lang = d.language;
    return true;
  }

  function fill(text, values) {
    if (!values) return text;
    return text.replace(/\{(\w+)\}/g, function (m, k) {
      return Object.prototype.hasOwnProperty.call(values, k) ? String(values[k]) : m;
    });
  }

  // A message in the user's language; the English text itself when it has no translation.
  function t(id, values) { return fill(data.messages[id] || id, values); }

  function pluralIndex(n) {
    var table = data.plural_table;
    n = Math.abs(Math.floor(n));
    if (!table || !table.length) return n === 1 ? 0 : 1;
    return table[n < table.length ? n : 100 + n % 100];
  }

  // The plural form for n ({n} is filled too): Polish 2, 5 and 22 take three different forms.
  function tn(one, other, n, values) {
    var forms = data.plurals[one];
    var i = pluralIndex(n);
    var text = forms && forms[i] ? forms[i] : (n === 1 ? one : other);
    var all = { n: n };
    Object.keys(values || {}).forEach(function (k) { all[k] = values[k]; });
    return fill(text, all);
  }

  // Decimal rounding, half to even, on the number's shortest decimal text (as Babel rounds).
  function fixed(x, decimals) {
    var s = String(Math.abs(x));
    if (/e/i.test(s)) s = Math.abs(x).toFixed(20);
    var dot = s.indexOf('.');
    var int = dot < 0 ? s : s.slice(0, dot);
    var frac = dot < 0 ? '' : s.slice(dot + 1);
    while (frac.length < decimals + 1) frac += '0';
    var digits = (int + frac.slice(0, decimals)).split('').map(Number);
    var rest = frac.slice(decimals);
    var up = rest[0] > '5' || (rest[0] === '5' && (/[1-9]/.test(rest.slice(1)) || digits[digits.length - 1] % 2 === 1));
    for (var i = digits.length - 1; up && i >= 0; i--) {
      digits[i] += 1;
      up = digits[i] === 10;
      if (up) digits[i] = 0;
    }
    if (up) digits.unshift(1);
    var all = digits.join('');
    var cut = all.length - decimals;
    return { int: all.slice(0, cut).replace(/^0+(?=\d)/, ''), frac: all.slice(cut) };
  }

  // 1234.5 -> "1,234.50" / "1.234,50" / "1 234,50" with exactly `decimals` decimals.
  function number(x, decimals) {
    var f = data.formats;
    var parts = fixed(x, decimals || 0);
    var int = parts.int.replace(/\B(?=(\d{3})+(?!\d))/g, '\u0000').split('\u0000').join(f.group);
    var text = int + (parts.frac ? f.decimal + parts.frac : '');
    var zero = !/[1-9]/.test(parts.int + parts.frac);
    return x < 0 && !zero ? f.minus + text : text;
  }

  // 42 -> "42 %", "42%", "%42".
  function pct(x, decimals) { return data.formats.percent.replace('{n}', number(x, decimals || 0)); }

  // 12.5, "USD" -> "$12.50", "12,50 $", "US$ 12,50", with the currency's own decimals.
  function money(amount, currency) {
    var f = data.formats;
    var code = currency || 'USD';
    var known = f.currencies[code];
    var symbol = known ? known[0] : code;
    var digits = known ? known[1] : 2;
    var patterns = f.currency.split(';');
    var negative = amount < 0;
    var pattern = negative && patterns[1] ? patterns[1] : patterns[0];
    var text = pattern.replace(/[#0,.]+/, number(Math.abs(amount), digits)).replace('¤', symbol);
    return negative && !patterns[1] ? f.minus + text : text;
  }

  function pad(n, size) { var s = String(n); while (s.length < size) s = '0' + s; return s; }

  // A CLDR date pattern over the wall clock fields of a Date read in UTC: H h K k m s a E c.
  function pattern(p, d) {
    var f = data.formats;
    var out = '';
    var i = 0;
    while (i < p.length) {
      var c = p.charAt(i);
      if (c === "'") {
        var end = p.indexOf("'", i + 1);
        if (end < 0) end = p.length;
        out += end === i + 1 ? "'" : p.slice(i + 1, end);
        i = end + 1;
        continue;
      }
      var j = i;
      while (j < p.length && p.charAt(j) === c) j++;
      var n = j - i;
      var h = d.getUTCHours();
      if (c === 'H') out += pad(h, n);
      else if (c === 'k') out += pad(h || 24, n);
      else if (c === 'h') out += pad(h % 12 || 12, n);
      else if (c === 'K') out += pad(h % 12, n);
      else if (c === 'm') out += pad(d.getUTCMinutes(), n);
      else if (c === 's') out += pad(d.getUTCSeconds(), n);
      else if (c === 'a') out += h < 12 ? f.am : f.pm;
      else if (c === 'E' || c === 'c') out += f.weekdays[(d.getUTCDay() + 6) % 7];
      else out += p.slice(i, j);
      i = j;
    }
    return out;
  }

  var MIN = 60000;
  var DAY = 86400000;
  function wall(ms, offsetMin) { return new Date(ms + (offsetMin || 0) * MIN); }

  // The time of day in the PC's zone: "15:40", "3:40 PM", "午後3:40".
  function time(ms, offsetMin, seconds) {
    return pattern(seconds ? data.formats.seconds : data.formats.time, wall(ms, offsetMin));
  }

  // The time, or the weekday and time when it falls on another day than now: "Thu 15:40".
  function when(ms, nowMs, offsetMin) {
    var off = (offsetMin || 0) * MIN;
    var same = Math.floor((ms + off) / DAY) === Math.floor((nowMs + off) / DAY);
    return pattern(same ? data.formats.time : data.formats.weekday_time, wall(ms, offsetMin));
  }

  // Window names: the server sends the upstream's English ones; known parts are translated,
  // model names ("Sonnet") stay.
  var NAMES = { 'OAuth apps': 1, 'Daily Routines': 1, Design: 1 };
  function label(id, text) {
    if (id === 'five_hour') return t('5-hour');
    if (id === 'seven_day') return t('Weekly');
    var s = String(text || id || '');
    if (s.indexOf('Weekly · ') === 0) {
      var name = s.slice(9);
      return t('Weekly · {name}', { name: NAMES[name] ? t(name) : name });
    }
    return s;
  }

  // Window names the page knows only by their key; extracted for the catalog with the others.
  function names() { return [t('OAuth apps'), t('Daily Routines'), t('Design')]; }

  CC.i18n = {
    use: use, t: t, tn: tn, number: number, pct: pct, money: money, time: time, when: when,
    label: label, names: names, pattern: pattern,
    language: function () { return data.language; },
    data: function () { return data; }
  };
})(window.CC = window.CC || {});
