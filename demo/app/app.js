// The QR code of a TOTP enrolment is drawn here, from the enrolment's answer: the secret goes
// to no other request.
import qrcode from '/app/qrcode.mjs';

// The demo's page, on the cookie transport. The access and refresh tokens live in HttpOnly
// cookies that this script cannot read and never needs: the browser sends them. The one value
// it handles is the session's CSRF token, sent back in X-CSRF-Token on every POST and DELETE;
// with the server's Origin check, a page of another origin cannot forge those requests.

// The CSRF cookie is `__Host-<COOKIE_NAME_PREFIX>-csrf` (`<prefix>-csrf` with
// COOKIE_SECURE=false): the one readable cookie whose name ends in `-csrf`.
const CSRF_COOKIE = /^(?:__Host-)?[A-Za-z0-9_-]+-csrf$/;

const byId = (id) => document.getElementById(id);
const status = byId('status');
const loginForm = byId('login');
const account = byId('account');
const sessionList = byId('session-list');
const endOthers = byId('end-others');

/** The session's CSRF token, from the cookie the server set beside the tokens; '' if none. */
function csrfToken() {
  for (const entry of document.cookie.split('; ')) {
    const equals = entry.indexOf('=');
    if (equals > 0 && CSRF_COOKIE.test(entry.slice(0, equals))) return entry.slice(equals + 1);
  }
  return '';
}

/** A same-origin request (the browser adds the cookies); all but a GET carry the CSRF token. */
function send(method, path) {
  const headers = method === 'GET' ? {} : { 'X-CSRF-Token': csrfToken() };
  return fetch(path, { method, headers, credentials: 'same-origin' });
}

// One refresh at a time: the calls that fail together wait for the same one (two refreshes
// with the same refresh cookie would look like a stolen token, and end the session).
// `refreshes` counts the successful ones: a call that failed before the latest just retries.
let refreshing = null;
let refreshes = 0;

/** Rotates the session's cookies; false when no session is left to refresh. */
function refresh() {
  if (csrfToken() === '') return Promise.resolve(false); // never signed in, or signed out
  refreshing ??= send('POST', '/auth/cookie/refresh')
    .then((response) => {
      if (response.ok) refreshes += 1;
      return response.ok;
    })
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

/** `send`; on a 401 (the access token expired), a silent refresh and one retry. */
async function call(method, path) {
  const before = refreshes;
  const response = await send(method, path);
  if (response.status !== 401) return response;
  const renewed = refreshes !== before || (await refresh());
  return renewed ? send(method, path) : response;
}

function say(text) {
  status.textContent = text;
}

function showForm(message) {
  account.hidden = true;
  loginForm.hidden = false;
  say(message);
}

/** Shows the signed-in user and their sessions, or the form when there is no session. */
async function showAccount() {
  const response = await call('GET', '/users/me');
  if (response.status === 401) return showForm('');
  if (!response.ok) return say('Your account could not be loaded. Try again later.');
  const user = await response.json();
  byId('user-email').textContent = user.email;
  byId('user-roles').textContent = user.roles.join(', ');
  byId('user-verified').textContent = user.email_verified ? 'yes' : 'no';
  byId('verify').hidden = user.email_verified;
  byId('user-mfa').textContent = user.mfa_enabled ? 'on' : 'off';
  byId('enroll').hidden = user.mfa_enabled;
  byId('disable-form').hidden = !user.mfa_enabled;
  loginForm.hidden = true;
  byId('code-form').hidden = true;
  account.hidden = false;
  say(`Signed in as ${user.email}.`);
  await showSessions();
}

/** A `<time>`: the reader's local form, the exact instant in `datetime` and the tooltip. */
function time(iso) {
  const element = document.createElement('time');
  element.dateTime = iso;
  element.title = iso;
  element.textContent = new Date(iso).toLocaleString();
  return element;
}

/** One session of the list; the others have an End button (this one ends with Log out). */
function sessionItem(session) {
  const item = document.createElement('li');
  const device = document.createElement('strong');
  device.textContent = session.user_agent ?? 'Unknown device';
  item.append(device);
  if (session.current) {
    const here = document.createElement('span');
    here.className = 'current';
    here.textContent = 'this device';
    item.append(' ', here);
  }
  const details = document.createElement('small');
  details.append(
    `${session.address ?? 'Unknown address'}, signed in `,
    time(session.created_at),
    ', last used ',
    time(session.last_used_at),
  );
  item.append(details);
  if (!session.current) {
    const end = document.createElement('button');
    end.type = 'button';
    end.textContent = 'End';
    end.addEventListener(
      'click',
      handle(() => endSessions(`/auth/sessions/${encodeURIComponent(session.id)}`)),
    );
    item.append(end);
  }
  return item;
}

/** Lists the user's sessions, newest first: text and elements only, never markup. */
async function showSessions() {
  sessionList.setAttribute('aria-busy', 'true');
  try {
    const response = await call('GET', '/auth/sessions');
    if (response.status === 401) return showForm('');
    if (!response.ok) return say('Your sessions could not be loaded. Try again later.');
    const sessions = await response.json();
    sessionList.replaceChildren(...sessions.map(sessionItem));
    endOthers.disabled = !sessions.some((session) => !session.current);
  } finally {
    sessionList.setAttribute('aria-busy', 'false');
  }
}

/** Ends one session (`/auth/sessions/{id}`) or all others (`/auth/sessions`), then lists them. */
async function endSessions(path) {
  const response = await call('DELETE', path);
  if (response.status === 401) return showForm('');
  // 404: that session had ended already; the list shows it gone.
  if (response.status !== 204 && response.status !== 404) {
    return say('The session could not be ended. Try again.');
  }
  say(path === '/auth/sessions' ? 'Every other session has ended.' : 'The session has ended.');
  await showSessions();
}

// Fixed texts: a wrong password and an unknown email look the same, as the server answers them.
const LOGIN_ERRORS = {
  401: 'Wrong email or password.',
  429: 'Too many failed attempts. Wait a while, then try again.',
};

async function logIn(event) {
  event.preventDefault();
  const fields = new FormData(loginForm);
  say('Signing in…');
  const response = await fetch('/auth/cookie/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: fields.get('username'), password: fields.get('password') }),
    credentials: 'same-origin',
  });
  if (!response.ok) return say(LOGIN_ERRORS[response.status] ?? 'Sign-in failed. Try again later.');
  loginForm.reset();
  const answer = await response.json();
  if (answer.mfa_required === true) {
    // No cookie yet: the code's step sets them. The challenge stays in this script only.
    challenge = answer.challenge;
    loginForm.hidden = true;
    byId('code-form').hidden = false;
    say('Enter the code from your authenticator app.');
    byId('login-code').focus();
    return;
  }
  await showAccount();
  byId('account-title').focus();
}

