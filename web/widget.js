/*!
 * Back-pain triage chat widget (vanilla JS, no framework).
 *
 * Install on any page with one tag:
 *   <script src="https://bot.example/web/widget.js"
 *           data-server="https://bot.example"      (default: origin of this script)
 *           data-title="Back pain check"
 *           defer></script>
 *
 * Optional data-* attributes:
 *   data-socket-path   socket.io path on the server (default "/socket.io")
 *   data-subtitle      line under the title
 *   data-welcome       local greeting shown when a conversation starts (not sent)
 *   data-init-payload  message sent (not shown) when a new conversation starts, e.g. "hi" (the
 *                      server reads a "/..." message as words unless the bot just offered it)
 *   data-disclaimer    small print under the input
 *   data-launcher-label  text of the floating button (default "Chat about back pain")
 *   data-open="true"   open the panel on load
 *   data-css="none"    do not load widget.css (host page styles the widget)
 *
 * Security: message content is only ever inserted with textContent / text
 * nodes; links are built with createElement and only http(s) URLs are linked.
 * History lives in sessionStorage (this tab only, gone when it closes).
 */
(function () {
  'use strict';

  var script = document.currentScript;
  if (!script || window.__backPainWidget) { return; }
  window.__backPainWidget = true;

  var ds = script.dataset || {};
  var scriptUrl = new URL(script.getAttribute('src') || '', window.location.href);

  var cfg = {
    server: (ds.server || scriptUrl.origin).replace(/\/+$/, ''),
    path: ds.socketPath || '/socket.io',
    title: ds.title || 'Back pain check',
    subtitle: ds.subtitle || 'Automated assistant',
    welcome: ds.welcome || '',
    initPayload: ds.initPayload || '',
    disclaimer: ds.disclaimer === undefined
      ? 'This chat does not replace a doctor. If you are seriously unwell, call your local emergency number.'
      : ds.disclaimer,
    launcherLabel: ds.launcherLabel || 'Chat about back pain',
    open: ds.open === 'true',
    loadCss: ds.css !== 'none'
  };

  var STORE_KEY = 'bpw:v1:' + cfg.server;
  var MAX_HISTORY = 300;
  var MAX_INPUT = 1000;
  var TYPING_TIMEOUT_MS = 20000;

  var LEVEL_ICONS = { emergency: 'alert', urgent: 'exclaim', soon: 'clock', routine: 'check' };

  // The widget's own words. The server sends its own when a session starts (the "widget_labels"
  // event, from channels/socketio_web/widget_labels.yml); these English copies are for servers
  // that send none.
  var DEFAULT_LABELS = {
    levels: { emergency: 'Emergency', urgent: 'Urgent', soon: 'See a clinician soon', routine: 'Routine' },
    unknown_level: 'Result',
    outcome_prefix: 'Outcome: ',
    reference_prefix: 'Reference: ',
    call: 'Call {number}',
    summary: {
      heading: 'Summary for your doctor',
      file_title: 'Back pain summary',
      save: 'Save summary (.txt)',
      save_fhir: 'Save for your clinic (FHIR)',
      fields: {
        age: 'Age', duration: 'Pain for', location: 'Where', level: 'Triage', rules: 'Rules',
        policy_version: 'Policy version', created_at: 'Created'
      },
      lists: {
        positives: 'Signs reported', negatives: 'Said no to', unknown: 'Not sure or not known',
        not_asked: 'Not asked (not needed for this advice)'
      }
    }
  };
  var SUMMARY_FIELDS = ['age', 'duration', 'location', 'level', 'rules', 'policy_version', 'created_at'];
  var SUMMARY_LISTS = ['positives', 'negatives', 'unknown', 'not_asked'];

  // Only texts, and only where the defaults have one: whatever else a server sends is ignored.
  function mergeLabels(base, given) {
    var out = {};
    Object.keys(base).forEach(function (k) {
      var g = given && typeof given === 'object' ? given[k] : undefined;
      if (typeof base[k] === 'string') {
        out[k] = typeof g === 'string' && g.trim() ? g : base[k];
      } else {
        out[k] = mergeLabels(base[k], g);
      }
    });
    return out;
  }

  // ------------------------------------------------------------------ state
  var state = load() || { token: null, messages: [], buttons: [], open: cfg.open };
  var L = mergeLabels(DEFAULT_LABELS, state.labels);
  var socket = null;
  var ready = false;          // session confirmed on the current connection
  var outbox = [];            // messages waiting for a confirmed session
  var typingTimer = null;
  var uid = 0;

  function load() {
    try {
      var raw = window.sessionStorage.getItem(STORE_KEY);
      if (!raw) { return null; }
      var s = JSON.parse(raw);
      if (!s || !Array.isArray(s.messages)) { return null; }
      s.buttons = Array.isArray(s.buttons) ? s.buttons : [];
      return s;
    } catch (e) { return null; }
  }

  function save() {
    try {
      if (state.messages.length > MAX_HISTORY) {
        state.messages = state.messages.slice(-MAX_HISTORY);
      }
      window.sessionStorage.setItem(STORE_KEY, JSON.stringify(state));
    } catch (e) { /* storage full or blocked: keep going in memory */ }
  }

  // ------------------------------------------------------------------ DOM helpers
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) { return; }
        if (k === 'text') { node.textContent = String(v); } else if (k === 'className') { node.className = v; } else { node.setAttribute(k, v === true ? '' : String(v)); }
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) { return; }
      node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return node;
  }

  function nextId(prefix) { uid += 1; return 'bpw-' + prefix + '-' + uid; }

  var ICONS = {
    alert: 'M12 2 1 21h22L12 2zm0 5.5 7.5 12.5h-15L12 7.5zM11 10v5h2v-5h-2zm0 6v2h2v-2h-2z',
    exclaim: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 2a8 8 0 1 1 0 16 8 8 0 0 1 0-16zm-1 3v7h2V7h-2zm0 8v2h2v-2h-2z',
    clock: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 2a8 8 0 1 1 0 16 8 8 0 0 1 0-16zm-1 3v6l5 3 1-1.7-4-2.4V7h-2z',
    check: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm-1.5 14.5-4-4 1.4-1.4 2.6 2.6 5.6-5.6 1.4 1.4-7 7z',
    info: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm-1 5h2v2h-2V7zm0 4h2v6h-2v-6z',
    chat: 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-5 4V5a2 2 0 0 1 1-2z'
  };

  function icon(name) {
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    svg.setAttribute('class', 'bpw-icon');
    var p = document.createElementNS(ns, 'path');
    p.setAttribute('d', ICONS[name] || ICONS.info);
    p.setAttribute('fill', 'currentColor');
    svg.appendChild(p);
    return svg;
  }

  var URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"'`]+/gi;

  // Text -> fragment of text nodes and <a> for http(s) URLs. Never parses HTML.
  function linkify(text) {
    var frag = document.createDocumentFragment();
    var s = String(text == null ? '' : text);
    var last = 0;
    var m;
    URL_RE.lastIndex = 0;
    while ((m = URL_RE.exec(s)) !== null) {
      var raw = m[0];
      // leave trailing punctuation outside the link
      var trail = raw.match(/[.,;:!?)\]}'"]+$/);
      if (trail) { raw = raw.slice(0, raw.length - trail[0].length); }
      if (!raw) { continue; }
      var href = null;
      try {
        var u = new URL(/^www\./i.test(raw) ? 'https://' + raw : raw);
        if (u.protocol === 'http:' || u.protocol === 'https:') { href = u.href; }
      } catch (e) { href = null; }
      if (!href) { continue; }
      if (m.index > last) { frag.appendChild(document.createTextNode(s.slice(last, m.index))); }
      var a = el('a', { href: href, target: '_blank', rel: 'noopener noreferrer nofollow', className: 'bpw-link' }, [raw]);
      a.appendChild(el('span', { className: 'bpw-vh', text: ' (opens in a new tab)' }));
      frag.appendChild(a);
      last = m.index + raw.length;
      URL_RE.lastIndex = last;
    }
    if (last < s.length) { frag.appendChild(document.createTextNode(s.slice(last))); }
    return frag;
  }

  // ------------------------------------------------------------------ build UI
  var root = el('div', { className: 'bpw-root', 'data-bpw': 'root' });
  var panelId = nextId('panel');
  var titleId = nextId('title');
  var inputId = nextId('input');

  var launcher = el('button', {
    type: 'button', className: 'bpw-launcher', 'aria-expanded': 'false', 'aria-controls': panelId
  }, [icon('chat'), el('span', { className: 'bpw-launcher-text', text: cfg.launcherLabel })]);

  var statusEl = el('p', { className: 'bpw-status', role: 'status', text: 'Connecting…' });
  var newBtn = el('button', { type: 'button', className: 'bpw-hbtn', text: 'New chat', title: 'Start a new conversation' });
  var closeBtn = el('button', { type: 'button', className: 'bpw-hbtn bpw-close', 'aria-label': 'Close chat' }, ['×']);

  var header = el('div', { className: 'bpw-header' }, [
    el('div', { className: 'bpw-titles' }, [
      el('h2', { className: 'bpw-title', id: titleId, text: cfg.title }),
      el('p', { className: 'bpw-subtitle', text: cfg.subtitle }),
      statusEl
    ]),
    el('div', { className: 'bpw-hactions' }, [newBtn, closeBtn])
  ]);

  var log = el('div', {
    className: 'bpw-log', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions',
    'aria-label': 'Conversation', tabindex: '0'
  });

  var typing = el('div', { className: 'bpw-typing', hidden: true }, [
    el('span', { className: 'bpw-dot', 'aria-hidden': 'true' }),
    el('span', { className: 'bpw-dot', 'aria-hidden': 'true' }),
    el('span', { className: 'bpw-dot', 'aria-hidden': 'true' }),
    el('span', { className: 'bpw-vh', text: 'The assistant is typing' })
  ]);

  var replies = el('div', { className: 'bpw-replies', role: 'group', 'aria-label': 'Suggested answers', hidden: true });

  var input = el('input', {
    id: inputId, type: 'text', className: 'bpw-input', autocomplete: 'off',
    maxlength: String(MAX_INPUT), placeholder: 'Type your message', 'aria-describedby': null
  });
  var sendBtn = el('button', { type: 'submit', className: 'bpw-send', text: 'Send' });
  var form = el('form', { className: 'bpw-form', novalidate: true }, [
    el('label', { 'for': inputId, className: 'bpw-vh', text: 'Your message' }),
    input,
    sendBtn
  ]);

  var footer = cfg.disclaimer ? el('p', { className: 'bpw-disclaimer', text: cfg.disclaimer }) : null;

  var panel = el('div', {
    id: panelId, className: 'bpw-panel', role: 'dialog', 'aria-modal': 'false',
    'aria-labelledby': titleId, hidden: true
  }, [header, log, typing, replies, form, footer]);

  root.appendChild(panel);
  root.appendChild(launcher);

  // ------------------------------------------------------------------ rendering
  function speaker(from) {
    return from === 'user' ? 'You said: ' : (from === 'bot' ? 'Assistant said: ' : '');
  }

  function renderTriage(triage, text) {
    var level = String(triage.level || '').toLowerCase();
    var known = Object.prototype.hasOwnProperty.call(LEVEL_ICONS, level);
    var label = known ? L.levels[level] : L.unknown_level;
    var headingId = nextId('card');
    var card = el('section', {
      className: 'bpw-card bpw-card--' + (known ? level : 'unknown'),
      'data-level': level || 'unknown',
      'aria-labelledby': headingId,
      role: level === 'emergency' ? 'alert' : null
    });
    var head = el('div', { className: 'bpw-card-head' }, [
      icon(known ? LEVEL_ICONS[level] : 'info'),
      el('h3', { id: headingId, className: 'bpw-card-title' }, [
        el('span', { className: 'bpw-vh', text: L.outcome_prefix }), label
      ])
    ]);
    card.appendChild(head);
    if (text) { card.appendChild(el('p', { className: 'bpw-card-text' }, [linkify(text)])); }
    var call = String(triage.call || '').replace(/[^0-9+]/g, '');
    if (level === 'emergency' && call) {
      // the number to call, one tap away (a phone dials it; a desktop offers its calling app)
      card.appendChild(el('a', { href: 'tel:' + call, className: 'bpw-call', text: L.call.split('{number}').join(call) }));
    }
    if (Array.isArray(triage.rules) && triage.rules.length) {
      card.appendChild(el('p', { className: 'bpw-card-rules', text: L.reference_prefix + triage.rules.map(String).join(', ') }));
    }
    return card;
  }

  var DATE_FIELDS = { created_at: true };

  function fmt(v, key) {
    if (v === null || v === undefined || v === '') { return '—'; }
    if (key && DATE_FIELDS[key] && !isNaN(Date.parse(v))) {
      // in the patient's own locale and time zone, never a raw timestamp
      return new Date(v).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
    }
    if (Array.isArray(v)) { return v.length ? v.map(String).join(', ') : '—'; }
    if (typeof v === 'object') { return JSON.stringify(v); }
    return String(v);
  }

  function summaryText(summary, text) {
    var lines = [L.summary.file_title, ''];
    SUMMARY_FIELDS.forEach(function (k) { lines.push(L.summary.fields[k] + ': ' + fmt(summary[k], k)); });
    SUMMARY_LISTS.forEach(function (k) {
      var items = Array.isArray(summary[k]) ? summary[k] : [];
      lines.push('');
      lines.push(L.summary.lists[k] + ':');
      if (!items.length) { lines.push('  —'); }
      items.forEach(function (i) { lines.push('  - ' + String(i)); });
    });
    var body = summary.text || text;
    if (body) { lines.push(''); lines.push(String(body)); }
    lines.push('');
    return lines.join('\r\n');
  }

  function download(content, type, name, extension) {
    var blob = new Blob([content], { type: type });
    var url = URL.createObjectURL(blob);
    var stamp = new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '');
    var a = el('a', { href: url, download: name + '-' + stamp + extension, className: 'bpw-vh' });
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(url); a.remove(); }, 1000);
  }

  function saveSummary(summary, text) {
    download(summaryText(summary, text), 'text/plain;charset=utf-8', 'back-pain-summary', '.txt');
  }

  function saveFhir(fhir) {
    download(JSON.stringify(fhir, null, 2), 'application/fhir+json;charset=utf-8', 'back-pain-intake', '.fhir.json');
  }

  function renderSummary(summary, text, fhir) {
    var headingId = nextId('sum');
    var card = el('section', { className: 'bpw-summary', 'aria-labelledby': headingId, 'data-summary': 'true' });
    card.appendChild(el('h3', { id: headingId, className: 'bpw-card-title', text: L.summary.heading }));
    if (text && text !== summary.text) { card.appendChild(el('p', { className: 'bpw-card-text' }, [linkify(text)])); }
    var dl = el('dl', { className: 'bpw-dl' });
    SUMMARY_FIELDS.forEach(function (k) {
      if (summary[k] === undefined) { return; }
      dl.appendChild(el('dt', { text: L.summary.fields[k] }));
      dl.appendChild(el('dd', { text: fmt(summary[k], k) }));
    });
    card.appendChild(dl);
    SUMMARY_LISTS.forEach(function (k) {
      var items = Array.isArray(summary[k]) ? summary[k] : [];
      if (!items.length) { return; }
      card.appendChild(el('h4', { className: 'bpw-sum-h', text: L.summary.lists[k] }));
      card.appendChild(el('ul', { className: 'bpw-sum-list' }, items.map(function (i) { return el('li', { text: String(i) }); })));
    });
    if (summary.text) { card.appendChild(el('p', { className: 'bpw-card-text' }, [linkify(summary.text)])); }
    var btn = el('button', { type: 'button', className: 'bpw-save', text: L.summary.save });
    btn.addEventListener('click', function () { saveSummary(summary, text); });
    card.appendChild(btn);
    if (fhir && typeof fhir === 'object' && fhir.resourceType === 'QuestionnaireResponse') {
      // The same answers as a FHIR R4 QuestionnaireResponse, for a clinic's record system.
      var fbtn = el('button', { type: 'button', className: 'bpw-save', text: L.summary.save_fhir });
      fbtn.addEventListener('click', function () { saveFhir(fhir); });
      card.appendChild(fbtn);
    }
    return card;
  }

  function renderMessage(msg) {
    var wrap = el('div', { className: 'bpw-row bpw-row--' + msg.from });
    var custom = msg.custom || {};
    if (custom.triage && typeof custom.triage === 'object') {
      wrap.appendChild(renderTriage(custom.triage, msg.text));
    } else if (custom.summary && typeof custom.summary === 'object') {
      wrap.appendChild(renderSummary(custom.summary, msg.text, custom.fhir));
    } else {
      var bubble = el('div', { className: 'bpw-msg bpw-msg--' + msg.from, 'data-from': msg.from });
      var who = speaker(msg.from);
      if (who) { bubble.appendChild(el('span', { className: 'bpw-vh', text: who })); }
      bubble.appendChild(linkify(msg.text));
      wrap.appendChild(bubble);
    }
    return wrap;
  }

  function scrollToEnd() { log.scrollTop = log.scrollHeight; }

  function addMessage(msg) {
    state.messages.push(msg);
    save();
    log.appendChild(renderMessage(msg));
    scrollToEnd();
  }

  function addSystem(text) { addMessage({ from: 'system', text: text, t: Date.now() }); }

  function renderButtons() {
    while (replies.firstChild) { replies.removeChild(replies.firstChild); }
    var list = state.buttons || [];
    replies.hidden = list.length === 0;
    list.forEach(function (b) {
      var btn = el('button', { type: 'button', className: 'bpw-reply', text: b.title });
      btn.addEventListener('click', function () {
        var hadFocus = document.activeElement === btn;
        sendMessage(b.payload, b.title);
        if (hadFocus || replies.contains(document.activeElement) || document.activeElement === document.body) { input.focus(); }
      });
      replies.appendChild(btn);
    });
    if (list.length) { scrollToEnd(); }
  }

  function setButtons(list) { state.buttons = list; save(); renderButtons(); }

  function showTyping(on) {
    clearTimeout(typingTimer);
    typing.hidden = !on;
    if (on) {
      scrollToEnd();
      typingTimer = setTimeout(function () { typing.hidden = true; }, TYPING_TIMEOUT_MS);
    }
  }

  function setStatus(text, kind) {
    if (statusEl.textContent !== text) { statusEl.textContent = text; }
    statusEl.className = 'bpw-status' + (kind ? ' bpw-status--' + kind : '');
  }

  function renderAll() {
    while (log.firstChild) { log.removeChild(log.firstChild); }
    state.messages.forEach(function (m) { log.appendChild(renderMessage(m)); });
    renderButtons();
    scrollToEnd();
  }

  // ------------------------------------------------------------------ messaging
  function normaliseButtons(list) {
    if (!Array.isArray(list)) { return []; }
    return list.filter(function (b) { return b && typeof b === 'object' && (b.payload || b.title); })
      .map(function (b) {
        var title = String(b.title != null ? b.title : b.payload);
        return { title: title, payload: String(b.payload != null ? b.payload : title) };
      });
  }

  function flush() {
    if (!socket || !ready) { return; }
    while (outbox.length) {
      var m = outbox.shift();
      socket.emit('user_uttered', { message: m, session_id: state.token });
    }
  }

  function sendMessage(payload, display) {
    payload = String(payload || '').slice(0, MAX_INPUT);
    if (!payload.trim()) { return; }
    if (display !== null) { addMessage({ from: 'user', text: display === undefined ? payload : display, t: Date.now() }); }
    setButtons([]);
    outbox.push(payload);
    showTyping(true);
    flush();
  }

  function onBotMessage(data) {
    if (!data || typeof data !== 'object') { return; }
    var custom = (data.custom && typeof data.custom === 'object') ? data.custom : null;
    if (!custom && (data.triage || data.summary)) { custom = data; }
    var picked = null;
    if (custom && (custom.triage || custom.summary)) {
      picked = {};
      if (custom.triage) { picked.triage = custom.triage; }
      if (custom.summary) { picked.summary = custom.summary; }
      if (custom.fhir) { picked.fhir = custom.fhir; }
    }
    var text = typeof data.text === 'string' ? data.text : '';
    var buttons = normaliseButtons(data.quick_replies || data.buttons);
    showTyping(false);
    if (picked && !text) {
      // The server sends a response's text, then its payload as a message of its own (as stock
      // Rasa does, so every client shows the text): take that text into the card.
      var last = state.messages[state.messages.length - 1];
      if (last && last.from === 'bot' && last.joinable && !last.custom) {
        state.messages.pop();
        text = last.text;
        renderAll();
      }
    }
    if (picked && picked.triage && picked.summary) {
      addMessage({ from: 'bot', text: text, custom: { triage: picked.triage }, t: Date.now() });
      addMessage({ from: 'bot', text: '', custom: { summary: picked.summary, fhir: picked.fhir }, t: Date.now() });
    } else if (picked) {
      addMessage({ from: 'bot', text: text, custom: picked, t: Date.now() });
    } else if (text) {
      addMessage({ from: 'bot', text: text, joinable: true, t: Date.now() });
    } else if (data.attachment && data.attachment.payload && data.attachment.payload.src) {
      addMessage({ from: 'bot', text: String(data.attachment.payload.src), t: Date.now() });
    }
    if (buttons.length) { setButtons(buttons); }
    // an emergency outcome must not stay hidden behind a closed panel
    if (picked && picked.triage && String(picked.triage.level).toLowerCase() === 'emergency' && panel.hidden) {
      setOpen(true, false);
    }
  }

  function startConversation() {
    if (cfg.welcome && !state.messages.length) { addMessage({ from: 'bot', text: cfg.welcome, t: Date.now() }); }
    if (cfg.initPayload) { sendMessage(cfg.initPayload, null); }
  }

  function connect() {
    if (typeof window.io !== 'function') {
      setStatus('Chat is unavailable (client library failed to load).', 'error');
      return;
    }
    socket = window.io(cfg.server, {
      path: cfg.path,
      transports: ['websocket', 'polling'],
      reconnection: true,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 10000,
      withCredentials: false
    });
    socket.on('connect', function () {
      ready = false;
      setStatus('Connecting…');
      socket.emit('session_request', { session_id: state.token || null });
    });
    socket.on('widget_labels', function (labels) {
      var merged = mergeLabels(DEFAULT_LABELS, labels);
      if (JSON.stringify(merged) === JSON.stringify(L)) { return; }
      L = merged;
      state.labels = merged;  // kept with the history, so a reload shows the same words
      save();
      renderAll();
    });
    socket.on('session_confirm', function (token) {
      if (token && typeof token === 'object') { token = token.session_id; }
      if (typeof token !== 'string' || !token) { return; }
      var prev = state.token;
      state.token = token;
      save();
      ready = true;
      setStatus('Online', 'ok');
      if (prev && prev !== token && state.messages.length) {
        setButtons([]);
        addSystem('Your earlier conversation could not be resumed, so a new one has started.');
      }
      if (prev !== token) { startConversation(); }
      flush();
    });
    socket.on('bot_uttered', onBotMessage);
    socket.on('disconnect', function (reason) {
      ready = false;
      setStatus('Connection lost. Reconnecting…', 'warn');
      if (reason === 'io server disconnect') { socket.connect(); }
    });
    socket.on('connect_error', function () {
      ready = false;
      setStatus('Cannot reach the chat service. Retrying…', 'warn');
    });
  }

  // ------------------------------------------------------------------ open/close
  function setOpen(open, focus) {
    state.open = open;
    save();
    panel.hidden = !open;
    launcher.hidden = open;
    launcher.setAttribute('aria-expanded', open ? 'true' : 'false');
    root.classList.toggle('bpw-is-open', open);
    if (open) {
      scrollToEnd();
      if (focus) { input.focus(); }
    } else if (focus) {
      launcher.focus();
    }
  }

  launcher.addEventListener('click', function () { setOpen(true, true); });
  closeBtn.addEventListener('click', function () { setOpen(false, true); });
  panel.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') { e.preventDefault(); setOpen(false, true); }
  });
  newBtn.addEventListener('click', function () {
    state.token = null;
    state.messages = [];
    state.buttons = [];
    outbox = [];
    save();
    renderAll();
    showTyping(false);
    ready = false;
    if (socket && socket.connected) { socket.emit('session_request', { session_id: null }); }
    input.focus();
  });
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var text = input.value;
    if (!text.trim()) { input.focus(); return; }
    input.value = '';
    sendMessage(text);
    input.focus();
  });

  // ------------------------------------------------------------------ boot
  function loadScript(src, cb) {
    var s = document.createElement('script');
    s.src = src;
    s.async = true;
    s.onload = function () { cb(); };
    s.onerror = function () { cb(); };
    document.head.appendChild(s);
  }

  function boot() {
    document.body.appendChild(root);
    renderAll();
    setOpen(!!state.open, false);
    if (typeof window.io === 'function') { connect(); } else {
      loadScript(new URL('vendor/socket.io.min.js', scriptUrl).href, connect);
    }
  }

  if (cfg.loadCss) {
    var link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = new URL('widget.css', scriptUrl).href;
    document.head.appendChild(link);
  }

  // small test/automation hook (read-only view of the state)
  window.BackPainWidget = {
    isReady: function () { return ready; },
    sessionToken: function () { return state.token; },
    open: function () { setOpen(true, true); },
    reconnect: function () { if (socket) { socket.disconnect(); socket.connect(); } },
    close: function () { setOpen(false, false); }
  };

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', boot);
  } else {
    boot();
  }
}());
