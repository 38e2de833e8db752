/* The scanning pages on a handheld (issue #16 item 2): new return, receiving, issue and
   transfer. No framework; htmx is the page's own.
   - Every htmx POST carries its own Idempotency-Key header (the forms carry theirs as a
     hidden field rendered per form), so a double tap or a retry books once (core/idempotency.py).
   - The new-return scan field is not swapped: each Enter takes the code out of the field at
     once and queues it; the next code is sent when the previous answer is in the page, so a
     keyboard-wedge scanner typing fast loses nothing.
   - #scan-status says ok / refused with the server's message after every scan; in handheld
     mode (body.handheld, a cookie per device) it also beeps and vibrates.
   - The camera reads a barcode where the browser offers BarcodeDetector; typing still works. */
(function () {
  "use strict";
  var HEADER = "Idempotency-Key";
  var COOKIE = "handheld";
  var queue = [];
  var sending = false;
  var audio = null;

  function newKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);  // randomUUID needs https; this works on plain http
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  function handheld() { return document.body.classList.contains("handheld"); }

  function statusLine() { return document.getElementById("scan-status"); }

  /* --- feedback ---------------------------------------------------------------------- */

  /* Browsers let a page make sound only after the user touched or typed on it: until then
     the context is suspended, and a tone scheduled now would sound late, at the next touch.
     The first touch or key resumes it; feedback before that is silent (still seen). */
  function sound() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) { return null; }
    audio = audio || new Context();
    return audio;
  }

  ["pointerdown", "keydown"].forEach(function (name) {
    document.addEventListener(name, function () {
      var context = handheld() && sound();
      if (context && context.state === "suspended") { context.resume(); }
    }, true);
  });

  function beep(ok) {
    try {
      if (!sound() || audio.state !== "running") { return; }
      var tone = audio.createOscillator();
      var volume = audio.createGain();
      tone.type = ok ? "sine" : "square";
      tone.frequency.value = ok ? 1320 : 220;  // a short high "ok", a long low "refused"
      volume.gain.value = 0.2;
      tone.connect(volume);
      volume.connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + (ok ? 0.12 : 0.45));
    } catch (error) { /* no sound: the status line still says it */ }
  }

  function feedback(ok, message) {
    var line = statusLine();
    if (!line) { return; }
    var word = line.getAttribute(ok ? "data-text-ok" : "data-text-refused");
    line.className = "scan-status " + (ok ? "ok" : "refused");
    line.setAttribute("data-outcome", ok ? "ok" : "refused");
    line.textContent = "";
    var strong = document.createElement("strong");
    strong.textContent = word;
    line.appendChild(strong);
    line.appendChild(document.createTextNode(" " + message));
    void line.offsetWidth;  // restart the flash
    line.classList.add("flash");
    if (handheld()) {
      beep(ok);
      if (navigator.vibrate) { navigator.vibrate(ok ? 60 : [120, 80, 120]); }
    }
  }

  /* After a whole page loads (a form's answer): its refusal or its success. */
  function pageFeedback() {
    if (!document.body.classList.contains("scan-page")) { return; }
    var refused = document.querySelector("main .errorlist li, main .message.error");
    if (refused) {
      feedback(false, refused.textContent.trim());
      var wrong = document.querySelector("main .has-error input:not([type=hidden])");
      if (wrong) { wrong.focus(); wrong.select(); }  // the next scan replaces the wrong code
      return;
    }
    var ok = document.querySelector("main .message.success, main .message.info, main [data-feedback=ok]");
    if (ok) { feedback(true, ok.textContent.replace(/\s+/g, " ").trim()); }
  }

  function responseText(xhr) {
    var text = xhr.responseText || "";
    try { return JSON.parse(text).detail || text; } catch (error) { return text; }
  }

  /* --- keys on every htmx POST -------------------------------------------------------- */

  document.addEventListener("htmx:configRequest", function (event) {
    var detail = event.detail;
    if (detail.verb !== "get" && !detail.headers[HEADER]) { detail.headers[HEADER] = newKey(); }
  });

  /* --- the queued scan field ---------------------------------------------------------- */

  function send(scan) {
    var failed = null;
    function after(event) { if (!event.detail.successful) { failed = event.detail.xhr; } }
    scan.field.addEventListener("htmx:afterRequest", after);
    return window.htmx.ajax("POST", "", {
      source: scan.field,
      target: scan.field.getAttribute("data-scan-target"),
      swap: "outerHTML",
      values: { action: "scan", code: scan.code },
      headers: { "Idempotency-Key": scan.key }
    }).then(function () {
      if (failed) { feedback(false, responseText(failed)); return; }
      var area = document.querySelector(scan.field.getAttribute("data-scan-target"));
      var outcome = area && area.getAttribute("data-scan-outcome");
      if (outcome) { feedback(outcome === "ok", area.getAttribute("data-scan-message")); }
    }, function () {
      feedback(false, statusLine().getAttribute("data-text-unsent") + " " + scan.code);
    }).then(function () {
      scan.field.removeEventListener("htmx:afterRequest", after);
    });
  }

  function sendNext() {
    if (sending || !queue.length) { return; }
    sending = true;
    function done() { sending = false; sendNext(); }
    send(queue.shift()).then(done, done);
  }

  document.addEventListener("keydown", function (event) {
    var field = event.target;
    if (event.key !== "Enter" || !field.matches || !field.matches("input[data-scan-target]")) { return; }
    event.preventDefault();
    var code = field.value.trim();
    field.value = "";  // the scanner's next code starts in an empty field
    if (code) { queue.push({ field: field, code: code, key: newKey() }); sendNext(); }
  });

  /* --- handheld mode switch ----------------------------------------------------------- */

  function scanField() {
    return document.querySelector("main input[data-scan], main input[autofocus]:not([type=hidden])");
  }

  function showMode(button) {
    button.hidden = false;
    button.setAttribute("aria-pressed", handheld() ? "true" : "false");
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-handheld-toggle]");
    if (!button) { return; }
    var on = !handheld();
    document.body.classList.toggle("handheld", on);
    document.cookie = COOKIE + "=" + (on ? "1" : "0") + "; path=/; max-age=31536000; SameSite=Lax";
    showMode(button);
    var field = scanField();
    if (field) { field.focus(); }
  });

  /* --- the camera --------------------------------------------------------------------- */

  var lastField = null;
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("main input[type=text]")) { lastField = event.target; }
  });

  /* A code read by the camera goes where a scanner's would, ending like its Enter. */
  function typeIn(field, code) {
    field.value = code;
    field.focus();
    var form = field.form;
    if (field.matches("[data-scan-target]") || (form && form.matches("[data-enter-moves]"))) {
      field.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true }));
    } else if (form) {
      form.requestSubmit();
    }
  }

  function cameraScan(dialog) {
    var video = dialog.querySelector("video");
    var field = lastField || scanField();
    var detector = new window.BarcodeDetector();
    var stream = null;
    function close() {
      if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
      if (dialog.open) { dialog.close(); }
    }
    function look() {
      if (!dialog.open) { close(); return; }
      detector.detect(video).then(function (codes) {
        if (!codes.length) { window.setTimeout(look, 200); return; }
        close();
        if (field) { typeIn(field, codes[0].rawValue); }
      }, function () { window.setTimeout(look, 400); });
    }
    dialog.querySelector("[data-camera-close]").onclick = close;
    dialog.onclose = close;
    dialog.showModal();
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (media) {
      stream = media;
      video.srcObject = media;
      return video.play();
    }).then(look, function () {
      close();
      feedback(false, statusLine().getAttribute("data-text-no-camera"));
    });
  }

  /* Some browsers have BarcodeDetector but no format it can read (desktop Linux). */
  function cameraOffered() {
    if (!("BarcodeDetector" in window) || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return Promise.resolve(false);
    }
    return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      return formats.length > 0;
    }, function () { return false; });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-camera]");
    var dialog = document.querySelector("[data-camera-dialog]");
    if (button && dialog) { cameraScan(dialog); }
  });

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-handheld-toggle]"), showMode);
    cameraOffered().then(function (offered) {
      Array.prototype.forEach.call(document.querySelectorAll("[data-camera]"), function (b) { b.hidden = !offered; });
    });
    pageFeedback();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
