// The reader's selection, in place: the header's count, and each "Add to my selection" button
// posted without leaving the page. Every button works without this file (it asks for the add
// page, which holds the form).
(function () {
  "use strict";

  var state = null;

  function countFromCookie() {
    var match = document.cookie.match(/(?:^|;\s*)selection_count=(\d+)/);
    return match ? parseInt(match[1], 10) : 0;
  }

  function showCount(count) {
    document.querySelectorAll("[data-selection-count]").forEach(function (slot) {
      slot.textContent = count ? "(" + count + ")" : "";
    });
  }

  function loadState() {
    if (state) return Promise.resolve(state);
    return fetch("/basket/state/", { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("state");
        return response.json();
      })
      .then(function (data) { state = data; return data; });
  }

  function setSelected(form, selected) {
    var button = form.querySelector("button");
    var hidden = button.querySelector(".visually-hidden");
    button.textContent = selected ? "Remove from my selection" : "Add to my selection";
    if (hidden) button.appendChild(hidden);
    button.setAttribute("aria-pressed", selected ? "true" : "false");
    form.setAttribute("data-selected", selected ? "1" : "");
  }

  function enhance(form) {
    var source = form.querySelector('input[name="source"]').value;
    var status = document.createElement("span");
    status.className = "selection-form__status";
    status.setAttribute("role", "status");
    form.appendChild(status);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var selected = form.getAttribute("data-selected") === "1";
      loadState()
        .then(function (data) {
          var body = new FormData();
          body.append("source", source);
          body.append("csrfmiddlewaretoken", data.csrf);
          return fetch(selected ? "/basket/remove/" : "/basket/add/", {
            method: "POST",
            body: body,
            headers: { Accept: "application/json" },
            credentials: "same-origin",
          });
        })
        .then(function (response) {
          return response.json().then(function (data) { return { ok: response.ok, data: data }; });
        })
        .then(function (result) {
          if (!result.ok) {
            status.textContent = result.data.error || "Could not change your selection.";
            return;
          }
          setSelected(form, result.data.selected);
          showCount(result.data.count);
          status.textContent = result.data.selected ? "Added to your selection." : "Removed from your selection.";
        })
        .catch(function () { form.submit(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var count = countFromCookie();
    showCount(count);
    var forms = document.querySelectorAll("form[data-selection-form]");
    if (!forms.length || !window.fetch || !window.FormData) return;
    forms.forEach(enhance);
    if (!count) return;
    loadState().then(function (data) {
      forms.forEach(function (form) {
        var source = form.querySelector('input[name="source"]').value;
        setSelected(form, data.sources.indexOf(source) !== -1);
      });
    }).catch(function () {});
  });
})();
