// The contributors of a source, one row of boxes each, where JavaScript runs.
//
// Without this script the form has a text area with one contributor a line ("Family, Given",
// "Organisation: ...", "Editor: " before an editor, "et al." last), which the server reads
// (sources/evidence/contributors.py). The script puts a row of labelled boxes per contributor in front of
// that text area and writes the same lines into it as the member types: the form sends exactly
// what it would without the script. A "Fill in" from an identifier writes the text area and
// fires "input"; the rows are then made again from it.
(function () {
  "use strict";

  var EDITOR = /^(?:editor|ed\.|eds?\.?)\s*:\s*/i;
  var ORGANISATION = /^(?:organi[sz]ation|body|group)\s*:\s*/i;
  var ET_AL = /^(?:et\.?\s*al\.?|and others|others|and colleagues|colleagues)$/i;
  var INITIALS = /^[A-Z\u00C0-\u024F\u0400-\u04FF.-]{1,6}$/;

  function parseLine(line) {
    var row = { role: "author", organisation: false, family: "", given: "", suffix: "", name: "" };
    if (EDITOR.test(line)) {
      row.role = "editor";
      line = line.replace(EDITOR, "");
    }
    if (ORGANISATION.test(line)) {
      row.organisation = true;
      row.name = line.replace(ORGANISATION, "");
      return row;
    }
    if (line.indexOf(",") !== -1) {
      var parts = line.split(",").map(function (part) { return part.trim(); });
      row.family = parts[0];
      row.given = parts[1] || "";
      row.suffix = parts.slice(2).join(", ");
      return row;
    }
    var words = line.split(/\s+/);
    if (words.length === 1) {
      row.family = words[0];
    } else if (INITIALS.test(words[words.length - 1])) {
      row.given = words.pop();
      row.family = words.join(" ");
    } else {
      row.family = words.pop();
      row.given = words.join(" ");
    }
    return row;
  }

  function lineOf(row) {
    var prefix = row.role === "editor" ? "Editor: " : "";
    if (row.organisation) {
      return row.name.trim() ? prefix + "Organisation: " + row.name.trim() : "";
    }
    if (!row.family.trim()) {
      return "";
    }
    var text = row.family.trim() + ", " + row.given.trim();
    text = text.replace(/\s+$/, "");
    if (row.suffix.trim()) {
      text += ", " + row.suffix.trim();
    }
    return prefix + text;
  }

  function read(textarea) {
    var rows = [];
    var etAl = false;
    textarea.value.split(/\r?\n/).forEach(function (line) {
      line = line.trim().replace(/\s+/g, " ");
      if (!line) {
        return;
      }
      if (ET_AL.test(line)) {
        etAl = true;
        return;
      }
      rows.push(parseLine(line));
    });
    return { rows: rows, etAl: etAl };
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  function labelled(labelText, control) {
    var label = element("label", { class: "contributor__part" });
    label.appendChild(element("span", { class: "contributor__label" }, labelText));
    label.appendChild(control);
    return label;
  }

  function enhance(textarea) {
    var state = read(textarea);
    // The page's label stays the text area's own (a script or a test finds the field by it).
    var editor = element("div", { class: "contributors-editor", role: "group", "aria-label": "Contributors, a row each" });
    var list = element("ol", { class: "contributors-editor__list" });
    var adders = element("div", { class: "contributors-editor__add" });
    var addPerson = element("button", { type: "button", class: "button button--small" }, "Add a person");
    var addBody = element("button", { type: "button", class: "button button--small" }, "Add an organisation");
    var etAlLabel = element("label", { class: "choice" });
    var etAl = element("input", { type: "checkbox" });
    etAlLabel.appendChild(etAl);
    etAlLabel.appendChild(document.createTextNode(" et al.: the source names more contributors than these"));
    adders.appendChild(addPerson);
    adders.appendChild(addBody);
    editor.appendChild(list);
    editor.appendChild(adders);
    editor.appendChild(etAlLabel);
    var toggle = element("button", { type: "button", class: "button button--small contributors-editor__toggle" }, "Type them as text instead");

    function write() {
      var lines = state.rows.map(lineOf).filter(function (line) { return line; });
      if (state.etAl) {
        lines.push("et al.");
      }
      textarea.value = lines.join("\n");
    }

    function render(focusIndex) {
      list.textContent = "";
      state.rows.forEach(function (row, index) {
        var number = index + 1;
        var item = element("li", { class: "contributor" });
        var role = element("select", { "aria-label": "Role of contributor " + number });
        [["author", "Author"], ["editor", "Editor"]].forEach(function (choice) {
          var option = element("option", { value: choice[0] }, choice[1]);
          option.selected = row.role === choice[0];
          role.appendChild(option);
        });
        role.addEventListener("change", function () { row.role = role.value; write(); });
        item.appendChild(labelled("Role", role));
        var fields = row.organisation
          ? [["name", "Organisation's name", "contributor__wide"]]
          : [["family", "Family name", ""], ["given", "Given names or initials", ""], ["suffix", "Suffix", "contributor__narrow"]];
        fields.forEach(function (field) {
          var input = element("input", { type: "text", class: field[2], autocomplete: "off", spellcheck: "false" });
          input.value = row[field[0]];
          input.addEventListener("input", function () { row[field[0]] = input.value; write(); });
          item.appendChild(labelled(field[1], input));
        });
        var up = element("button", { type: "button", class: "button button--small", "aria-label": "Move contributor " + number + " up" }, "Up");
        up.disabled = index === 0;
        up.addEventListener("click", function () {
          state.rows.splice(index - 1, 0, state.rows.splice(index, 1)[0]);
          write();
          render(index - 1);
        });
        var remove = element("button", { type: "button", class: "button button--small", "aria-label": "Remove contributor " + number }, "Remove");
        remove.addEventListener("click", function () {
          state.rows.splice(index, 1);
          write();
          render(Math.min(index, state.rows.length - 1));
        });
        item.appendChild(up);
        item.appendChild(remove);
        list.appendChild(item);
      });
      etAl.checked = state.etAl;
      if (focusIndex !== undefined && focusIndex >= 0 && list.children[focusIndex]) {
        list.children[focusIndex].querySelector("input, select").focus();
      }
    }

    function add(organisation) {
      state.rows.push({ role: "author", organisation: organisation, family: "", given: "", suffix: "", name: "" });
      render();
      var inputs = list.lastChild.querySelectorAll("input");
      inputs[0].focus();
    }

    addPerson.addEventListener("click", function () { add(false); });
    addBody.addEventListener("click", function () { add(true); });
    etAl.addEventListener("change", function () { state.etAl = etAl.checked; write(); });
    textarea.addEventListener("input", function () {
      if (textarea.hidden) {
        state = read(textarea);
        render();
      }
    });
    toggle.addEventListener("click", function () {
      if (textarea.hidden) {
        // From the boxes to the text area, which already holds their lines.
        write();
        textarea.hidden = false;
        editor.hidden = true;
        toggle.textContent = "Use a row of boxes for each";
        textarea.focus();
      } else {
        state = read(textarea);
        render();
        textarea.hidden = true;
        editor.hidden = false;
        toggle.textContent = "Type them as text instead";
      }
    });

    textarea.hidden = true;
    textarea.parentNode.insertBefore(editor, textarea);
    textarea.parentNode.insertBefore(toggle, textarea.nextSibling);
    render();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("textarea[data-contributors]"), enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
