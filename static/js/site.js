// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // "Copy citation" button (or the slot's data-copy-button text), added only where the
  // Clipboard API is available.
  function addCopyButtons() {
    if (!navigator.clipboard || !window.isSecureContext) return;
    document.querySelectorAll("[data-copy-slot]").forEach(function (slot) {
      var target = document.getElementById(slot.getAttribute("data-copy-target"));
      if (!target) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button button--secondary button--small";
      button.textContent = slot.getAttribute("data-copy-button") || "Copy citation";
      if (slot.hasAttribute("data-copy-label")) {
        button.setAttribute("aria-label", slot.getAttribute("data-copy-label"));
      }
      var status = document.createElement("span");
      status.className = "copy-status";
      status.setAttribute("role", "status");
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(target.textContent.trim()).then(
          function () { status.textContent = slot.getAttribute("data-copy-done") || "Citation copied."; },
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

  // "Fill in" from a DOI, PubMed ID, ISBN or web address without leaving the page. Without this
  // script, or when it fails, the button posts the form and the server fills it in instead.
  function enhanceLookup() {
    if (!window.fetch || !window.URLSearchParams) return;
    document.querySelectorAll("[data-lookup]").forEach(function (section) {
      var form = section.closest("form");
      var input = section.querySelector('input[name="identifier"]');
      var button = section.querySelector("[data-lookup-button]");
      var status = section.querySelector("[data-lookup-status]");
      if (!form || !input || !button || !status) return;

      function notice(kind, text, link) {
        var paragraph = document.createElement("p");
        paragraph.className = kind ? "notice notice--" + kind : "notice";
        paragraph.textContent = text;
        if (link) {
          var anchor = document.createElement("a");
          anchor.href = link.url;
          anchor.textContent = link.title;
          paragraph.appendChild(document.createTextNode(" "));
          paragraph.appendChild(anchor);
          paragraph.appendChild(document.createTextNode("."));
        }
        return paragraph;
      }

      function show(data) {
        status.textContent = "";
        if (data.ok) {
          status.appendChild(notice("success", data.message));
          if (data.duplicate) {
            status.appendChild(notice(
              "warning",
              "A source with this DOI or URL is already in the library or the queue:",
              data.duplicate
            ));
          }
        } else {
          status.appendChild(notice("error", data.message, data.duplicate));
        }
        (data.warnings || []).forEach(function (warning) {
          status.appendChild(notice("warning", warning));
        });
      }

      function fill(fields) {
        Object.keys(fields).forEach(function (name) {
          var field = form.elements.namedItem(name);
          if (!field || field instanceof RadioNodeList) return;
          field.value = fields[name];
          field.dispatchEvent(new Event("input", { bubbles: true }));
          field.dispatchEvent(new Event("change", { bubbles: true }));
        });
      }

      function postTheForm() {
        if (form.requestSubmit) {
          form.requestSubmit(button);
        } else {
          var marker = document.createElement("input");
          marker.type = "hidden";
          marker.name = "fill";
          marker.value = "1";
          form.appendChild(marker);
          form.submit();
        }
      }

      function lookUp() {
        var params = new URLSearchParams({ identifier: input.value });
        var summary = form.elements.namedItem("summary");
        if (summary && summary.value.trim()) params.set("summary", "kept");
        button.disabled = true;
        status.textContent = "Looking it up…";
        fetch(section.getAttribute("data-lookup-url") + "?" + params.toString(), {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        })
          .then(function (response) {
            var type = response.headers.get("Content-Type") || "";
            if (type.indexOf("application/json") !== 0) throw new Error("HTTP " + response.status);
            return response.json();
          })
          .then(function (data) {
            button.disabled = false;
            if (data.ok) {
              fill(data.fields || {});
              input.value = "";
            }
            show(data);
            // Not found: the identifier goes into its own field, if that is empty, with a word.
            var placed = data.placed || {};
            Object.keys(placed).forEach(function (name) {
              var field = form.elements.namedItem(name);
              if (field && !(field instanceof RadioNodeList) && !field.value.trim()) {
                fill({ [name]: placed[name] });
                if (data.placed_message) status.appendChild(notice("", data.placed_message));
              }
            });
          })
          .catch(function () {
            button.disabled = false;
            postTheForm();
          });
      }

      button.addEventListener("click", function (event) {
        event.preventDefault();
        lookUp();
      });
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          event.preventDefault();
          lookUp();
        }
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
    enhanceLookup();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
