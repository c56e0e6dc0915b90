// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // "Copy citation" button, added only where the Clipboard API is available.
  function addCopyButtons() {
    if (!navigator.clipboard || !window.isSecureContext) return;
    document.querySelectorAll("[data-copy-slot]").forEach(function (slot) {
      var target = document.getElementById(slot.getAttribute("data-copy-target"));
      if (!target) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button button--secondary button--small";
      button.textContent = "Copy citation";
      var status = document.createElement("span");
      status.className = "copy-status";
      status.setAttribute("role", "status");
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(target.textContent.trim()).then(
          function () { status.textContent = "Citation copied."; },
          function () { status.textContent = "Could not copy: select the text and copy it instead."; }
        );
      });
      slot.appendChild(button);
      slot.appendChild(status);
    });
  }

  // Endorse without a page reload; the form still posts normally when this fails or is absent.
  function enhanceEndorseForms() {
    if (!window.fetch || !window.FormData) return;
    document.querySelectorAll("form[data-endorse-form]").forEach(function (form) {
      var box = form.closest(".endorse-box") || document;
      var count = box.querySelector("[data-endorse-count] strong");
      var breakdown = box.querySelector("[data-endorse-breakdown]");
      var input = form.querySelector('input[name="endorse"]');
      var button = form.querySelector('button[type="submit"]');
      var status = document.createElement("p");
      status.className = "endorse-box__status";
      status.setAttribute("role", "status");
      (form.closest(".endorse-box") || form).appendChild(status);

      form.addEventListener("submit", function (event) {
        event.preventDefault();
        button.disabled = true;
        fetch(form.action, {
          method: "POST",
          body: new FormData(form),
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        })
          .then(function (response) {
            if (!response.ok) throw new Error("HTTP " + response.status);
            return response.json();
          })
          .then(function (data) {
            if (count) count.textContent = data.count + " endorsement" + (data.count === 1 ? "" : "s");
            if (breakdown) {
              breakdown.textContent = data.breakdown || "";
              if (breakdown.previousSibling && breakdown.previousSibling.nodeType === 3) {
                breakdown.previousSibling.textContent = data.breakdown ? ": " : "";
              } else if (data.breakdown) {
                breakdown.parentNode.insertBefore(document.createTextNode(": "), breakdown);
              }
            }
            input.value = data.endorsed ? "0" : "1";
            button.textContent = data.endorsed ? "Withdraw my endorsement" : "Endorse this source";
            button.setAttribute("aria-pressed", data.endorsed ? "true" : "false");
            button.classList.toggle("button--quiet", data.endorsed);
            status.textContent = data.message || "";
          })
          .catch(function () {
            form.submit();
          })
          .finally(function () {
            button.disabled = false;
          });
      });
    });
  }

  // A refused form opens on its error summary, so keyboard and screen-reader users start there.
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) summary.focus();
  }

  function start() {
    focusErrorSummary();
    addCopyButtons();
    enhanceEndorseForms();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
