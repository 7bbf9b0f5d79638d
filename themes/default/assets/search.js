/* site_builder search client: loads only the index chunks a query needs, as <script>
   files (so it works from file:// and under any sub-path), folds the query the way the
   build folded the text, finds every entry containing each query word as a phrase, and
   ranks with lunr's BM25. Written for this project; no third-party code. */
(function () {
  "use strict";
  var root = document.getElementById("search-app");
  if (!root) return;
  var base = root.getAttribute("data-index");      // relative URL of the search/ folder
  // the snippet files in this page's script (a theme's own search page may not say: the index's)
  var docBase = root.hasAttribute("data-docs") ? root.getAttribute("data-docs") : base;
  var siteRoot = root.getAttribute("data-root");   // relative URL of the site root
  var S = JSON.parse(document.getElementById("search-strings").textContent);
  /* How the build cut text into terms (meta.js): Han characters, the prefix of a single
     character's key, and joints (see parse). */
  var HAN, TOKEN, UNI, JOINT, JOINT_GAP, JOINT_WORD;
  var PER_PAGE = 10;
  var CUT_MOST = 12;  // the longest run of Han characters typed without spaces that is cut (see resplit)

  var meta = null, fold = {}, common = {}, metaAsked = 0;
  var chunks = {}, positionChunks = {}, blocks = {}, facets = {}, docs = {}, waiting = {};
  var STALE_MS = 10 * 60 * 1000;

  /* A file of the index, loaded once. meta.js is asked for afresh (a host may let the
     browser keep a file for days); every other file with the version meta.js names in
     its address, so that one kept from an earlier build is not read with this one's. */
  function once(key, src, from) {
    if (!waiting[key]) {
      waiting[key] = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = (from === undefined ? base : from) + src + (meta && key !== "meta" ? "?v=" + meta.v : "?t=" + Date.now());
        s.async = true;
        s.onload = function () { resolve(); };
        s.onerror = function () { reject(new Error(src)); };
        document.head.appendChild(s);
      });
    }
    return waiting[key];
  }
  /* meta.js, asked for again by a page left open ten minutes or more (a kiosk, a
     phone's tab): a build since may have numbered the documents anew, and what was
     loaded with the last one is dropped when its version has changed. */
  function currentMeta() {
    if (waiting.meta && Date.now() - metaAsked < STALE_MS) return waiting.meta;
    var before = meta && meta.v;
    metaAsked = Date.now();
    delete waiting.meta;
    var asked = once("meta", "meta.js").then(function () {
      if (before && meta.v !== before) {
        chunks = {}; positionChunks = {}; blocks = {}; facets = {}; docs = {};
        waiting = { meta: asked };
      }
    }, function (err) {
      if (!before) {
        delete waiting.meta;  // (asked again by the next search: a lost connection passes)
        throw err;
      }
      // offline (a phone out of reach): what was loaded serves, asked again in a minute
      metaAsked = Date.now() - STALE_MS + 60 * 1000;
    });
    return (waiting.meta = asked);
  }
  window.__sbMeta = function (m) {
    meta = m; common = {}; fold = {};
    m.common.forEach(function (t) { common[t] = 1; });
    HAN = m.terms.han; UNI = m.terms.unigram;
    TOKEN = new RegExp("([" + HAN + "]+)|([a-z0-9]+)", "g");
    JOINT = m.terms.joint; JOINT_GAP = m.terms.gap; JOINT_WORD = m.terms.word;
    var a = Array.from(m.fold[0]), b = Array.from(m.fold[1]);
    for (var i = 0; i < a.length; i++) fold[a[i]] = b[i];
  };
  window.__sbChunk = function (id, post) { chunks[id] = post; };
  window.__sbPos = function (id, pos) { positionChunks[id] = pos; };
  window.__sbBlock = function (id, s) { blocks[id] = vlq(s); };
  window.__sbFacet = function (id, s) {   // the documents of one unit or category, as gaps
    var set = new Set(), doc = 0;
    vlq(s).forEach(function (gap, i) { doc = i ? doc + gap : gap; set.add(doc); });
    facets[id] = set;
  };
  window.__sbDoc = function (id, d) { docs[id] = { t: d[0], u: d[1], n: d[2], c: d[3], d: d[4], x: d[5], k: d[6], o: d[7] }; };
  // today in this browser, as the index writes dates (a notice is open to its last day)
  function today() {
    var now = new Date();
    return now.getFullYear() + "-" + ("0" + (now.getMonth() + 1)).slice(-2) + "-" + ("0" + now.getDate()).slice(-2);
  }

  /* Where the commas of numbers grouped by thousands are (386,500; not 2400.00,031 nor
     1,234,567,8): the index holds such a number without them too, so a query's is
     joined (386,500 finds 386500) and a text's left out where it is highlighted. */
  var GROUPED = /[0-9]{1,3}(?:,[0-9]{3})+/g;
  function groupCommas(s) {
    var out = [], m;
    GROUPED.lastIndex = 0;
    while ((m = GROUPED.exec(s))) {
      var end = m.index + m[0].length;
      if (/[a-z0-9.]/.test(s.charAt(m.index - 1)) || /^(?:[a-z0-9]|,[0-9])/.test(s.slice(end, end + 2))) {
        GROUPED.lastIndex = m.index + 1;
        continue;
      }
      for (var i = m.index; i < end; i++) if (s.charAt(i) === ",") out.push(i);
    }
    return out;
  }
  function ungroup(s) {
    var drop = groupCommas(s), out = "", at = 0;
    drop.forEach(function (i) { out += s.slice(at, i); at = i + 1; });
    return out + s.slice(at);
  }

  function foldText(s) {
    s = s.normalize("NFKC").toLowerCase();
    var out = "";
    for (var ch of s) out += fold[ch] || ch;
    return out;
  }

  var CRC = (function () {
    var t = [];
    for (var n = 0; n < 256; n++) {
      var c = n;
      for (var k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      t[n] = c >>> 0;
    }
    return t;
  })();
  function crc32(str) {
    var bytes = new TextEncoder().encode(str), c = 0xffffffff;
    for (var i = 0; i < bytes.length; i++) c = CRC[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  }
  function chunkOf(term) { return crc32(term.charAt(0) === UNI ? term.slice(1) : term) % meta.chunks; }

  var B64 = {};
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".split("").forEach(function (c, i) { B64[c] = i; });
  function vlq(s) {
    var out = [], n = 0, shift = 0;
    for (var i = 0; i < s.length; i++) {
      var d = B64[s.charAt(i)];
      n += (d & 31) * Math.pow(2, shift);
      if (d & 32) { shift += 5; } else { out.push(n); n = 0; shift = 0; }
    }
    return out;
  }

  /* A term's postings or positions: segments (one per span of documents) of 15-bit
     units, each character minus U+3000. A segment opens with VLQ numbers (14 bits a
     unit, low first, bit 14 set where more follow): its first doc delta (postings and
     longer n-grams), its number of documents, the Exp-Golomb order of each column (4
     bits each); then the codes of each column in turn, bit by bit, top bit first, to
     the end of a unit. */
  function Units(s) { this.s = s; this.i = 0; this.buf = 0; this.n = 0; }
  // (the buffer holds the next n bits, n <= 30, the first at bit n - 1; it may have read
  // a unit ahead, which a segment's padding, shorter than a unit, never fills)
  Units.prototype.more = function () { return this.n >= 15 || this.i < this.s.length; };
  Units.prototype.number = function () {  // at a segment's start
    var n = 0, mul = 1, d;
    if (this.n >= 15) this.i--;
    this.n = 0;
    do { d = this.s.charCodeAt(this.i++) - 0x3000; n += (d & 0x3fff) * mul; mul *= 16384; } while (d & 0x4000);
    return n;
  };
  Units.prototype.code = function (k) {  // Exp-Golomb of order k: zeros, then as many bits + 1 + k
    var buf = this.buf, n = this.n, zeros = 0, rest;
    for (;;) {
      if (n <= 15 && this.i < this.s.length) {
        buf = ((buf & ((1 << n) - 1)) << 15) | (this.s.charCodeAt(this.i++) - 0x3000);
        n += 15;
      }
      rest = buf & ((1 << n) - 1);
      if (rest) break;
      zeros += n; n = 0;
    }
    var z = Math.clz32(rest) - (32 - n);
    zeros += z; n -= z;
    var len = zeros + 1 + k, v;
    if (len <= n) {
      n -= len;
      v = (buf >>> n) & ((1 << len) - 1);
    } else {  // a long code: 15 bits at a time
      v = 0;
      while (len > 0) {
        if (!n) { buf = this.s.charCodeAt(this.i++) - 0x3000; n = 15; }
        var take = len < n ? len : n;
        n -= take; len -= take;
        v = v * (1 << take) + ((buf >>> n) & ((1 << take) - 1));
      }
    }
    this.buf = buf; this.n = n;
    return v - Math.pow(2, k);
  };
  function orders(r, columns) {
    var p = r.number(), out = [];
    for (var k = 0; k < columns; k++) out.push(Math.floor(p / Math.pow(16, k)) % 16);
    return out;
  }

  /* A query: words (split on spaces), each made of segments: a Han run or an ASCII word.
     A run is proven by its own postings when it is a common n-gram, else by positions
     of terms that cover it (see cover). Its bigrams score it. A segment next to the one
     before it, at most JOINT_GAP characters on, is tied to it by a joint when either is
     an ASCII word of at most JOINT_WORD characters (postings.Span.joints): the joint's
     positions say where both stand, so that 高政〔2022〕12号 (政_2022, 2022_12, 12_号)
     finds only the places where its segments stand so, one after the other. */
  function parse(q) {
    var words = [];
    ungroup(foldText(q)).split(/\s+/).forEach(function (w) {
      if (!w) return;
      var segs = [], m;
      TOKEN.lastIndex = 0;
      while ((m = TOKEN.exec(w))) {
        var run = m[0], seg;
        if (m[1] && run.length === 1) seg = { need: [UNI + run], score: [UNI + run], phrase: [] };
        else if (m[1]) {
          var bi = [];
          for (var i = 0; i + 1 < run.length; i++) bi.push(run.substr(i, 2));
          if (common[run]) seg = { need: bi.indexOf(run) < 0 ? bi.concat([run]) : bi, score: bi, phrase: [] };
          else seg = { need: bi, score: bi, phrase: cover(run) };
        } else seg = { need: [run], score: [run], phrase: [] };
        seg.text = run; seg.word = !m[1]; seg.at = m.index;
        var last = segs[segs.length - 1];
        if (last && (last.word || seg.word) && seg.at - last.at - last.text.length <= JOINT_GAP &&
            !(last.word && last.text.length > JOINT_WORD) && !(seg.word && run.length > JOINT_WORD))
          seg.joint = (last.word ? last.text : last.text.slice(-1)) + JOINT + (seg.word ? run : run.charAt(0));
        segs.push(seg);
      }
      if (segs.length) words.push({ text: w, segs: segs });
    });
    return words;
  }

  /* The fewest terms with positions whose places prove the run: from each character,
     the shortest n-gram that is not common (a common one's positions give way to its
     one-longer extensions); where the rest of the run is common, the shortest
     extension to the left. Returns [term, offset] pairs. */
  function cover(run) {
    var m = run.length, spans = [];
    for (var i = 0; i + 1 < m; i++) {
      var k = 2;
      while (i + k <= m && common[run.substr(i, k)]) k++;
      if (i + k <= m) { spans.push([i, i + k]); continue; }
      var j = i - 1;
      while (j > 0 && common[run.slice(j)]) j--;
      spans.push([j, m]);
    }
    var out = [], at = 0;
    while (at < m) {
      var best = null;
      spans.forEach(function (s) { if (s[0] <= at && (!best || s[1] > best[1])) best = s; });
      out.push([run.slice(best[0], best[1]), best[0]]);
      at = best[1];
    }
    return out;
  }

  // a term of the query as a key of a chunk's object: "constructor" is not Object's
  function own(obj, key) { return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined; }
  function postings(term) {
    var c = chunks[chunkOf(term)], s = c && own(c, term);
    var out = new Map();
    if (!s) return out;
    var r = new Units(s), doc = -1, j;
    while (r.more()) {
      var head = r.number(), n = r.number(), k = orders(r, 3), ds = [head * 2 + 1], codes = [];
      // columns: 2 x the doc delta + 1 when counts follow, but the first (else: once, in
      // the body); 2 x the body count + [in title] - 1 of those; title count - 1 of those
      for (j = 1; j < n; j++) ds.push(r.code(k[0]));
      for (j = 0; j < n; j++) codes.push(ds[j] % 2 ? r.code(k[1]) + 1 : 2);
      for (j = 0; j < n; j++) {
        doc += Math.floor(ds[j] / 2) + 1;
        out.set(doc, [codes[j] % 2 ? r.code(k[2]) + 1 : 0, Math.floor(codes[j] / 2)]);
      }
    }
    return out;
  }
  /* Positions of a phrase term, per document: the first and the gaps after it. A
     bigram's file holds only its positions, in the order of its postings' documents,
     as many per document as the postings count; a longer n-gram (extension of a
     common one) also has doc deltas and counts. Columns: [doc deltas, counts,] first
     positions, the gaps - 1 of each document's other positions. */
  function positions(term, docs) {
    var c = positionChunks[chunkOf(term)], s = c && own(c, term);
    var out = new Map();
    if (!s) return out;
    var r = new Units(s), doc = -1, held = term.length === 2 ? Array.from(docs) : null, at = 0, j;
    while (r.more()) {
      var ids = [], sizes = [], firsts = [], k;
      if (held) {
        var n = r.number();
        k = orders(r, 2);
        for (j = 0; j < n; j++, at++) { ids.push(held[at][0]); sizes.push(held[at][1][0] + held[at][1][1]); }
      } else {
        var head = r.number(), m = r.number();
        k = orders(r, 4);
        doc += head + 1;
        ids.push(doc);
        for (j = 1; j < m; j++) { doc += r.code(k[0]) + 1; ids.push(doc); }
        for (j = 0; j < m; j++) sizes.push(r.code(k[1]) + 1);
      }
      var kf = k[k.length - 2], kg = k[k.length - 1];
      for (j = 0; j < ids.length; j++) firsts.push(r.code(kf));
      for (j = 0; j < ids.length; j++) {
        var p = firsts[j], set = new Set([p]);
        for (var g = 1; g < sizes[j]; g++) { p += r.code(kg) + 1; set.add(p); }
        out.set(ids[j], set);
      }
    }
    return out;
  }

  /* Whether a query word is in a document: each chain of segments tied by joints (see
     parse), a segment alone as its terms and phrase prove it. A joint's position is 4 x
     where its right side starts + the gap before it: the first joint's places are
     tried in turn, each next joint must start where the segment before it ends, and a
     run's phrase must stand where the joints put it. */
  function wordOk(w, doc, post, pos) {
    for (var i = 0; i < w.segs.length; ) {
      var j = i + 1;
      while (j < w.segs.length && w.segs[j].joint) j++;
      if (!chainOk(w.segs.slice(i, j), doc, post, pos)) return false;
      i = j;
    }
    return true;
  }
  function chainOk(chain, doc, post, pos) {
    if (!chain.every(function (s) { return s.need.every(function (t) { return post[t].has(doc); }); })) return false;
    if (chain.length === 1) return phraseOk(chain[0].phrase, doc, pos);
    var links = [];  // per joint after the first: where its left side ends -> where its right side starts
    for (var k = 2; k < chain.length; k++) {
      var places = pos[chain[k].joint].get(doc), link = new Map();
      if (!places) return false;
      places.forEach(function (v) { link.set(Math.floor(v / 4) - v % 4, Math.floor(v / 4)); });
      links.push(link);
    }
    var firsts = pos[chain[1].joint].get(doc);
    if (!firsts) return false;
    for (var v of firsts) {
      var start = Math.floor(v / 4), ok = phraseAt(chain[0], doc, pos, start - v % 4 - chain[0].text.length);
      for (k = 1; k < chain.length && ok; k++) {
        ok = phraseAt(chain[k], doc, pos, start);
        if (ok && k + 1 < chain.length) {
          start = links[k - 1].get(start + chain[k].text.length);
          ok = start !== undefined;
        }
      }
      if (ok) return true;
    }
    return false;
  }
  // a run's phrase starting at `start` (a word, a lone character and a common run: the
  // joints have proven what can be)
  function phraseAt(seg, doc, pos, start) {
    return seg.phrase.every(function (p) {
      var set = pos[p[0]].get(doc);
      return !!set && set.has(start + p[1]);
    });
  }

  function phraseOk(phrase, doc, pos) {
    if (!phrase.length) return true;
    var first = pos[phrase[0][0]].get(doc);
    if (!first) return false;
    for (var p of first) {
      var start = p - phrase[0][1], ok = true;
      for (var k = 1; k < phrase.length && ok; k++) {
        var set = pos[phrase[k][0]].get(doc);
        ok = !!set && set.has(start + phrase[k][1]);
      }
      if (ok) return true;
    }
    return false;
  }

  function lengths(doc) {
    var b = blocks[Math.floor(doc / meta.block)], k = (doc % meta.block) * 2;
    return [b[k], b[k + 1]];
  }
  /* Filters: a unit's or category's documents from a file of their own, a year's a
     range of ids (ids follow the date). Unknown units or categories (index -1) match
     nothing. */
  function loadFilters(filters) {
    var loads = [];
    [["u", filters.unit], ["c", filters.category]].forEach(function (f) {
      if (f[1] !== null && f[1] >= 0) loads.push(once("f" + f[0] + f[1], "f/" + f[0] + f[1] + ".js"));
    });
    return Promise.all(loads);
  }
  function passes(doc, filters) {
    if (filters.unit !== null && !(filters.unit >= 0 && facets["u" + filters.unit].has(doc))) return false;
    if (filters.category !== null && !(filters.category >= 0 && facets["c" + filters.category].has(doc))) return false;
    return filters.year === null || (doc >= filters.year[0] && doc < filters.year[1]);
  }

  /* The postings and positions of the words' terms (their chunks loaded), and the
     terms that score them. */
  function termsOf(words) {
    var post = Object.create(null), pos = Object.create(null), scoreTerms = [];
    words.forEach(function (w) {
      w.segs.forEach(function (s) {
        s.need.forEach(function (t) { if (!post[t]) post[t] = postings(t); });
        s.score.forEach(function (t) { if (scoreTerms.indexOf(t) < 0) scoreTerms.push(t); });
        s.phrase.forEach(function (p) { if (!pos[p[0]]) pos[p[0]] = positions(p[0], post[p[0]]); });
        if (s.joint && !pos[s.joint]) pos[s.joint] = positions(s.joint, null);
      });
    });
    return { post: post, pos: pos, scoreTerms: scoreTerms };
  }

  /* Whether some document holds the text as written (its terms' chunks loaded). */
  function occurs(text) {
    var words = parse(text);
    return loadChunksFor(words).then(function () {
      var w = words[0], found = termsOf(words), docs = found.post[w.segs[0].need[0]];
      for (var doc of docs.keys()) if (wordOk(w, doc, found.post, found.pos)) return true;
      return false;
    });
  }

  /* A run of Han characters typed without spaces (东庄村低保) that no entry holds as
     written, cut where it is made of what entries do hold: the longest beginning of two
     characters or more some entry holds, then the same of the rest (东庄村, 低保), as
     [start, length] pairs; null when it cannot be so cut (a character alone proves
     nothing: 张明低保 is not 张, 明 and 低保 anywhere in a list of names). */
  function pieces(run) {
    var out = [];
    function from(at) {
      if (at >= run.length) return Promise.resolve(true);
      function tryLength(n) {
        if (n < 2) return Promise.resolve(false);
        if (n === run.length) return tryLength(n - 1);  // (the whole run: found nowhere)
        return occurs(run.substr(at, n)).then(function (yes) {
          if (!yes) return tryLength(n - 1);
          out.push([at, n]);
          return from(at + n);
        });
      }
      return tryLength(run.length - at);
    }
    return from(0).then(function (whole) { return whole && out.length > 1 ? out : null; });
  }

  /* The query with each word that is one Han run of 3 to CUT_MOST characters, found
     nowhere as written, cut into pieces (see pieces): { words, shown }, the pieces
     shown as typed (in the script typed, not folded); null when no word is cut. (A
     longer run is a sentence pasted, not words typed: cutting it would ask for up to
     half its length squared files, on a village's slow network.) */
  function resplit(words, typed) {
    return Promise.all(words.map(function (w, i) {
      var seg = w.segs[0], whole = { texts: [w.text], shown: [] };
      if (w.segs.length > 1 || seg.word || seg.text.length < 3 || seg.text.length > CUT_MOST) return whole;
      return occurs(seg.text).then(function (yes) {
        return yes ? null : pieces(seg.text);
      }).then(function (p) {
        if (!p) return whole;
        var as = typed[i] && typed[i].length === w.text.length ? typed[i] : w.text;
        return { texts: p.map(function (x) { return w.text.substr(x[0], x[1]); }),
                 shown: p.map(function (x) { return as.substr(x[0], x[1]); }) };
      });
    })).then(function (cuts) {  // (in the order of the words, whichever was cut first)
      var shown = [].concat.apply([], cuts.map(function (c) { return c.shown; }));
      return shown.length ? { words: parse([].concat.apply([], cuts.map(function (c) { return c.texts; })).join(" ")),
                              shown: shown } : null;
    });
  }

  /* The query with each amount typed with one decimal, as a calculator shows it
     (12019.5), given its second as the ledgers and lists show amounts (12,019.50):
     { words, amounts }, or null when it has none. An amount of three digits or more
     before the point, not a year (2026.1 is January, not 2026.10); asked only when no
     entry holds the query as typed, so 3.5 and 150.5 still find 3.5亩 and 150.5米 (its
     partial matches are the amount's parts: 12019 of 12,019.50).
     (The words are folded: lowercase, commas of thousands taken out.) */
  var ONE_DECIMAL = /(^|[^a-z0-9.])((?!(?:19|20)[0-9]{2}\.)[0-9]{3,}\.[0-9])(?![a-z0-9.])/g;
  function withCents(words) {
    var text = words.map(function (w) { return w.text; }).join(" "), amounts = [];
    var padded = text.replace(ONE_DECIMAL, function (m, before, amount) {
      amounts.push(amount + "0");
      return before + amount + "0";
    });
    return amounts.length ? { words: parse(padded), amounts: amounts } : null;
  }

  function find(words, filters) {
    return loadChunksFor(words).then(function () { return search(words, filters); });
  }

  function search(words, filters) {
    var found = termsOf(words), post = found.post, pos = found.pos, scoreTerms = found.scoreTerms;
    var idf = Object.create(null);
    // Every document with at least one query term is a candidate; count terms present.
    var present = new Map();
    scoreTerms.forEach(function (t) {
      post[t].forEach(function (_, doc) { present.set(doc, (present.get(doc) || 0) + 1); });
    });
    return loadFilters(filters).then(function () {
      present.forEach(function (_, doc) { if (!passes(doc, filters)) present.delete(doc); });
      return loadBlocks(present);
    }).then(function () {
      var hits = [], partial = [], n = meta.n;
      var qf = [0, 0];
      scoreTerms.forEach(function (t) {
        var dft = 0, dfb = 0;
        post[t].forEach(function (tf) { if (tf[0]) dft++; if (tf[1]) dfb++; });
        // lunr's query vector holds every query term the index knows, in each field
        // (its magnitude does not depend on the field the term was found in)
        if (dft || dfb) { qf[0]++; qf[1]++; }
        var df = dft + dfb;
        idf[t] = Math.log(1 + Math.abs((n - df + 0.5) / (df + 0.5)));
      });
      var boosts = [meta.boost, 1];
      present.forEach(function (matched, doc) {
        var row = lengths(doc);
        var score = 0;
        for (var f = 0; f < 2; f++) {
          if (!qf[f]) continue;
          var sum = 0, len = row[f], avg = meta.avg[f] || 1;
          scoreTerms.forEach(function (t) {
            var tf = post[t].get(doc);
            if (!tf || !tf[f]) return;
            var w = idf[t] * ((meta.k1 + 1) * tf[f]) / (meta.k1 * (1 - meta.b + meta.b * (len / avg)) + tf[f]);
            sum += Math.round(w * boosts[f] * 1000) / 1000;
          });
          score += sum / Math.sqrt(qf[f]);
        }
        var hit = words.every(function (w) { return wordOk(w, doc, post, pos); });
        if (hit) hits.push([score, doc, matched]);
        else if (matched * 2 >= scoreTerms.length) partial.push([score, doc, matched]);
      });
      var order = function (a, b) { return b[0] - a[0] || b[1] - a[1]; };  // (equal: the newer first)
      hits.sort(order);
      // below hits, only what lacks one term of three or more (581.90 found: not every
      // entry with a 90 in it)
      if (hits.length) partial = partial.filter(function (p) {
        return scoreTerms.length >= 3 && p[2] >= scoreTerms.length - 1;
      });
      partial.sort(order);
      return { hits: hits, partial: partial.slice(0, PER_PAGE) };
    });
  }

  function loadBlocks(present) {
    var need = {};
    present.forEach(function (_, doc) { need[Math.floor(doc / meta.block)] = 1; });
    return Promise.all(Object.keys(need).map(function (b) { return once("b" + b, "b/" + b + ".js"); }));
  }

  function loadChunksFor(words) {
    var need = {}, needPos = {};
    words.forEach(function (w) {
      w.segs.forEach(function (s) {
        s.need.forEach(function (t) { need[chunkOf(t)] = 1; });
        s.phrase.forEach(function (p) { needPos[chunkOf(p[0])] = 1; });
        if (s.joint) needPos[chunkOf(s.joint)] = 1;
      });
    });
    return Promise.all(Object.keys(need).map(function (c) { return once("c" + c, "c/" + c + ".js"); })
      .concat(Object.keys(needPos).map(function (c) { return once("p" + c, "p/" + c + ".js"); })));
  }

  function esc(s) {
    return s.replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; });
  }

  // "{count}", and "{count:one|other}": the word for one result or for more (see i18n.py)
  function count(s, n) {
    return s.replace(/\{count(?::([^|}]*)\|([^}]*))?\}/g, function (m, one, other) {
      return m === "{count}" ? String(n) : n === 1 ? one : other;
    });
  }

  /* A query word as a pattern that finds it with other punctuation or spaces where its
     segments are tied by joints, as the index does (see parse); its other parts as
     typed. (No lookbehind: older phones' browsers reject it.) */
  function tiedPattern(w) {
    var esc = function (x) { return x.replace(/[.*+?^${}()|[\]\\\/-]/g, "\\$&"); }, out = "";
    w.segs.forEach(function (s, i) {
      if (i) {
        var last = w.segs[i - 1], typed = w.text.slice(last.at + last.text.length, s.at);
        out += !s.joint ? esc(typed) : last.word && s.word ? "[^a-z0-9\\s" + HAN + "]{1," + JOINT_GAP + "}" :
          "[^a-z0-9\\n" + HAN + "]{0," + JOINT_GAP + "}";
      }
      out += esc(s.text);
    });
    return out;
  }

  var NUMBER = /[0-9０-９.,．]/;  // a character of a number, which a snippet's window never cuts

  /* Highlight the query words in `text`, folding it char by char to find them. */
  function highlight(text, words, window_) {
    var folded = "", map = [], ends = [];  // where each folded unit's character starts and ends
    var chars = Array.from(text);
    var offset = 0;
    chars.forEach(function (ch) {
      var f = foldText(ch);
      for (var k = 0; k < f.length; k++) { map.push(offset); ends.push(offset + ch.length); }
      folded += f;
      offset += ch.length;
    });
    groupCommas(folded).reverse().forEach(function (i) {  // 386500 is marked in 386,500
      folded = folded.slice(0, i) + folded.slice(i + 1);
      map.splice(i, 1);
      ends.splice(i, 1);
    });
    var ranges = [];
    words.forEach(function (w) {
      var at = folded.indexOf(w.text), before = ranges.length;
      while (at >= 0) {
        ranges.push([map[at], ends[at + w.text.length - 1]]);  // (not the comma after 386 in 386,500)
        at = folded.indexOf(w.text, at + w.text.length);
      }
      if (ranges.length > before || !w.segs.some(function (s) { return s.joint; })) return;
      var tied = new RegExp(tiedPattern(w), "g"), m;  // found with other punctuation: 高政[2022]12号
      while ((m = tied.exec(folded))) {
        var end = m.index + m[0].length, segs = w.segs;  // (a word: not part of a longer one)
        if (!(segs[0].word && /[a-z0-9]/.test(folded.charAt(m.index - 1))) &&
            !(segs[segs.length - 1].word && /[a-z0-9]/.test(folded.charAt(end)))) ranges.push([map[m.index], ends[end - 1]]);
        tied.lastIndex = m.index + 1;
      }
    });
    ranges.sort(function (a, b) { return a[0] - b[0]; });
    var start = 0, end = text.length;
    if (window_) {
      var center = ranges.length ? ranges[0][0] : 0;
      start = Math.max(0, Math.floor(center - window_ / 3));
      end = Math.min(text.length, start + window_);
      // nor a number: …4674… of 467450.14 would be read as an amount
      while (start > 0 && NUMBER.test(text.charAt(start)) && NUMBER.test(text.charAt(start - 1))) start--;
      while (end < text.length && NUMBER.test(text.charAt(end)) && NUMBER.test(text.charAt(end - 1))) end++;
    }
    var out = start > 0 ? "…" : "", i = start;
    ranges.forEach(function (r) {
      if (r[0] < i || r[0] >= end) return;
      if (r[1] > end) end = Math.min(text.length, r[1]);  // a word is never cut by the window
      out += esc(text.slice(i, r[0])) + "<mark>" + esc(text.slice(r[0], r[1])) + "</mark>";
      i = r[1];
    });
    out += esc(text.slice(i, end)) + (end < text.length ? "…" : "");
    return out;
  }

  var form = document.getElementById("search-form");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  var more = document.getElementById("search-more");
  var current = null;

  function render(result, words, shown) {
    var all = (result.split ? result.split.hits : result.hits).map(function (h) { return [h[1], false]; })
      .concat(result.partial.map(function (h) { return [h[1], true]; }));
    var page = all.slice(0, shown);
    return Promise.all(page.map(function (r) { return once("d" + r[0], "d/" + r[0] + ".js", docBase); })).then(function () {
      var day = today();
      list.innerHTML = page.map(function (r) {
        var d = docs[r[0]];
        return '<li' + (r[1] ? ' class="partial"' : "") + '><a href="' + esc(siteRoot + d.u) + '">' +
          highlight(d.t, words, 0) + "</a>" +
          '<span class="meta"><span>' + esc(d.n) + "</span><span>" + esc(d.c) + "</span><span>" + esc(d.d) + "</span>" +
          (d.o && d.o >= day ? '<strong class="tag tag-notice">' + esc(S.notice_open) + "</strong>" : "") +
          (d.k & 2 ? '<strong class="tag tag-withdrawn">' + esc(S.withdrawn) + "</strong>" : "") +
          (d.k & 1 ? '<strong class="tag tag-corrected">' + esc(S.corrected) + "</strong>" : "") +
          (r[1] ? '<strong class="tag">' + esc(S.partial) + "</strong>" : "") + "</span>" +
          '<p class="snippet">' + highlight(d.x, words, 160) + "</p></li>";
      }).join("");
      var n = result.hits.length;
      status.innerHTML = result.split ? esc(count(S.split, result.split.hits.length).replace(
        "{words}", result.split.words.join(S.split_sep))) :
        result.cents ? esc(count(S.cents, n).replace("{amounts}", result.cents.join(S.split_sep))) :
        n ? esc(count(S.found, n)) : result.partial.length ? esc(S.only_partial) :
        esc(S.none) + ' <a href="' + esc(siteRoot + "index.html") + '">' + esc(S.browse) + "</a>";
      more.hidden = all.length <= shown;
      list.setAttribute("data-hits", String(n));
      list.setAttribute("data-partial", String(result.partial.length));
      list.setAttribute("data-split", String(result.split ? result.split.hits.length : 0));
    });
  }

  function filterIndex(kind, value) {
    if (!value) return null;
    if (kind === "year") {   // its range of ids, found once per query ([0, 0]: none)
      var year = parseInt(value, 10), range = meta.years.filter(function (y) { return y[0] === year; })[0];
      return range ? [range[1], range[2]] : [0, 0];
    }
    var arr = kind === "unit" ? meta.units : meta.categories;
    for (var i = 0; i < arr.length; i++) if (arr[i][0] === value) return i;
    return -1;
  }

  // the link to this page in the other script keeps the query (tester: a resident who
  // switched had to type it again, perhaps with another input method)
  var switcher = document.querySelector("a.script-switch"), switchTo = switcher && switcher.getAttribute("href");

  function run(params) {
    if (switcher) switcher.setAttribute("href", switchTo + (params.toString() ? "?" + params.toString() : ""));
    var q = (params.get("q") || "").trim();
    form.q.value = q;
    var header = document.getElementById("site-search");  // (the box in the header says it too)
    if (header) header.value = q;
    ["unit", "category", "year"].forEach(function (k) { if (form[k]) form[k].value = params.get(k) || ""; });
    if (!q) { status.textContent = ""; list.innerHTML = ""; more.hidden = true; return Promise.resolve(); }
    var started = performance.now();
    status.textContent = S.searching;
    return currentMeta().then(function () {
      var words = parse(q);
      var filters = { unit: filterIndex("unit", params.get("unit")), category: filterIndex("category", params.get("category")),
        year: filterIndex("year", params.get("year")) };
      var cents = withCents(words);
      return find(words, filters).then(function (result) {
        if (result.hits.length || !cents) return [result, words];
        return find(cents.words, filters).then(function (again) {
          if (!again.hits.length) return [result, words];
          again.cents = cents.amounts;  // (told: not what was typed)
          return [again, cents.words];
        });
      }).then(function (found) {
        var result = found[0];
        if (result.hits.length) return found;
        // typed without spaces, as people type: 东庄村低保 finds what holds 东庄村 and 低保
        return resplit(words, q.split(/\s+/)).then(function (split) {
          if (!split) return [result, words];
          return find(split.words, filters)
            .then(function (again) {
              if (!again.hits.length) return [result, words];
              // (listed as what they are: not hits of the query as typed, nor partial)
              return [{ hits: [], partial: [], split: { words: split.shown, hits: again.hits } }, split.words];
            });
        });
      }).then(function (found) {
        current = { result: found[0], words: found[1], shown: PER_PAGE };
        return render(found[0], found[1], PER_PAGE);
      });
    }).then(function () {
      // on a phone the form fills the first screen: the results are brought into it
      var top = status.getBoundingClientRect().top;
      if (top > window.innerHeight * 0.6) window.scrollBy(0, top - 8);
      root.setAttribute("data-ms", String(Math.round(performance.now() - started)));
      root.setAttribute("data-ready", q);
    }).catch(function () { status.textContent = S.failed; });
  }

  more.addEventListener("click", function () {
    if (!current) return;
    current.shown += PER_PAGE;
    render(current.result, current.words, current.shown);
  });
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var params = new URLSearchParams();
    ["q", "unit", "category", "year"].forEach(function (k) { if (form[k] && form[k].value) params.set(k, form[k].value); });
    history.pushState(null, "", "?" + params.toString());
    run(params);
  });
  window.addEventListener("popstate", function () { run(new URLSearchParams(location.search)); });
  root.hidden = false;
  document.getElementById("search-noscript").hidden = true;
  window.sbSearch = function (q) { var p = new URLSearchParams(); p.set("q", q); return run(p); };
  run(new URLSearchParams(location.search));
})();
