// kiosk.js: the kiosk clears itself. After data-idle-ms (a minute) with no
// touch, key or pointer, it goes back to the blank form, replacing the page
// in the history so Back cannot bring back what was shown. It also moves
// focus to a field to correct or to what an answer is about, and shows a
// printed certificate in a frame of the page, so the idle timer keeps
// running while it is shown.
(function () {
  "use strict";
  var idle = parseInt(document.body.getAttribute("data-idle-ms"), 10) || 60000;
  var timer = 0;

  function typed() {
    var inputs = document.querySelectorAll("input:not([type=hidden]):not([type=radio])");
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].value !== "") return true;
    }
    return false;
  }
  function clear() {
    if (location.pathname === "/kiosk" && !typed()) {
      arm(); // already blank
      return;
    }
    location.replace("/kiosk");
  }
  function arm() {
    clearTimeout(timer);
    timer = setTimeout(clear, idle);
  }
  ["pointerdown", "touchstart", "keydown", "input", "wheel", "scroll"].forEach(function (ev) {
    window.addEventListener(ev, arm, { capture: true, passive: true });
  });
  // A page brought back from the browser's memory (Back) is cleared too.
  window.addEventListener("pageshow", function (e) {
    if (e.persisted) location.replace("/kiosk");
  });
  arm();

  // A field to correct first, else what the answer is about.
  var focus = document.querySelector("[aria-invalid=true]") || document.querySelector("[data-focus]");
  if (focus) focus.focus();

  var form = document.getElementById("k-print");
  var frame = document.getElementById("k-cert");
  if (form && frame) {
    form.target = frame.name;
    form.addEventListener("submit", function () {
      frame.hidden = false;
      frame.scrollIntoView();
    });
  }
})();
