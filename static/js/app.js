/* Keyboard-wedge scanners type a code and press Enter. Enter must never submit a half-filled
   form: in a scan field ([data-scan]) htmx adds the line; in a form marked
   [data-enter-moves] it moves to the next field, like Tab. */
(function () {
  "use strict";
  var FIELDS = "input:not([type=hidden]):not([disabled]), select, textarea, button";

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key !== "Enter" || target.tagName !== "INPUT") { return; }
    if (target.matches("[data-scan]")) { event.preventDefault(); return; }
    var form = target.form;
    if (!form) { return; }
    if (form.matches("[data-enter-moves]")) {
      event.preventDefault();
      var fields = Array.prototype.slice.call(form.querySelectorAll(FIELDS));
      var next = fields[fields.indexOf(target) + 1];
      if (next) { next.focus(); if (next.select) { next.select(); } }
    }
  });
})();

/* Irreversible actions ask first (core/confirm.py): a form[data-confirm] has an "I confirm"
   checkbox for browsers without this script; here it is hidden, the browser's confirm()
   asks with the same text, and agreeing ticks it. Dismissing submits nothing. */
(function () {
  "use strict";
  var CHECK = "form[data-confirm] [data-confirm-check]";

  function arm(root) {
    if (!root || !root.querySelectorAll) { return; }
    Array.prototype.forEach.call(root.querySelectorAll(CHECK), function (label) {
      label.hidden = true;
      var box = label.querySelector("input[name=confirmed]");
      if (box) { box.required = false; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { arm(document); });
  document.addEventListener("htmx:load", function (event) { arm(event.target); });
  if (document.readyState !== "loading") { arm(document); }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-confirm]")) { return; }
    var box = form.querySelector("input[name=confirmed]");
    if (!window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
      if (box) { box.checked = false; }
      return;
    }
    if (box) { box.checked = true; }
  }, true);
})();

/* On a narrow screen the header's menu opens behind one button (static/css/app.css). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-menu-toggle]");
    if (!button) { return; }
    var header = button.closest(".site-header");
    var open = header.classList.toggle("menu-open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();
