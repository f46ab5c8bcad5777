// Session timeout on shared terminals (evalsheets/sessions.py, docs/security.md).
//
// The server logs a user out after data-session-idle seconds without a request. Typing or
// clicking in a page sends no request, so it is reported here (session/keepalive/, at most
// once a minute): a long text typed into a sheet is not lost at the save. When the time
// is up, the passive session/status/ (it does not count as activity) says whether another
// tab kept the session alive; if not, the page goes to the login page, which says why, so
// that a terminal left alone does not keep showing a sheet.
(function () {
  "use strict";
  var body = document.body;
  var idle = Number(body.dataset.sessionIdle);
  if (!idle) return;
  var statusUrl = body.dataset.sessionStatus;
  var keepaliveUrl = body.dataset.sessionKeepalive;
  var loginUrl = body.dataset.sessionLogin;
  var MINUTE = 60000;
  var lastSent = Date.now(); // the page itself was a request
  var pending = null;
  var check = null;

  function send() {
    pending = null;
    lastSent = Date.now();
    fetch(keepaliveUrl, { credentials: "same-origin", cache: "no-store" }).catch(function () {});
    schedule(idle);
  }

  function activity() {
    if (pending) return;
    var wait = lastSent + MINUTE - Date.now();
    if (wait <= 0) send();
    else pending = window.setTimeout(send, wait);
  }

  function toLogin() {
    var here = window.location.pathname + window.location.search;
    window.location.assign(loginUrl + "?next=" + encodeURIComponent(here));
  }

  function verify() {
    fetch(statusUrl, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (response.status === 401) return toLogin();
        if (!response.ok) throw new Error(response.status);
        return response.json().then(function (data) { schedule(data.seconds_left); });
      })
      .catch(function () { schedule(60); }); // server unreachable: ask again later
  }

  function schedule(seconds) {
    if (check) window.clearTimeout(check);
    check = window.setTimeout(verify, (Math.max(seconds, 0) + 2) * 1000);
  }

  ["keydown", "input", "pointerdown", "wheel"].forEach(function (name) {
    document.addEventListener(name, activity, { capture: true, passive: true });
  });
  schedule(idle);
})();
