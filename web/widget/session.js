/*
 * The conversation with the server over socket.io (a part of web/widget.js): the signed session
 * (asked for on every connect, resumed with the stored token), the words the server sends
 * (widget_labels), sending a message once the session is confirmed, and the bot's messages.
 */
(function (w) {
  'use strict';

  var cfg = w.cfg;
  var UI = w.labels.UI;
  var view = w.view;
  var state = w.store.state;
  var save = w.store.save;

  var socket = null;
  var ready = false;          // session confirmed on the current connection
  var outbox = [];            // messages waiting for a confirmed session

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

  // Send ``payload``; show ``display`` (default: the payload) as the patient's bubble, or nothing
  // when it is null.
  function sendMessage(payload, display) {
    payload = String(payload || '').slice(0, w.limits.MAX_INPUT);
    if (!payload.trim()) { return; }
    if (display !== null) { view.addMessage({ from: 'user', text: display === undefined ? payload : display, t: Date.now() }); }
    view.setButtons([]);
    outbox.push(payload);
    view.showTyping(true);
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
    view.showTyping(false);
    if (picked && !text) {
      // The server sends a response's text, then its payload as a message of its own (as stock
      // Rasa does, so every client shows the text): take that text into the card.
      var last = state.messages[state.messages.length - 1];
      if (last && last.from === 'bot' && last.joinable && !last.custom) {
        state.messages.pop();
        text = last.text;
        view.renderAll();
      }
    }
    if (picked && picked.triage && picked.summary) {
      view.addMessage({ from: 'bot', text: text, custom: { triage: picked.triage }, t: Date.now() });
      view.addMessage({ from: 'bot', text: '', custom: { summary: picked.summary, fhir: picked.fhir }, t: Date.now() });
    } else if (picked) {
      view.addMessage({ from: 'bot', text: text, custom: picked, t: Date.now() });
    } else if (text) {
      view.addMessage({ from: 'bot', text: text, joinable: true, t: Date.now() });
    } else if (data.attachment && data.attachment.payload && data.attachment.payload.src) {
      view.addMessage({ from: 'bot', text: String(data.attachment.payload.src), t: Date.now() });
    }
    if (buttons.length) { view.setButtons(buttons); }
    // an emergency outcome must not stay hidden behind a closed panel
    if (picked && picked.triage && String(picked.triage.level).toLowerCase() === 'emergency' && view.panel.hidden) {
      view.setOpen(true, false);
    }
  }

  function startConversation() {
    if (cfg.welcome && !state.messages.length) { view.addMessage({ from: 'bot', text: cfg.welcome, t: Date.now() }); }
    if (cfg.initPayload) { sendMessage(cfg.initPayload, null); }
  }

  function connect() {
    if (typeof window.io !== 'function') {
      view.setStatus(UI.unavailable, 'error');
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
      view.setStatus(UI.connecting);
      socket.emit('session_request', { session_id: state.token || null });
    });
    socket.on('widget_labels', function (labels) {
      if (!w.labels.use(labels)) { return; }
      state.labels = w.labels.current;  // kept with the history, so a reload shows the same words
      save();
      view.renderAll();
    });
    socket.on('session_confirm', function (token) {
      if (token && typeof token === 'object') { token = token.session_id; }
      if (typeof token !== 'string' || !token) { return; }
      var prev = state.token;
      state.token = token;
      save();
      ready = true;
      view.setStatus(UI.online, 'ok');
      if (prev && prev !== token && state.messages.length) {
        view.setButtons([]);
        view.addSystem(UI.notResumed);
      }
      if (prev !== token) { startConversation(); }
      flush();
    });
    socket.on('bot_uttered', onBotMessage);
    socket.on('disconnect', function (reason) {
      ready = false;
      view.setStatus(UI.lost, 'warn');
      if (reason === 'io server disconnect') { socket.connect(); }
    });
    socket.on('connect_error', function () {
      ready = false;
      view.setStatus(UI.unreachable, 'warn');
    });
  }

  // "New chat": drop the history and the token, and ask the server for a new session.
  function startNew() {
    state.token = null;
    state.messages = [];
    state.buttons = [];
    outbox = [];
    save();
    view.renderAll();
    view.showTyping(false);
    ready = false;
    if (socket && socket.connected) { socket.emit('session_request', { session_id: null }); }
  }

  w.session = {
    connect: connect,
    send: sendMessage,
    startNew: startNew,
    isReady: function () { return ready; },
    reconnect: function () { if (socket) { socket.disconnect(); socket.connect(); } }
  };
}(window.__backPainWidget));
