// Moderators' pages, made quicker with a script; every form here works without it.
(function () {
  "use strict";

  // "Superseded by": the sources matching the typed title appear as the moderator types. Without
  // this script (or when a request fails) the "Find" button asks the server for the same list.
  function enhanceSuccessorPicker() {
    var picker = document.querySelector("[data-successor-picker]");
    if (!picker || !window.fetch || !window.DOMParser || !window.URLSearchParams) return;
    var input = picker.querySelector('input[name="successor_q"]');
    var choices = document.getElementById("successor-choices");
    var form = picker.closest("form");
    var timer = null;
    var latest = 0;

    function search() {
      var ticket = ++latest;
      var params = new URLSearchParams();
      params.set("successor_q", input.value);
      var checked = picker.querySelector('input[name="superseded_by"]:checked');
      if (checked && checked.value) params.set("superseded_by", checked.value);
      fetch(form.action + "?" + params.toString(), { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.text();
        })
        .then(function (html) {
          if (ticket !== latest) return;
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("successor-choices");
          if (fresh) choices.replaceChildren.apply(choices, Array.from(fresh.childNodes));
        })
        .catch(function () { /* the Find button still works */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 250);
    });
  }

  // Ready-made reasons: choosing one puts its text into the reason box at once. Without this
  // script the "Add this reason" button does the same through the server.
  function enhanceSavedReasons() {
    document.querySelectorAll("[data-saved-reasons]").forEach(function (picker) {
      var select = picker.querySelector("select");
      var button = picker.querySelector("button");
      var target = document.getElementById(picker.getAttribute("data-saved-reasons"));
      if (!select || !target) return;
      if (button) button.remove();
      select.addEventListener("change", function () {
        var option = select.options[select.selectedIndex];
        var text = option && option.value ? option.getAttribute("data-text") : "";
        if (!text) return;
        var current = target.value.trim();
        target.value = current ? current + "\n\n" + text : text;
        select.selectedIndex = 0;
        target.focus();
      });
    });
  }

  function start() {
    enhanceSuccessorPicker();
    enhanceSavedReasons();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
