// Passkey forms on the hosted pages (served as /assets/passkeys.js; no inline
// script under the CSP). A form marked data-passkey fetches its options from
// data-passkey-options, runs the WebAuthn ceremony with @simplewebauthn/browser
// (/assets/simplewebauthn-browser.js), puts the result in its hidden
// `response` field and submits itself; the server decides everything else.
(function () {
  'use strict';
  var lib = window.SimpleWebAuthnBrowser;
  var forms = Array.prototype.slice.call(document.querySelectorAll('form[data-passkey]'));
  if (!forms.length) return;

  function showError(form, key) {
    var box = form.querySelector('[data-passkey-error]');
    if (!box) return;
    box.textContent = form.getAttribute('data-msg-' + key) || '';
    box.hidden = false;
  }

  function fetchOptions(form) {
    var body = new URLSearchParams();
    body.set('csrf', form.elements.csrf.value);
    return fetch(form.getAttribute('data-passkey-options'), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { accept: 'application/json' },
      body: body,
    }).then(function (response) {
      if (!response.ok) throw new Error('options answered ' + response.status);
      return response.json();
    });
  }

  function submitWith(form, result) {
    form.elements.response.value = JSON.stringify(result);
    form.submit();
  }

  function run(form, autofill) {
    var mode = form.getAttribute('data-passkey');
    return fetchOptions(form).then(function (options) {
      if (mode === 'register') return lib.startRegistration({ optionsJSON: options });
      return lib.startAuthentication({ optionsJSON: options, useBrowserAutofill: autofill });
    }).then(function (result) {
      submitWith(form, result);
    });
  }

  forms.forEach(function (form) {
    if (!lib || !lib.browserSupportsWebAuthn()) {
      showError(form, 'unsupported');
      return;
    }
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      run(form, false).catch(function (error) {
        showError(form, error && error.name === 'NotAllowedError' ? 'cancelled' : 'failed');
      });
    });
    // Conditional UI: the browser offers the passkeys in the email field's autofill.
    if (form.hasAttribute('data-passkey-autofill')) {
      lib.browserSupportsWebAuthnAutofill().then(function (supported) {
        if (!supported) return;
        // A person who ignores the offer and clicks the button aborts it: nothing to report then.
        return run(form, true).catch(function () {});
      });
    }
  });
})();