/** The login's challenge, between the password and the code. */
let challenge = '';

const CODE_ERRORS = {
  400: 'The sign-in took too long or was already used: sign in again.',
  401: 'Wrong code.',
  429: 'Too many failed attempts. Wait a while, then try again.',
};

async function verifyCode(event) {
  event.preventDefault();
  const form = byId('code-form');
  const response = await post('/auth/cookie/2fa/verify', {
    challenge,
    code: new FormData(form).get('code'),
  });
  form.reset();
  if (!response.ok) {
    if (response.status === 400) {
      challenge = '';
      form.hidden = true;
      loginForm.hidden = false;
    }
    return say(CODE_ERRORS[response.status] ?? 'Sign-in failed. Try again later.');
  }
  challenge = '';
  await showAccount();
  byId('account-title').focus();
}

/** Draws the QR code of `text` on the canvas: modules as squares, no markup. */
function drawQr(text) {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  const canvas = byId('qr');
  const context = canvas.getContext('2d');
  const count = qr.getModuleCount();
  const size = Math.floor(canvas.width / (count + 8));
  const margin = Math.floor((canvas.width - size * count) / 2);
  context.fillStyle = '#fff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.fillStyle = '#000';
  for (let row = 0; row < count; row += 1) {
    for (let column = 0; column < count; column += 1) {
      if (qr.isDark(row, column)) {
        context.fillRect(margin + column * size, margin + row * size, size, size);
      }
    }
  }
}

async function enroll() {
  const response = await call('POST', '/auth/2fa/enroll');
  if (response.status === 401) return showForm('');
  if (!response.ok) return say('The second factor could not be set up. Try again later.');
  const enrolment = await response.json();
  drawQr(enrolment.otpauth_url);
  byId('otpauth-url').textContent = enrolment.otpauth_url;
  byId('recovery-codes').replaceChildren(
    ...enrolment.recovery_codes.map((code) => {
      const item = document.createElement('li');
      item.textContent = code;
      return item;
    }),
  );
  byId('enrolment').hidden = false;
  byId('confirm-form').hidden = false;
  byId('enroll').hidden = true;
  say('Scan the code, then enter the code the app shows.');
  byId('confirm-code').focus();
}

