// Passkeys (WebAuthn) for Gerbang's pages: registration on the account page, sign-in on the login
// page (a button, and the browser's autofill through conditional mediation), and step-up.
// The server keeps every ceremony's state; this script only carries bytes between the browser's
// WebAuthn API and the server's JSON endpoints. No inline script: the CSP allows only this file.
(() => {
  'use strict';
  if (!window.PublicKeyCredential) {
    document.querySelectorAll('[data-passkey]').forEach((el) => { el.hidden = true; });
    return;
  }
  const dec = (s) => {
    const b = atob(s.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(s.length / 4) * 4, '='));
    return Uint8Array.from(b, (c) => c.charCodeAt(0)).buffer;
  };
  const enc = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf)))
    .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const csrf = () => (document.querySelector('input[name=csrf]') || {}).value || '';
  const status = (msg) => {
    const el = document.getElementById('passkey-status');
    if (el) { el.textContent = msg; el.hidden = false; }
  };
  async function post(url, body) {
    const r = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf() },
      body: JSON.stringify(body),
    });
    const json = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(json.error_description || r.statusText);
    return json;
  }
  function creation(options) {
    const pk = options.publicKey;
    pk.challenge = dec(pk.challenge);
    pk.user.id = dec(pk.user.id);
    (pk.excludeCredentials || []).forEach((c) => { c.id = dec(c.id); });
    return { publicKey: pk };
  }
  function request(options) {
    const pk = options.publicKey;
    pk.challenge = dec(pk.challenge);
    (pk.allowCredentials || []).forEach((c) => { c.id = dec(c.id); });
    return { publicKey: pk };
  }
  const registration = (c) => ({
    id: c.id, rawId: enc(c.rawId), type: c.type, extensions: c.getClientExtensionResults(),
    response: {
      attestationObject: enc(c.response.attestationObject),
      clientDataJSON: enc(c.response.clientDataJSON),
      transports: c.response.getTransports ? c.response.getTransports() : [],
    },
  });
  const assertion = (c) => ({
    id: c.id, rawId: enc(c.rawId), type: c.type, extensions: c.getClientExtensionResults(),
    response: {
      authenticatorData: enc(c.response.authenticatorData),
      clientDataJSON: enc(c.response.clientDataJSON),
      signature: enc(c.response.signature),
      userHandle: c.response.userHandle ? enc(c.response.userHandle) : null,
    },
  });

  const register = document.getElementById('passkey-register');
  if (register) {
    register.addEventListener('click', async () => {
      try {
        const started = await post('/akun/passkey/mulai', {});
        const credential = await navigator.credentials.create(creation(started.options));
        const name = (document.getElementById('passkey-name') || {}).value || '';
        await post('/akun/passkey/selesai', { ceremony: started.ceremony, credential: registration(credential), name });
        window.location.reload();
      } catch (e) { status(e.message); }
    });
  }

  const login = document.getElementById('passkey-login');
  let pending = null;
  async function signIn(conditional) {
    const started = await post('/masuk/passkey/mulai', {});
    const options = request(started.options);
    if (conditional) {
      pending = new AbortController();
      options.mediation = 'conditional';
      options.signal = pending.signal;
    }
    const credential = await navigator.credentials.get(options);
    const done = await post('/masuk/passkey/selesai', {
      ceremony: started.ceremony, credential: assertion(credential), return_to: login.dataset.returnTo || '',
    });
    window.location.assign(done.redirect);
  }
  if (login) {
    login.addEventListener('click', async () => {
      if (pending) pending.abort();
      try { await signIn(false); } catch (e) { status(e.message); }
    });
    if (PublicKeyCredential.isConditionalMediationAvailable) {
      PublicKeyCredential.isConditionalMediationAvailable()
        .then((ok) => { if (ok) signIn(true).catch(() => {}); });
    }
  }

  const stepUp = document.getElementById('passkey-step-up');
  if (stepUp) {
    stepUp.addEventListener('click', async () => {
      try {
        const req = stepUp.dataset.req;
        const started = await post('/masuk/langkah-2/passkey/mulai', { req });
        const credential = await navigator.credentials.get(request(started.options));
        const done = await post('/masuk/langkah-2/passkey/selesai', {
          ceremony: started.ceremony, credential: assertion(credential), req,
        });
        window.location.assign(done.redirect);
      } catch (e) { status(e.message); }
    });
  }
})();
