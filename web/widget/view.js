/*
 * The panel (a part of web/widget.js): the launcher, the header with its status, the log of
 * messages, the typing dots, the quick replies and the input form; rendering a message (a
 * bubble, or an outcome / summary card) and opening and closing the panel.
 */
(function (w) {
  'use strict';

  var el = w.dom.el;
  var cfg = w.cfg;
  var UI = w.labels.UI;
  var state = w.store.state;
  var save = w.store.save;
  var typingTimer = null;

  // ------------------------------------------------------------------ build
  var root = el('div', { className: 'bpw-root', 'data-bpw': 'root' });
  var panelId = w.dom.nextId('panel');
  var titleId = w.dom.nextId('title');
  var inputId = w.dom.nextId('input');

  var launcher = el('button', {
    type: 'button', className: 'bpw-launcher', 'aria-expanded': 'false', 'aria-controls': panelId
  }, [w.dom.icon('chat'), el('span', { className: 'bpw-launcher-text', text: cfg.launcherLabel })]);

  var statusEl = el('p', { className: 'bpw-status', role: 'status', text: UI.connecting });
  var newBtn = el('button', { type: 'button', className: 'bpw-hbtn', text: UI.newChat, title: UI.newChatHint });
  var closeBtn = el('button', { type: 'button', className: 'bpw-hbtn bpw-close', 'aria-label': UI.close }, ['×']);

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
    'aria-label': UI.conversation, tabindex: '0'
  });

  var typing = el('div', { className: 'bpw-typing', hidden: true }, [
    el('span', { className: 'bpw-dot', 'aria-hidden': 'true' }),
    el('span', { className: 'bpw-dot', 'aria-hidden': 'true' }),
    el('span', { className: 'bpw-dot', 'aria-hidden': 'true' }),
    el('span', { className: 'bpw-vh', text: UI.typing })
  ]);

  var replies = el('div', { className: 'bpw-replies', role: 'group', 'aria-label': UI.suggestions, hidden: true });

  var input = el('input', {
    id: inputId, type: 'text', className: 'bpw-input', autocomplete: 'off',
    maxlength: String(w.limits.MAX_INPUT), placeholder: UI.placeholder, 'aria-describedby': null
  });
  var sendBtn = el('button', { type: 'submit', className: 'bpw-send', text: UI.send });
  var form = el('form', { className: 'bpw-form', novalidate: true }, [
    el('label', { 'for': inputId, className: 'bpw-vh', text: UI.inputLabel }),
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

  // ------------------------------------------------------------------ messages
  function speaker(from) {
    return from === 'user' ? UI.youSaid : (from === 'bot' ? UI.botSaid : '');
  }

  function renderMessage(msg) {
    var wrap = el('div', { className: 'bpw-row bpw-row--' + msg.from });
    var custom = msg.custom || {};
    if (custom.triage && typeof custom.triage === 'object') {
      wrap.appendChild(w.cards.triage(custom.triage, msg.text));
    } else if (custom.summary && typeof custom.summary === 'object') {
      wrap.appendChild(w.cards.summary(custom.summary, msg.text, custom.fhir));
    } else {
      var bubble = el('div', { className: 'bpw-msg bpw-msg--' + msg.from, 'data-from': msg.from });
      var who = speaker(msg.from);
      if (who) { bubble.appendChild(el('span', { className: 'bpw-vh', text: who })); }
      bubble.appendChild(w.dom.linkify(msg.text));
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
        w.session.send(b.payload, b.title);
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
      typingTimer = setTimeout(function () { typing.hidden = true; }, w.limits.TYPING_TIMEOUT_MS);
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

  // ------------------------------------------------------------------ open / close
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

  w.view = {
    root: root,
    panel: panel,
    launcher: launcher,
    newBtn: newBtn,
    closeBtn: closeBtn,
    form: form,
    input: input,
    addMessage: addMessage,
    addSystem: addSystem,
    setButtons: setButtons,
    showTyping: showTyping,
    setStatus: setStatus,
    renderAll: renderAll,
    setOpen: setOpen
  };
}(window.__backPainWidget));
