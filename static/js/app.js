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
