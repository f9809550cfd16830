/*
 * The widget's words (a part of web/widget.js). Nothing else in the widget holds text a patient
 * reads; the conversation's own words come from the server.
 *
 * LABELS are the ones the server sends when a session starts (the "widget_labels" event, from
 * channels/socketio_web/widget_labels.yml): the card titles per level and the doctor's summary's
 * heading, field names and buttons. The English copies here are for servers that send none.
 * UI are the panel's own words, shown before any server has answered.
 */
(function (w) {
  'use strict';

  var LABELS = {
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
        positives: 'Said yes to', negatives: 'Said no to', unknown: 'Not sure or not known',
        not_asked: 'Not asked (not needed for this advice)'
      }
    }
  };

  var UI = {
    title: 'Back pain check',
    subtitle: 'Automated assistant',
    disclaimer: 'This chat does not replace a doctor. If you are seriously unwell, call your local emergency number.',
    launcher: 'Chat about back pain',
    newChat: 'New chat',
    newChatHint: 'Start a new conversation',
    close: 'Close chat',
    conversation: 'Conversation',
    typing: 'The assistant is typing',
    suggestions: 'Suggested answers',
    inputLabel: 'Your message',
    placeholder: 'Type your message',
    send: 'Send',
    youSaid: 'You said: ',
    botSaid: 'Assistant said: ',
    newTab: ' (opens in a new tab)',
    connecting: 'Connecting…',
    online: 'Online',
    lost: 'Connection lost. Reconnecting…',
    unreachable: 'Cannot reach the chat service. Retrying…',
    unavailable: 'Chat is unavailable (client library failed to load).',
    notResumed: 'Your earlier conversation could not be resumed, so a new one has started.'
  };

  // Only texts, and only where the defaults have one: whatever else a server sends is ignored.
  function merge(base, given) {
    var out = {};
    Object.keys(base).forEach(function (k) {
      var g = given && typeof given === 'object' ? given[k] : undefined;
      if (typeof base[k] === 'string') {
        out[k] = typeof g === 'string' && g.trim() ? g : base[k];
      } else {
        out[k] = merge(base[k], g);
      }
    });
    return out;
  }

  var labels = {
    UI: UI,
    current: merge(LABELS, null),  // the labels in use (read at each render)
    // Take the labels a server sent (or a stored copy of them); true if any word changed.
    use: function (given) {
      var merged = merge(LABELS, given);
      if (JSON.stringify(merged) === JSON.stringify(labels.current)) { return false; }
      labels.current = merged;
      return true;
    }
  };
  w.labels = labels;
}(window.__backPainWidget));