/** A POST with a code to a route of the signed-in user (`/auth/2fa/confirm|disable`). */
async function sendCode(path, form, done) {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrfToken() },
    body: JSON.stringify({ code: new FormData(form).get('code') }),
    credentials: 'same-origin',
  });
  form.reset();
  if (response.status !== 204) {
    return say(CODE_ERRORS[response.status] ?? 'That did not work. Try again later.');
  }
  byId('enrolment').hidden = true;
  byId('confirm-form').hidden = true;
  await showAccount();
  say(done);
}

async function logOut() {
  const response = await call('POST', '/auth/cookie/logout');
  // 401: the session had ended already.
  if (response.status !== 204 && response.status !== 401) return say('Sign-out failed. Try again.');
  showForm('You are signed out.');
  byId('email').focus();
}

/** A JSON POST of `body` to a public route (no session needed). */
function post(path, body) {
  return fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    credentials: 'same-origin',
  });
}

// A mailed link's token: read once, then taken out of the address bar and the history.
const linkToken = new URLSearchParams(location.search).get('token') ?? '';
const linkPage = location.pathname;
if (linkToken !== '') history.replaceState(null, '', '/app/');

const LINK_ERRORS = {
  400: 'This link is invalid, expired or already used.',
  429: 'Too many requests. Wait a while, then try again.',
};

async function requestVerification() {
  const response = await call('POST', '/auth/verify-email/request');
  if (response.status === 401) return showForm('');
  if (response.status !== 202) return say(LINK_ERRORS[response.status] ?? 'Try again later.');
  say('A verification link is on its way to your email.');
}

async function verifyEmail() {
  const response = await post('/auth/verify-email', { token: linkToken });
  say(
    response.status === 204
      ? 'Your email is verified.'
      : (LINK_ERRORS[response.status] ?? 'Try again later.'),
  );
}

async function forgotPassword(event) {
  event.preventDefault();
  const form = byId('forgot-form');
  const response = await post('/auth/forgot-password', { email: new FormData(form).get('email') });
  if (response.status !== 202) return say(LINK_ERRORS[response.status] ?? 'Try again later.');
  form.reset();
  form.hidden = true;
  loginForm.hidden = false;
  say('If that email has an account, a reset link is on its way.');
}

async function resetPassword(event) {
  event.preventDefault();
  const form = byId('reset-form');
  const response = await post('/auth/reset-password', {
    token: linkToken,
    new_password: new FormData(form).get('new_password'),
  });
  if (response.status !== 204) {
    return say(
      response.status === 400
        ? 'This link is invalid, expired or already used, or the password is too short.'
        : 'Try again later.',
    );
  }
  form.reset();
  form.hidden = true;
  showForm('Your password is set: sign in with it.');
}

/** An event handler whose network failure ends as a message, not as an unhandled rejection. */
const handle = (action) => (event) =>
  action(event).catch(() => say('The server cannot be reached. Try again later.'));

loginForm.addEventListener('submit', handle(logIn));
byId('reload').addEventListener('click', handle(showAccount));
byId('logout').addEventListener('click', handle(logOut));
endOthers.addEventListener(
  'click',
  handle(() => endSessions('/auth/sessions')),
);
byId('verify').addEventListener('click', handle(requestVerification));
byId('forgot').addEventListener('click', () => {
  loginForm.hidden = true;
  byId('forgot-form').hidden = false;
  say('');
});
byId('forgot-form').addEventListener('submit', handle(forgotPassword));
byId('code-form').addEventListener('submit', handle(verifyCode));
byId('enroll').addEventListener('click', handle(enroll));
byId('confirm-form').addEventListener(
  'submit',
  handle((event) => {
    event.preventDefault();
    return sendCode('/auth/2fa/confirm', byId('confirm-form'), 'The second factor is on.');
  }),
);
byId('disable-form').addEventListener(
  'submit',
  handle((event) => {
    event.preventDefault();
    return sendCode('/auth/2fa/disable', byId('disable-form'), 'The second factor is off.');
  }),
);
byId('reset-form').addEventListener('submit', handle(resetPassword));

if (linkToken !== '' && linkPage === '/app/reset-password') {
  byId('reset-form').hidden = false;
  say('Choose a new password.');
} else if (linkToken !== '' && linkPage === '/app/verify-email') {
  handle(verifyEmail)().then(() => handle(showAccount)());
} else {
  handle(showAccount)();
}
