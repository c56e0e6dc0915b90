// The API documentation page (templates/ninja/swagger.html): Swagger UI is large, so it loads
// only when the reader asks for it; the reference on the page needs no script.
(function () {
  "use strict";
  const button = document.getElementById("api-docs-try");
  if (!button) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    button.disabled = true;
    button.textContent = "Loading the interactive documentation…";
    // Before the page's own stylesheet, which darkens some of Swagger UI's colours.
    const stylesheet = document.createElement("link");
    stylesheet.rel = "stylesheet";
    stylesheet.href = button.dataset.stylesheet;
    document.head.insertBefore(stylesheet, document.querySelector("link[rel=stylesheet]"));
    const bundle = document.createElement("script");
    bundle.src = button.dataset.bundle;
    bundle.addEventListener("load", function () {
      const init = document.createElement("script");
      init.src = button.dataset.init;
      document.body.append(init);
      button.hidden = true;
    });
    document.body.append(bundle);
  });
})();
